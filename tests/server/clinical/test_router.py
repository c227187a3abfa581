"""Patients' diagnoses, allergies and medication over HTTP, and the doctor's one-call context."""

from __future__ import annotations

from datetime import timedelta

import psycopg
from sqlalchemy import text

from tests.helpers import libpq_url
from tests.server.clinical.conftest import (
    DOCTOR,
    OTHER_HOSPITAL_DOCTOR,
    PHARMACIST,
    STORE,
    created,
    patient_id,
    product_id,
)

ZHANG = "张伟"  # H1, born 1956
CHEN = "陈静"  # registered at H2


def base(demo, name=ZHANG) -> str:
    return f"/patients/{patient_id(demo, name)}"


class TestDiagnoses:
    async def test_add_list_and_end(self, client, headers_for, demo):
        headers = await headers_for(DOCTOR)
        diagnosis = await created(await client.post(
            f"{base(demo)}/diagnoses", json={"icd10": "i10.x00 ", "name": "原发性高血压"},
            headers=headers))
        assert diagnosis["icd10"] == "I10.X00" and diagnosis["active"] is True
        assert diagnosis["source"] == "doctor" and diagnosis["recorded_by"] == "王建国"

        listed = (await client.get(f"{base(demo)}/diagnoses", headers=headers)).json()["items"]
        assert [d["id"] for d in listed] == [diagnosis["id"]]

        ended = await client.post(f"{base(demo)}/diagnoses/{diagnosis['id']}/end",
                                  json={"version": diagnosis["version"]}, headers=headers)
        assert ended.status_code == 200, ended.text
        assert ended.json()["active"] is False and ended.json()["resolved_at"]
        current = (await client.get(f"{base(demo)}/diagnoses", headers=headers)).json()
        assert current["items"] == []
        history = (await client.get(f"{base(demo)}/diagnoses", params={"include_resolved": True},
                                    headers=headers)).json()
        assert len(history["items"]) == 1

    async def test_the_same_active_diagnosis_twice_is_a_conflict(self, client, headers_for, demo):
        headers = await headers_for(DOCTOR)
        body = {"icd10": "E11.9", "name": "2型糖尿病"}
        first = await created(await client.post(f"{base(demo)}/diagnoses", json=body,
                                                headers=headers))
        second = await client.post(f"{base(demo)}/diagnoses", json=body, headers=headers)
        assert second.status_code == 409
        assert second.json()["diagnosis_id"] == first["id"]

    async def test_a_malformed_code_is_refused(self, client, headers_for, demo):
        response = await client.post(f"{base(demo)}/diagnoses",
                                     json={"icd10": "高血压", "name": "高血压"},
                                     headers=await headers_for(DOCTOR))
        assert response.status_code == 422
        assert "ICD-10" in response.json()["detail"]

    async def test_ending_with_a_stale_version_is_a_conflict(self, client, headers_for, demo):
        headers = await headers_for(DOCTOR)
        diagnosis = await created(await client.post(
            f"{base(demo)}/diagnoses", json={"icd10": "J45.9", "name": "哮喘"}, headers=headers))
        url = f"{base(demo)}/diagnoses/{diagnosis['id']}/end"
        assert (await client.post(url, json={"version": 1}, headers=headers)).status_code == 200
        again = await client.post(url, json={"version": 1}, headers=headers)
        assert again.status_code == 409 and again.json()["error"] == "VersionConflict"
        ended = await client.post(url, json={"version": 2}, headers=headers)
        assert ended.status_code == 409 and ended.json()["detail"] == "该诊断已结束"


