"""Circulation through the HTTP API: a patient identified at a kiosk by card, a pharmacy's
staff, the sandbox payment gateway and the simulated carrier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from installers.database import DatabaseUrls
from server.circulation.seed import domestic_code
from tests.helpers import sql
from tests.server.clinic import Actor, Clinic, approved, clinic

__all__ = ["clinic"]


@dataclass
class PatientActor:
    client: httpx.AsyncClient
    headers: dict[str, str]
    patient_id: str

    async def call(self, method: str, url: str, **kw: Any) -> httpx.Response:
        return await self.client.request(method, url, headers=self.headers, **kw)


async def at_kiosk(clinic: Clinic, name: str) -> PatientActor:
    """The patient inserts their insurance card at the hospital's kiosk."""
    kiosk = next(c for c in clinic.demo.clients if c["kind"] == "kiosk")
    token = await clinic.client.post("/auth/token", json={
        "client_id": kiosk["client_id"], "client_secret": kiosk["client_secret"]})
    assert token.status_code == 200, token.text
    patient = next(p for p in clinic.demo.patients if p["name"] == name)
    response = await clinic.client.post(
        "/patient-access/card", json={"card_type": "insurance",
                                      "card_number": patient["insurance_card"]},
        headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert response.status_code == 200, response.text
    return PatientActor(clinic.client,
                        {"Authorization": f"Bearer {response.json()['access_token']}"},
                        patient["id"])


@dataclass
class Flow:
    """One prescription on its way: the patient, the store's two staff, the order."""

    clinic: Clinic
    rx: dict[str, Any]
    patient: PatientActor
    staff: Actor
    checker: Actor
    order: dict[str, Any] | None = None

    async def choose(self, pharmacy: str = "P1", mode: str = "store_pickup",
                     **extra: Any) -> httpx.Response:
        body = {"pharmacy_id": self.clinic.demo.organisations[pharmacy], "mode": mode, **extra}
        if mode == "courier" and "address" not in extra:
            body["address"] = {"region_code": "330106", "detail": "文三路 88 号 2 幢 301 室",
                               "recipient": "张伟", "phone": "13857101234"}
        response = await self.patient.call(
            "POST", f"/patient/prescriptions/{self.rx['id']}/order", json=body)
        if response.status_code == 201:
            self.order = response.json()
        return response

    @property
    def order_url(self) -> str:
        assert self.order is not None
        return f"/pharmacy/orders/{self.order['id']}"

    async def accept(self) -> httpx.Response:
        return await self.staff.call("POST", f"{self.order_url}/accept")

    async def detail(self) -> dict[str, Any]:
        response = await self.staff.call("GET", self.order_url)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def scan(self, code: str, **extra: Any) -> httpx.Response:
        return await self.staff.call("POST", f"{self.order_url}/packages",
                                     json={"code": code, **extra})

    async def scan_all(self, prefixes: dict[str, str], *, start: int = 1,
                       batch: str = "B2026001", expiry: str = "2028-06-30") -> list[str]:
        codes = []
        serial = start
        for line in (await self.detail())["lines"]:
            for _ in range(line["quantity"] - line["dispensed"]):
                code = domestic_code(prefixes[line["product_id"]], serial)
                serial += 1
                response = await self.scan(code, line_id=line["id"], batch=batch, expiry=expiry)
                assert response.status_code == 201, response.text
                codes.append(code)
        return codes

    async def complete(self) -> httpx.Response:
        return await self.staff.call("POST", f"{self.order_url}/complete",
                                     json={"checker": self.checker.account.username})


async def flow(clinic: Clinic, *, patient: str = "张伟", query: str = "布洛芬",
               **kw: Any) -> Flow:
    rx = await approved(clinic, patient=patient, query=query, **kw)
    return Flow(clinic, rx, await at_kiosk(clinic, patient),
                await clinic.actor("store_kangning"), await clinic.actor("store_qian"))


@pytest.fixture
def prefixes(db: DatabaseUrls) -> dict[str, str]:
    """Each catalogue product's 7-digit 药品标识码 (to print codes of its packages)."""
    return {str(row[0]): str(row[1]) for row in
            sql(db.owner, "SELECT id, trace_prefix FROM catalogue_product")}
