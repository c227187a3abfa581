"""The FHIR API over the real app: every answer parsed back with `fhir.resources`."""

from __future__ import annotations

from typing import Any

import httpx

from installers.database import DatabaseUrls
from server.fhir import systems
from server.seed.demo import DemoGroup
from tests.helpers import sql
from tests.server.fhir.conftest import (
    FhirClient,
    medication_request,
    outcome,
    patient,
    resource,
    staff_id,
)

IBUPROFEN = ("布洛芬缓释胶囊", "0.3g")
METFORMIN = ("盐酸二甲双胍片", "0.5g")
AMOXICILLIN = ("阿莫西林胶囊", "0.25g")
HIS_ORDERS = "urn:oid:2.16.156.99999.1.1.H1.orders"


def product(products: dict[tuple[str, str], str], wanted: tuple[str, str]) -> str:
    return products[wanted]


def count_prescriptions(db: DatabaseUrls) -> int:
    return int(sql(db.owner, "SELECT count(*) FROM prescription")[0][0])


class TestCapabilities:
    async def test_metadata_lists_what_is_served(self, client: httpx.AsyncClient) -> None:
        statement = resource(await client.get("/fhir/metadata"), "CapabilityStatement")
        assert statement.fhirVersion == "4.0.1"
        served = {r.type: r for r in statement.rest[0].resource}
        assert set(served) == {"Patient", "Practitioner", "Organization", "Medication",
                               "MedicationRequest", "MedicationDispense", "Task", "Provenance",
                               "AuditEvent", "DetectedIssue"}
        assert {i.code for i in served["MedicationRequest"].interaction} == {
            "read", "search-type", "create"}
        assert {p.name for p in served["MedicationRequest"].searchParam} >= {
            "patient", "status", "authoredon", "identifier", "_id"}


class TestErrorsAreOperationOutcomes:
    async def test_without_a_token(self, client: httpx.AsyncClient) -> None:
        found = outcome(await client.get("/fhir/Patient/1"), 401)
        assert found.issue[0].code == "login"

    async def test_a_staff_user_is_not_an_integration_client(
            self, client: httpx.AsyncClient, headers_for: Any) -> None:
        found = outcome(await client.get("/fhir/Organization",
                                         headers=await headers_for("doctor_wang")), 403)
        assert found.issue[0].code == "forbidden"

    async def test_unknown_resource_and_ids(self, his: FhirClient) -> None:
        assert outcome(await his.get("Foo"), 404).issue[0].code == "not-supported"
        assert outcome(await his.get("Foo/1"), 404).issue[0].code == "not-supported"
        missing = outcome(await his.get("Task/00000000-0000-0000-0000-000000000000"), 404)
        assert missing.issue[0].code == "not-found"
        assert outcome(await his.get("MedicationRequest/not-a-request"), 404)
        bad = outcome(await his.get("Patient/" + "x" * 65), 400)
        assert bad.issue[0].expression == ["Patient.id"]
        assert outcome(await his.get("Task/a/b/c"), 404)

    async def test_bad_search_parameters_name_the_parameter(self, his: FhirClient) -> None:
        unknown = outcome(await his.get("Task", colour="red"), 400)
        assert unknown.issue[0].expression == ["colour"]
        assert outcome(await his.get("MedicationRequest", authoredon="yesterday"),
                       400).issue[0].expression == ["authoredon"]
        assert outcome(await his.get("Task", _count="-1"), 400).issue[0].expression == ["_count"]
        lenient = await his.http.get("/fhir/Task", params={"colour": "red"},
                                     headers={**his.headers, "Prefer": "handling=lenient"})
        resource(lenient, "Bundle")

    async def test_malformed_bodies(self, his: FhirClient) -> None:
        broken = outcome(await his.create(b'{"resourceType": "MedicationRequest",'), 400)
        assert broken.issue[0].code == "structure"
        not_object = outcome(await his.create(b"[1, 2]"), 400)
        assert not_object.issue[0].code == "structure"
        wrong_type = outcome(await his.create({"resourceType": "Patient"}), 400)
        assert wrong_type.issue[0].expression == ["MedicationRequest.resourceType"]
        missing = outcome(await his.create({"resourceType": "MedicationRequest",
                                            "status": "active", "intent": "order"}), 400)
        assert "MedicationRequest.subject" in missing.issue[0].expression
        bad_utf8 = outcome(await his.create(b'{"resourceType": "\xff"}'), 400)
        assert bad_utf8.issue
        nul = outcome(await his.create(b'{"resourceType": "MedicationRequest", "x": "\\u0000"}'),
                      422)
        assert nul.issue[0].expression == ["body.x"]

    async def test_writes_other_than_creating_requests_are_refused(self,
                                                                    his: FhirClient) -> None:
        response = await his.http.delete("/fhir/Patient/1", headers=his.headers)
        assert outcome(response, 405).issue[0].code == "not-supported"
        response = await his.http.post("/fhir/Task", headers=his.headers, json={})
        assert outcome(response, 405)