class TestAllergies:
    async def test_by_class(self, client, headers_for, demo):
        allergy = await created(await client.post(
            f"{base(demo)}/allergies",
            json={"allergen_class": "penicillins", "reaction": "皮疹", "severity": "moderate"},
            headers=await headers_for(DOCTOR)))
        assert allergy["allergen"] == "青霉素类"
        assert allergy["allergen_class_label"] == "青霉素类"
        assert allergy["severity"] == "moderate" and allergy["active"] is True

    async def test_by_name_the_class_is_found(self, client, headers_for, demo):
        allergy = await created(await client.post(
            f"{base(demo)}/allergies", json={"allergen": "阿莫西林", "reaction": "荨麻疹"},
            headers=await headers_for(DOCTOR)))
        assert allergy["allergen"] == "阿莫西林" and allergy["allergen_class"] == "penicillins"

    async def test_a_non_drug_allergen_has_no_class(self, client, headers_for, demo):
        allergy = await created(await client.post(
            f"{base(demo)}/allergies", json={"allergen": "花粉"},
            headers=await headers_for(DOCTOR)))
        assert allergy["allergen_class"] is None and allergy["severity"] == "unknown"

    async def test_an_unknown_class_or_nothing_at_all_is_refused(self, client, headers_for, demo):
        headers = await headers_for(DOCTOR)
        unknown = await client.post(f"{base(demo)}/allergies",
                                    json={"allergen_class": "unicorns"}, headers=headers)
        assert unknown.status_code == 422 and unknown.json()["field"] == "allergen_class"
        empty = await client.post(f"{base(demo)}/allergies", json={}, headers=headers)
        assert empty.status_code == 422 and empty.json()["field"] == "allergen"

    async def test_inactivating_needs_a_reason(self, client, headers_for, demo):
        headers = await headers_for(DOCTOR)
        allergy = await created(await client.post(
            f"{base(demo)}/allergies", json={"allergen": "头孢克洛"}, headers=headers))
        url = f"{base(demo)}/allergies/{allergy['id']}/end"
        refused = await client.post(url, json={"version": 1}, headers=headers)
        assert refused.status_code == 422 and refused.json()["field"] == "reason"
        ended = await client.post(url, json={"version": 1, "reason": "皮试阴性，录入错误"},
                                  headers=headers)
        assert ended.status_code == 200
        assert ended.json()["active"] is False
        assert ended.json()["inactivated_reason"] == "皮试阴性，录入错误"
        listed = (await client.get(f"{base(demo)}/allergies", headers=headers)).json()
        assert listed["items"] == []


class TestMedication:
    async def test_from_a_catalogue_product(self, client, headers_for, demo, owner_engine):
        medication = await created(await client.post(
            f"{base(demo)}/medications",
            json={"product_id": product_id(owner_engine, "阿司匹林肠溶片"), "dose": "100mg qd"},
            headers=await headers_for(DOCTOR)))
        assert medication["generic_name"] == "阿司匹林肠溶片"
        assert medication["atc_code"] == "B01AC06"
        assert medication["source"] == "reported" and medication["ended_on"] is None

    async def test_the_atc_code_is_completed_from_the_catalogue(self, client, headers_for, demo):
        medication = await created(await client.post(
            f"{base(demo)}/medications", json={"generic_name": "华法林钠片", "source": "his",
                                               "source_ref": "HIS-YZ-0001"},
            headers=await headers_for(DOCTOR)))
        assert medication["atc_code"] == "B01AA03" and medication["source"] == "his"

    async def test_the_same_source_order_twice_is_a_conflict(self, client, headers_for, demo):
        headers = await headers_for(DOCTOR)
        body = {"generic_name": "华法林钠片", "source": "his", "source_ref": "HIS-YZ-0002"}
        await created(await client.post(f"{base(demo)}/medications", json=body, headers=headers))
        again = await client.post(f"{base(demo)}/medications", json=body, headers=headers)
        assert again.status_code == 409 and again.json()["field"] == "source_ref"

    async def test_ending_moves_it_to_the_past(self, client, headers_for, demo, clock):
        headers = await headers_for(DOCTOR)
        url = f"{base(demo)}/medications"
        medication = await created(await client.post(
            url, json={"generic_name": "辛伐他汀片", "started_on": "2025-01-01"},
            headers=headers))
        ended = await client.post(f"{url}/{medication['id']}/end",
                                  json={"version": 1, "ended_on": "2025-06-30"}, headers=headers)
        assert ended.status_code == 200, ended.text
        current = (await client.get(url, params={"status": "current"}, headers=headers)).json()
        past = (await client.get(url, params={"status": "past"}, headers=headers)).json()
        assert current["items"] == []
        assert [m["generic_name"] for m in past["items"]] == ["辛伐他汀片"]

    async def test_an_end_before_the_start_is_refused(self, client, headers_for, demo):
        response = await client.post(
            f"{base(demo)}/medications",
            json={"generic_name": "辛伐他汀片", "started_on": "2025-03-01",
                  "ended_on": "2025-02-01"}, headers=await headers_for(DOCTOR))
        assert response.status_code == 422 and response.json()["field"] == "ended_on"


