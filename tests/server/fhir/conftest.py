"""FHIR tests: integration clients with their demo credentials, resources parsed back with
`fhir.resources` (R4B models, see server/fhir/outcome.py), and catalogue products by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fhir.resources.R4B import get_fhir_model_class

from installers.database import DatabaseUrls
from server.seed.demo import DemoGroup
from tests.helpers import sql
from tests.server.circulation.conftest import prefixes
from tests.server.clinic import clinic

__all__ = ["clinic", "prefixes"]

FHIR_JSON = "application/fhir+json"


def resource(response: httpx.Response, resource_type: str, status: int = 200) -> Any:
    """The response's body validated as `resource_type` (raises if it is not valid FHIR)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(FHIR_JSON)
    body = response.json()
    assert body["resourceType"] == resource_type, body
    return get_fhir_model_class(resource_type).model_validate(body)


def outcome(response: httpx.Response, status: int) -> Any:
    """An OperationOutcome with `status`, validated."""
    return resource(response, "OperationOutcome", status)


@dataclass
class FhirClient:
    http: httpx.AsyncClient
    headers: dict[str, str]

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.http.get(f"/fhir/{path}", params=params or None, headers=self.headers)

    async def create(self, body: Any, **headers: str) -> httpx.Response:
        content = body if isinstance(body, bytes) else None
        return await self.http.post(
            "/fhir/MedicationRequest", content=content, json=None if content else body,
            headers={**self.headers, "Content-Type": FHIR_JSON, **headers})


async def token_for(http: httpx.AsyncClient, demo: DemoGroup, client_id: str) -> dict[str, str]:
    client = next(c for c in demo.clients if c["client_id"] == client_id)
    response = await http.post("/auth/token", json={"client_id": client_id,
                                                     "client_secret": client["client_secret"]})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
async def his(client: httpx.AsyncClient, demo: DemoGroup) -> FhirClient:
    """The first hospital's HIS."""
    return FhirClient(client, await token_for(client, demo, "his-h1"))


@pytest.fixture
async def regional(client: httpx.AsyncClient, demo: DemoGroup) -> FhirClient:
    """The regional chronic-disease system (of the whole group)."""
    return FhirClient(client, await token_for(client, demo, "regional-chronic"))


@pytest.fixture
def products(db: DatabaseUrls) -> dict[tuple[str, str], str]:
    """Active catalogue products: (generic name, specification) -> id."""
    return {(str(name), str(spec)): str(pid) for pid, name, spec in sql(
        db.owner, "SELECT id, generic_name, specification FROM catalogue_product"
                  " WHERE status = 'active'")}


def staff_id(demo: DemoGroup, username: str) -> str:
    return demo.account(username).id


def patient(demo: DemoGroup, name: str) -> dict[str, str]:
    return next(p for p in demo.patients if p["name"] == name)


def medication_request(*, patient_ref: dict[str, Any], requester: str, product_id: str,
                       dose: str = "1", unit: str = "片", frequency: str = "tid",
                       days: int = 5, diagnosis: tuple[str, str] = ("J02.9", "急性咽炎"),
                       identifier: tuple[str, str] | None = None,
                       **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceType": "MedicationRequest", "status": "active", "intent": "order",
        "subject": patient_ref,
        "requester": {"reference": f"Practitioner/{requester}"},
        "medicationReference": {"reference": f"Medication/{product_id}"},
        "reasonCode": [{"coding": [{"system": "http://hl7.org/fhir/sid/icd-10",
                                    "code": diagnosis[0], "display": diagnosis[1]}]}],
        "dosageInstruction": [{
            "text": "饭后服用",
            "timing": {"code": {"coding": [{
                "system": "https://fhir.rxp.example.cn/CodeSystem/dosing-frequency",
                "code": frequency}]}},
            "route": {"text": "口服"},
            "doseAndRate": [{"doseQuantity": {"value": dose, "unit": unit}}]}],
        "dispenseRequest": {"expectedSupplyDuration": {
            "value": days, "unit": "d", "system": "http://unitsofmeasure.org", "code": "d"}},
        **extra,
    }
    if identifier:
        body["identifier"] = [{"system": identifier[0], "value": identifier[1]}]
    return body