class TestDirectory:
    async def test_patients_by_identifier_are_masked(self, his: FhirClient,
                                                     demo: DemoGroup) -> None:
        zhang = patient(demo, "张伟")  # registered at H1, the HIS's hospital
        found = resource(await his.get(
            "Patient", identifier=f"{systems.ID_NUMBER}|{zhang['id_number']}"), "Bundle")
        assert found.total == 1
        shown = found.entry[0].resource
        assert shown.id == zhang["id"]
        assert shown.name[0].text == "张*"
        number = next(i.value for i in shown.identifier if i.system == systems.ID_NUMBER)
        assert number != zhang["id_number"] and "*" in number
        assert shown.birthDate is None
        # A patient registered at another hospital is not there for this HIS.
        chen = patient(demo, "陈静")  # H2
        other = resource(await his.get(
            "Patient", identifier=f"{systems.ID_NUMBER}|{chen['id_number']}"), "Bundle")
        assert other.total == 0
        assert outcome(await his.get(f"Patient/{chen['id']}"), 404)
        assert resource(await his.get(f"Patient/{zhang['id']}"), "Patient").id == zhang["id"]

    async def test_paging_follows_next_links(self, his: FhirClient) -> None:
        first = resource(await his.get("Medication", _count="7", status="active"), "Bundle")
        assert first.total > 14 and len(first.entry) == 7
        nxt = next(link.url for link in first.link if link.relation == "next")
        second = resource(await his.http.get(nxt, headers=his.headers), "Bundle")
        assert len(second.entry) == 7
        assert not {e.resource.id for e in first.entry} & {e.resource.id for e in second.entry}
        assert any(link.relation == "previous" for link in second.link)
        med = first.entry[0].resource
        code = next(c.code for c in med.code.coding if c.system == systems.INSURANCE_DRUG_CODE)
        by_code = resource(await his.get(
            "Medication", code=f"{systems.INSURANCE_DRUG_CODE}|{code}"), "Bundle")
        assert [e.resource.id for e in by_code.entry] == [med.id]

    async def test_practitioners_and_organisations(self, his: FhirClient,
                                                   demo: DemoGroup) -> None:
        wang = resource(await his.get(f"Practitioner/{staff_id(demo, 'doctor_wang')}"),
                        "Practitioner")
        assert wang.name[0].text == "王建国"
        # A doctor of another hospital is not in this HIS's scope.
        assert outcome(await his.get(f"Practitioner/{staff_id(demo, 'doctor_sun')}"), 404)
        h1 = resource(await his.get(
            "Organization", identifier=f"{systems.ORGANISATION_CODE}|H1"), "Bundle")
        assert h1.total == 1 and h1.entry[0].resource.name == "滨江市第一人民医院"