class TestContext:
    async def test_one_call_gives_the_masked_patient_and_the_record(self, client, headers_for,
                                                                     demo, clock):
        headers = await headers_for(DOCTOR)
        url = base(demo)
        await created(await client.post(f"{url}/diagnoses",
                                        json={"icd10": "I10", "name": "高血压"}, headers=headers))
        await created(await client.post(f"{url}/allergies",
                                        json={"allergen_class": "penicillins"}, headers=headers))
        await created(await client.post(f"{url}/medications",
                                        json={"generic_name": "苯磺酸氨氯地平片"}, headers=headers))
        today = clock.now().date()
        for days_ago in (30, 10):
            await created(await client.post(f"{url}/medications", json={
                "generic_name": f"测试药{days_ago}", "started_on": str(today - timedelta(100)),
                "ended_on": str(today - timedelta(days_ago))}, headers=headers))

        response = await client.get(f"{url}/context", params={"past_limit": 1}, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        patient = body["patient"]
        assert patient["view"] == "masked" and patient["name"] == ZHANG
        assert "*" in patient["id_number"] and patient["age"] >= 69
        assert [d["icd10"] for d in body["diagnoses"]] == ["I10"]
        assert [a["allergen_class_label"] for a in body["allergies"]] == ["青霉素类"]
        assert [m["generic_name"] for m in body["current_medications"]] == ["苯磺酸氨氯地平片"]
        assert [m["generic_name"] for m in body["past_medications"]] == ["测试药10"]

    async def test_a_pharmacist_reads_it(self, client, headers_for, demo):
        response = await client.get(f"{base(demo)}/context", headers=await headers_for(PHARMACIST))
        assert response.status_code == 200
        assert response.json()["patient"]["name"] != ZHANG  # masked for a pharmacist


class TestAccess:
    async def test_a_pharmacist_may_read_but_not_write(self, client, headers_for, demo):
        headers = await headers_for(PHARMACIST)
        assert (await client.get(f"{base(demo)}/allergies", headers=headers)).status_code == 200
        response = await client.post(f"{base(demo)}/allergies", json={"allergen": "青霉素"},
                                     headers=headers)
        assert response.status_code == 403

    async def test_a_pharmacy_reads_nothing(self, client, headers_for, demo):
        response = await client.get(f"{base(demo)}/context", headers=await headers_for(STORE))
        assert response.status_code == 403

    async def test_another_hospitals_patient_is_not_found(self, client, headers_for, demo):
        headers = await headers_for(DOCTOR)
        assert (await client.get(f"{base(demo, CHEN)}/context",
                                 headers=headers)).status_code == 404
        response = await client.post(f"{base(demo, CHEN)}/diagnoses",
                                     json={"icd10": "I10", "name": "高血压"}, headers=headers)
        assert response.status_code == 404

    async def test_rows_carry_the_patients_organisation_and_row_security_applies(
            self, client, headers_for, demo, db, owner_engine):
        allergy = await created(await client.post(f"{base(demo)}/allergies",
                                                  json={"allergen": "青霉素"},
                                                  headers=await headers_for(DOCTOR)))
        with owner_engine.connect() as conn:
            org = conn.execute(text("SELECT org_id FROM patient_allergy WHERE id = :id"),
                               {"id": allergy["id"]}).scalar_one()
        assert str(org) == demo.organisations["H1"]
        with psycopg.connect(libpq_url(db.app)) as conn:
            def visible(orgs: str) -> int:
                conn.execute("SELECT set_config('rxp.visible_orgs', %s, false)", (orgs,))
                row = conn.execute("SELECT count(*) FROM patient_allergy WHERE id = %s",
                                   (allergy["id"],)).fetchone()
                return int(row[0]) if row else -1

            assert visible(demo.organisations["H2"]) == 0
            assert visible(demo.organisations["H1"]) == 1
            assert visible("") == 0

    async def test_another_hospitals_doctor_does_not_see_the_record(self, client, headers_for,
                                                                     demo):
        await created(await client.post(f"{base(demo)}/diagnoses",
                                        json={"icd10": "I10", "name": "高血压"},
                                        headers=await headers_for(DOCTOR)))
        response = await client.get(f"{base(demo)}/diagnoses",
                                    headers=await headers_for(OTHER_HOSPITAL_DOCTOR))
        assert response.status_code == 404

    async def test_changes_are_audited(self, client, headers_for, demo, owner_engine):
        allergy = await created(await client.post(f"{base(demo)}/allergies",
                                                  json={"allergen": "青霉素"},
                                                  headers=await headers_for(DOCTOR)))
        with owner_engine.connect() as conn:
            action, summary = conn.execute(text(
                "SELECT action, summary FROM audit_event WHERE entity_id = :id"),
                {"id": allergy["id"]}).one()
        assert action == "clinical.allergy.add"
        assert summary == {"patient_id": patient_id(demo, ZHANG), "source": "doctor"}
