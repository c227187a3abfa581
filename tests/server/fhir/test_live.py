"""The FHIR API through a real uvicorn server and a real socket."""

from __future__ import annotations

import httpx
import pytest

from server.fhir import systems
from server.seed.demo import DemoGroup
from tests.clients import ServerThread, clock, live_server, settings
from tests.server.fhir.conftest import medication_request, outcome, patient, resource, staff_id

__all__ = ["clock", "live_server", "settings"]


@pytest.mark.slow
def test_create_and_search_over_a_socket(live_server: ServerThread, demo: DemoGroup,
                                         products: dict[tuple[str, str], str]) -> None:
    client = next(c for c in demo.clients if c["client_id"] == "his-h1")
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        token = http.post("/auth/token", json={"client_id": client["client_id"],
                                                "client_secret": client["client_secret"]})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        statement = resource(http.get("/fhir/metadata"), "CapabilityStatement")
        assert statement.implementation.url == f"{live_server.url}/fhir/"
        ibuprofen = products[("布洛芬缓释胶囊", "0.3g")]
        medication = resource(http.get(f"/fhir/Medication/{ibuprofen}", headers=headers),
                              "Medication")
        zhang = patient(demo, "张伟")
        body = medication_request(
            patient_ref={"reference": f"Patient/{zhang['id']}"},
            requester=staff_id(demo, "doctor_li"), product_id=medication.id, unit="粒",
            identifier=("urn:oid:2.16.156.99999.1.1.H1.orders", "LIVE-1"))
        headers_json = {**headers, "Content-Type": "application/fhir+json",
                        "If-None-Exist": "identifier=urn:oid:2.16.156.99999.1.1.H1.orders|LIVE-1"}
        created = http.post("/fhir/MedicationRequest", json=body, headers=headers_json)
        request = resource(created, "MedicationRequest", 201)
        again = resource(http.post("/fhir/MedicationRequest", json=body, headers=headers_json),
                         "MedicationRequest", 200)
        assert again.id == request.id
        found = resource(http.get("/fhir/MedicationRequest", params={
            "identifier": f"{systems.PRESCRIPTION_NUMBER}|{request.groupIdentifier.value}"},
            headers=headers), "Bundle")
        assert [e.resource.id for e in found.entry] == [request.id]
        assert outcome(http.get("/fhir/Nothing", headers=headers), 404)
        assert outcome(http.post("/fhir/MedicationRequest", content=b"{oops",
                                 headers=headers_json), 400)