class TestCreate:
    async def test_create_read_search(self, his: FhirClient, demo: DemoGroup,
                                      products: dict[tuple[str, str], str],
                                      db: DatabaseUrls) -> None:
        li = patient(demo, "李娜")
        body = medication_request(
            patient_ref={"identifier": {"system": systems.HOSPITAL_CARD,
                                        "value": li["hospital_card"]}},
            requester=staff_id(demo, "doctor_wang"),
            product_id=product(products, IBUPROFEN), unit="粒", frequency="bid", days=3,
            identifier=(HIS_ORDERS, "ORD-0001"))
        created = await his.create(body)
        request = resource(created, "MedicationRequest", 201)
        assert created.headers["location"].endswith(f"/fhir/MedicationRequest/{request.id}")
        assert request.status == "draft"  # the doctor signs in the doctor's app
        assert request.subject.reference == f"Patient/{li['id']}"
        assert request.requester.display == "王建国"
        assert request.dispenseRequest.expectedSupplyDuration.value == 3
        assert request.dosageInstruction[0].timing.code.coding[0].code == "bid"
        assert {(i.system, i.value) for i in request.identifier} >= {(HIS_ORDERS, "ORD-0001")}
        number = request.groupIdentifier.value
        assert number.startswith("RX")

        read = resource(await his.get(f"MedicationRequest/{request.id}"), "MedicationRequest")
        assert read.id == request.id
        task = resource(await his.get(f"Task/{request.id.rsplit('-', 1)[0]}"), "Task")
        assert task.status == "draft" and task.businessStatus.coding[0].code == "draft"

        for params in ({"patient": f"Patient/{li['id']}"}, {"status": "draft"},
                       {"identifier": f"{HIS_ORDERS}|ORD-0001"},
                       {"identifier": f"{systems.PRESCRIPTION_NUMBER}|{number}"},
                       {"identifier": "ORD-0001"},
                       {"authoredon": f"ge{read.authoredOn.isoformat()[:10]}",
                        "patient": li["id"]}):
            found = resource(await his.get("MedicationRequest", **params), "Bundle")
            assert [e.resource.id for e in found.entry] == [request.id], params
        for params in ({"status": "active", "patient": li["id"]},
                       {"identifier": f"{HIS_ORDERS}|ORD-0002"},
                       {"authoredon": "lt2020-01-01"}):
            found = resource(await his.get("MedicationRequest", **params), "Bundle")
            assert found.total == 0, params

        # The prescription itself, as the doctor's app sees it.
        rows = sql(db.owner, "SELECT status, doctor_id::text FROM prescription WHERE number = %s",
                   (number,))
        assert rows == [("draft", staff_id(demo, "doctor_wang"))]

    async def test_if_none_exist_makes_the_create_idempotent(
            self, his: FhirClient, demo: DemoGroup, products: dict[tuple[str, str], str],
            db: DatabaseUrls) -> None:
        body = medication_request(
            patient_ref={"reference": f"Patient/{patient(demo, '张伟')['id']}"},
            requester=staff_id(demo, "doctor_wang"), product_id=product(products, IBUPROFEN),
            unit="粒", identifier=(HIS_ORDERS, "ORD-7"))
        before = count_prescriptions(db)
        condition = {"If-None-Exist": f"identifier={HIS_ORDERS}|ORD-7"}
        first = resource(await his.create(body, **condition), "MedicationRequest", 201)
        again = resource(await his.create(body, **condition), "MedicationRequest", 200)
        assert again.id == first.id
        assert count_prescriptions(db) == before + 1
        # The same identifier without the condition is a conflict, not a second prescription.
        duplicate = outcome(await his.create(body), 409)
        assert duplicate.issue[0].code == "duplicate"
        assert duplicate.issue[0].expression == ["MedicationRequest.identifier"]
        assert count_prescriptions(db) == before + 1
        bad = outcome(await his.create(body, **{"If-None-Exist": "colour=red"}), 400)
        assert bad.issue[0].expression == ["colour"]

    async def test_content_errors_name_the_path(self, his: FhirClient, demo: DemoGroup,
                                                products: dict[tuple[str, str], str]) -> None:
        li = patient(demo, "李娜")
        ok: dict[str, Any] = {"patient_ref": {"reference": f"Patient/{li['id']}"},
                              "requester": staff_id(demo, "doctor_wang"),
                              "product_id": product(products, IBUPROFEN), "unit": "粒"}
        unknown_freq = outcome(await his.create(medication_request(**{**ok, "frequency": "x9"})),
                               400)
        assert unknown_freq.issue[0].expression == ["MedicationRequest.dosageInstruction[0]"
                                                    ".timing.code"]
        no_diagnosis = medication_request(**ok)
        del no_diagnosis["reasonCode"]
        assert outcome(await his.create(no_diagnosis), 400).issue[0].expression == [
            "MedicationRequest.reasonCode"]
        other_hospital = medication_request(**{**ok, "requester": staff_id(demo, "doctor_sun")})
        assert outcome(await his.create(other_hospital), 422).issue[0].expression == [
            "MedicationRequest.requester"]
        not_doctor = medication_request(**{**ok, "requester": staff_id(demo, "pharm_chen")})
        assert outcome(await his.create(not_doctor), 422)
        unknown_drug = medication_request(**{**ok, "product_id": "00000000-0000-0000-0000-"
                                                                 "000000000000"})
        assert outcome(await his.create(unknown_drug), 422).issue[0].expression == [
            "MedicationRequest.medication"]
        wrong_status = medication_request(**ok)
        wrong_status["status"] = "completed"
        assert outcome(await his.create(wrong_status), 422).issue[0].expression == [
            "MedicationRequest.status"]

    async def test_the_doctors_prescribing_rights_hold(
            self, his: FhirClient, demo: DemoGroup, products: dict[tuple[str, str], str],
            db: DatabaseUrls) -> None:
        # Levofloxacin tablets are a restricted-use antibiotic (限制使用级).
        body = medication_request(
            patient_ref={"reference": f"Patient/{patient(demo, '李娜')['id']}"},
            requester=staff_id(demo, "doctor_zhao"),  # a resident: no restricted antibiotics
            product_id=product(products, ("左氧氟沙星片", "0.5g")), frequency="qd")
        before = count_prescriptions(db)
        refused = outcome(await his.create(body), 422)
        assert refused.issue[0].code == "business-rule"
        assert "处方权" in refused.issue[0].diagnostics
        assert count_prescriptions(db) == before


