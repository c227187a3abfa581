"""The HIS following a prescription through circulation over FHIR: Task with the business
status, the dispensed packages by traceability code, the signatures, checks and audit."""

from __future__ import annotations

from server.fhir import systems
from tests.server.circulation.conftest import flow
from tests.server.clinic import Clinic
from tests.server.fhir.conftest import FhirClient, outcome, resource


async def test_the_his_follows_circulation(clinic: Clinic, prefixes: dict[str, str],
                                           his: FhirClient, regional: FhirClient) -> None:
    # 刘洋 takes warfarin: ibuprofen with it is an interaction the doctor overrides.
    f = await flow(clinic, patient="刘洋", query="布洛芬")
    rx_id = f.rx["id"]
    task = resource(await his.get(f"Task/{rx_id}"), "Task")
    assert task.status == "ready"
    assert task.businessStatus.coding[0].code in ("approved", "awaiting_patient_choice")
    assert task.identifier[0].value == f.rx["number"]

    assert (await f.choose(mode="store_pickup")).status_code == 201
    assert (await f.accept()).status_code == 200
    codes = await f.scan_all(prefixes)
    assert (await f.complete()).status_code == 200

    task = resource(await his.get(f"Task/{rx_id}"), "Task")
    assert task.status == "in-progress"
    facing = {c.system: c.code for c in task.businessStatus.coding}
    assert facing[systems.PRESCRIPTION_STATUS] == "ready_for_pickup"
    assert facing[systems.PATIENT_FACING_STATUS] == "Ready to Collect"
    assert task.owner.reference == f"Organization/{clinic.demo.organisations['P1']}"
    assert resource(await his.get("Task", **{"business-status": "ready_for_pickup",
                                             "_id": rx_id}), "Bundle").total == 1

    dispensed = resource(await his.get("MedicationDispense", prescription=f"{rx_id}-1"),
                         "Bundle")
    assert dispensed.total == len(codes)
    traced = {d.resource.identifier[0].value for d in dispensed.entry}
    assert traced == set(codes)
    first = dispensed.entry[0].resource
    assert first.contained[0].batch.lotNumber == "B2026001"
    assert first.authorizingPrescription[0].reference == f"MedicationRequest/{rx_id}-1"
    by_code = resource(await his.get("MedicationDispense",
                                     identifier=f"{systems.TRACE_CODE}|{codes[0]}"), "Bundle")
    assert by_code.total == 1

    signatures = resource(await his.get("Provenance", target=f"Task/{rx_id}"), "Bundle")
    kinds = {e.resource.id.split("-")[0] for e in signatures.entry}
    assert kinds == {"rx", "review"}
    doctor = next(e.resource for e in signatures.entry if e.resource.id.startswith("rx-"))
    assert doctor.signature[0].who.display == "王建国"
    assert doctor.signature[0].data and doctor.signature[0].sigFormat.startswith(
        "application/x-sm2")

    issues = resource(await his.get("DetectedIssue", implicated=f"MedicationRequest/{rx_id}-1"),
                      "Bundle")
    assert issues.total >= 1
    assert any("华法林" in e.resource.detail for e in issues.entry)
    overridden = [e.resource for e in issues.entry if e.resource.mitigation
                  and any("继续开具" in (m.action.text or "") for m in e.resource.mitigation)]
    assert overridden and overridden[0].severity in ("high", "moderate", "low")
    request = resource(await his.get(f"MedicationRequest/{rx_id}-1"), "MedicationRequest")
    assert request.status == "active"
    assert {r.reference for r in request.detectedIssue} >= {
        f"DetectedIssue/{e.resource.id}" for e in issues.entry}

    audit = resource(await his.get("AuditEvent", entity=f"Task/{rx_id}", _count="100"),
                     "Bundle")
    actions = {e.resource.subtype[0].code for e in audit.entry}
    assert {"prescription.create_draft", "prescription.submit"} <= actions

    # The other hospital's HIS sees none of it.
    other = await clinic.client.post("/auth/token", json={
        "client_id": "his-h2", "client_secret": next(
            c["client_secret"] for c in clinic.demo.clients if c["client_id"] == "his-h2")})
    h2 = FhirClient(his.http, {"Authorization": f"Bearer {other.json()['access_token']}"})
    assert outcome(await h2.get(f"Task/{rx_id}"), 404)
    assert resource(await h2.get("MedicationDispense", prescription=f"{rx_id}-1"),
                    "Bundle").total == 0
    # The regional system (the whole group) does.
    assert resource(await regional.get(f"Task/{rx_id}"), "Task").id == rx_id


async def test_a_dispensed_courier_order_reads_ready_to_dispatch(
        clinic: Clinic, prefixes: dict[str, str], his: FhirClient) -> None:
    f = await flow(clinic)
    assert (await f.choose(mode="courier")).status_code == 201
    assert (await f.accept()).status_code == 200
    await f.scan_all(prefixes)
    assert (await f.complete()).status_code == 200
    task = resource(await his.get(f"Task/{f.rx['id']}"), "Task")
    facing = {c.system: c.code for c in task.businessStatus.coding}
    assert facing[systems.PRESCRIPTION_STATUS] == "dispensing"
    assert facing[systems.PATIENT_FACING_STATUS] == "Ready to Dispatch"