class TestRegional:
    async def test_primary_care_is_limited_to_the_chronic_list(
            self, regional: FhirClient, demo: DemoGroup, products: dict[tuple[str, str], str],
            db: DatabaseUrls) -> None:
        zhou = patient(demo, "周杰")  # registered at the community clinic
        common: dict[str, Any] = {"patient_ref": {"identifier": {"system": systems.ID_NUMBER,
                                                 "value": zhou["id_number"]}},
                  "requester": staff_id(demo, "gp_zhou"), "diagnosis": ("E11.9", "2型糖尿病")}
        created = resource(await regional.create(medication_request(
            **common, product_id=product(products, METFORMIN), days=7)),
            "MedicationRequest", 201)
        assert created.category[0].coding[0].code == "chronic"
        before = count_prescriptions(db)
        refused = outcome(await regional.create(medication_request(
            **common, product_id=product(products, AMOXICILLIN), unit="粒")), 422)
        assert refused.issue[0].code == "business-rule"
        assert "慢病药品目录" in refused.issue[0].diagnostics
        assert refused.issue[0].expression == ["MedicationRequest.medication"]
        assert count_prescriptions(db) == before

    async def test_only_for_primary_care_doctors(
            self, regional: FhirClient, demo: DemoGroup,
            products: dict[tuple[str, str], str]) -> None:
        refused = outcome(await regional.create(medication_request(
            patient_ref={"reference": f"Patient/{patient(demo, '张伟')['id']}"},
            requester=staff_id(demo, "doctor_wang"),
            product_id=product(products, METFORMIN))), 403)
        assert refused.issue[0].expression == ["MedicationRequest.requester"]
