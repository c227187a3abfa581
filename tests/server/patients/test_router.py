"""The patients API over HTTP: registration, search, masked and full views, edits, scope."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from server.personal_data.cipher import FieldCipher
from server.personal_data.id_number import make_id_number
from server.seed.demo import DemoGroup
from tests.server.patients.conftest import (
    NEW_ID_NUMBER,
    NEW_PATIENT,
    HeadersFor,
    audit_events,
    demo_patient,
)


async def register(client: httpx.AsyncClient, headers: dict[str, str],
                   **overrides: Any) -> httpx.Response:
    return await client.post("/patients", json={**NEW_PATIENT, **overrides}, headers=headers)


async def registered(client: httpx.AsyncClient, headers_for: HeadersFor) -> dict[str, Any]:
    response = await register(client, await headers_for("doctor_wang"))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def masked_id(number: str) -> str:
    return number[:3] + "*" * 11 + number[-4:]


def masked_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


def masked_card(card: str) -> str:
    return card[:2] + "*" * (len(card) - 6) + card[-4:]


class TestRegister:
    async def test_answers_201_masked_with_sex_and_birth_date_from_id_number(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, demo: DemoGroup) -> None:
        body = await registered(client, headers_for)
        assert body["view"] == "masked"
        assert body["org_id"] == demo.organisations["H1"]
        assert body["name"] == "欧阳明远"  # a doctor sees the name
        assert body["id_number"] == masked_id(NEW_ID_NUMBER)
        assert body["phone"] == "139****5678"
        assert body["address"] == "北京市朝阳区****"
        assert body["insurance_card"] == masked_card(NEW_PATIENT["insurance_card"])
        assert body["hospital_card"] == "H1****7766"
        assert (body["sex"], body["birth_date"]) == ("male", "1990-03-07")
        assert body["weight_kg"] == "72.5"
        assert body["version"] == 1

    async def test_masked_read_after_registration(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        created = await registered(client, headers_for)
        response = await client.get(f"/patients/{created['id']}",
                                    headers=await headers_for("doctor_wang"))
        assert response.status_code == 200, response.text
        assert response.json() == created

    async def test_stores_identifying_fields_only_encrypted(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, owner_engine: Engine,
            cipher: FieldCipher) -> None:
        created = await registered(client, headers_for)
        with owner_engine.connect() as conn:
            row = conn.execute(text("SELECT * FROM patient WHERE id = :id"),
                               {"id": created["id"]}).mappings().one()
        for field in ("name", "id_number", "phone", "address", "insurance_card",
                      "hospital_card"):
            blob = bytes(row[f"{field}_enc"])
            assert NEW_PATIENT[field].encode() not in blob
            assert cipher.decrypt(blob, context=f"patient.{field}") == NEW_PATIENT[field]
        assert row["key_version"] == cipher.keyring.active_version

    async def test_audit_event_names_fields_not_values(
            self, client: httpx.AsyncClient, headers_for: HeadersFor,
            owner_engine: Engine) -> None:
        created = await registered(client, headers_for)
        [event] = audit_events(owner_engine, "patient.create", created["id"])
        assert event["outcome"] == "success"
        assert "id_number" in event["summary"]["fields"]
        assert NEW_ID_NUMBER not in str(event["summary"])
        assert NEW_PATIENT["phone"] not in str(event["summary"])


class TestInvalidIdNumber:
    @pytest.mark.parametrize(("number", "phrase"), [
        (NEW_ID_NUMBER[:17] + ("0" if NEW_ID_NUMBER[17] != "0" else "1"), "校验码错误"),
        (NEW_ID_NUMBER[:15], "长度应为18位"),
        ("11010519901332123X", "出生日期无效"),
    ])
    async def test_422_names_id_number_in_chinese(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, owner_engine: Engine,
            number: str, phrase: str) -> None:
        response = await register(client, await headers_for("doctor_wang"), id_number=number)
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["field"] == "id_number"
        assert phrase in body["detail"]
        with owner_engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM patient")).scalar_one() == 12

    async def test_bad_mobile_number_names_phone(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        response = await register(client, await headers_for("doctor_wang"), phone="1234567")
        assert response.status_code == 422
        assert response.json()["field"] == "phone"
        assert "手机号码" in response.json()["detail"]

    async def test_man_cannot_be_marked_pregnant(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        response = await register(client, await headers_for("doctor_wang"), pregnant=True)
        assert response.status_code == 422
        assert response.json()["field"] == "pregnant"


class TestDuplicate:
    async def test_same_id_number_in_same_hospital_is_409_pointing_to_the_record(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, demo: DemoGroup) -> None:
        existing = demo_patient(demo, "张伟")
        # Typed with full-width digits (a Chinese input method), it is still the same number.
        full_width = "".join(chr(ord(c) + 0xFEE0) for c in existing["id_number"])
        response = await register(client, await headers_for("doctor_wang"),
                                  id_number=full_width)
        assert response.status_code == 409, response.text
        body = response.json()
        assert (body["error"], body["field"]) == ("Conflict", "id_number")
        assert body["patient_id"] == existing["id"]

    async def test_id_number_registered_at_another_hospital_is_409_without_a_pointer(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, demo: DemoGroup) -> None:
        elsewhere = demo_patient(demo, "张伟")  # registered at H1
        response = await register(client, await headers_for("doctor_sun"),
                                  id_number=elsewhere["id_number"])
        assert response.status_code == 409
        assert response.json()["field"] == "id_number"
        assert "patient_id" not in response.json()

    async def test_duplicate_hospital_card_is_409(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, demo: DemoGroup) -> None:
        response = await register(client, await headers_for("doctor_wang"),
                                  hospital_card=demo_patient(demo, "王芳")["hospital_card"])
        assert response.status_code == 409
        assert response.json()["field"] == "hospital_card"


class TestSearch:
    @pytest.mark.parametrize("field", ["id_number", "phone", "insurance_card", "hospital_card",
                                       "name"])
    async def test_finds_exactly_the_patient(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, demo: DemoGroup,
            field: str) -> None:
        wanted = demo_patient(demo, "李娜")
        response = await client.get("/patients", params={field: wanted[field]},
                                    headers=await headers_for("doctor_wang"))
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["total"] == 1
        assert [p["id"] for p in page["items"]] == [wanted["id"]]
        assert page["items"][0]["id_number"] == masked_id(wanted["id_number"])

    async def test_input_variants_find_the_same_patient(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, demo: DemoGroup) -> None:
        wanted = demo_patient(demo, "李娜")
        spaced = f"{wanted['phone'][:3]} {wanted['phone'][3:7]} {wanted['phone'][7:]}"
        full_width = "".join(chr(ord(c) + 0xFEE0) for c in wanted["id_number"])
        for params in ({"phone": spaced}, {"id_number": full_width}):
            response = await client.get("/patients", params=params,
                                        headers=await headers_for("doctor_wang"))
            assert [p["id"] for p in response.json()["items"]] == [wanted["id"]], params

    async def test_all_criteria_must_match(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, demo: DemoGroup) -> None:
        params = {"id_number": demo_patient(demo, "李娜")["id_number"],
                  "phone": demo_patient(demo, "张伟")["phone"]}
        response = await client.get("/patients", params=params,
                                    headers=await headers_for("doctor_wang"))
        assert response.json()["total"] == 0

    async def test_no_criteria_is_422(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        response = await client.get("/patients", headers=await headers_for("doctor_wang"))
        assert response.status_code == 422
        assert "查询条件" in response.json()["detail"]

    async def test_invalid_id_number_is_422(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        response = await client.get("/patients", params={"id_number": "12345"},
                                    headers=await headers_for("doctor_wang"))
        assert response.status_code == 422
        assert response.json()["field"] == "id_number"

    async def test_same_name_pages(self, client: httpx.AsyncClient, headers_for: HeadersFor,
                                   demo: DemoGroup) -> None:
        headers = await headers_for("doctor_wang")
        # 张伟 is the commonest name in China: a second one is registered.
        namesake = (await register(client, headers, name="张伟")).json()
        ids = set()
        for offset in (0, 1):
            page = (await client.get("/patients", headers=headers,
                                     params={"name": "张伟", "limit": 1, "offset": offset})).json()
            assert (page["total"], len(page["items"])) == (2, 1)
            ids.add(page["items"][0]["id"])
        assert ids == {namesake["id"], demo_patient(demo, "张伟")["id"]}


class TestMaskingPerRole:
    async def view_as(self, client: httpx.AsyncClient, headers_for: HeadersFor,
                      username: str) -> httpx.Response:
        created = await registered(client, headers_for)
        return await client.get(f"/patients/{created['id']}",
                                headers=await headers_for(username))

    async def test_doctor_sees_name_but_masked_identifiers(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        body = (await self.view_as(client, headers_for, "doctor_li")).json()
        assert body["name"] == "欧阳明远"
        assert body["id_number"] == masked_id(NEW_ID_NUMBER)
        assert body["phone"] == "139****5678"
        assert body["address"] == "北京市朝阳区****"
        assert body["birth_date"] == "1990-03-07"

    @pytest.mark.parametrize("username", ["pharm_chen", "auditor", "admin_h1"])
    async def test_other_roles_see_every_identifying_field_masked(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, username: str) -> None:
        response = await self.view_as(client, headers_for, username)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["name"] == "欧***"
        assert body["id_number"] == masked_id(NEW_ID_NUMBER)
        assert body["phone"] == "139****5678"
        assert body["address"] == "北京市朝阳区****"
        assert body["insurance_card"] == masked_card(NEW_PATIENT["insurance_card"])
        assert body["hospital_card"] == "H1****7766"
        for clear in (NEW_PATIENT["name"], NEW_ID_NUMBER, NEW_PATIENT["phone"], "建国路"):
            assert clear not in response.text

    async def test_birth_date_only_for_clinical_roles(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        created = await registered(client, headers_for)
        seen = {}
        for username in ("pharm_chen", "auditor"):
            body = (await client.get(f"/patients/{created['id']}",
                                     headers=await headers_for(username))).json()
            seen[username] = (body["birth_date"], body["age"] is not None)
        assert seen == {"pharm_chen": ("1990-03-07", True), "auditor": (None, True)}


class TestFullView:
    async def test_doctor_gets_clear_record_and_an_audit_event(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, demo: DemoGroup,
            owner_engine: Engine) -> None:
        created = await registered(client, headers_for)
        response = await client.get(f"/patients/{created['id']}/full",
                                    headers=await headers_for("doctor_wang"))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["view"] == "full"
        assert {k: body[k] for k in ("name", "id_number", "phone", "address")} == {
            k: NEW_PATIENT[k] for k in ("name", "id_number", "phone", "address")}
        [event] = audit_events(owner_engine, "patient.read_full", created["id"])
        assert event["outcome"] == "success"
        assert str(event["actor_id"]) == demo.account("doctor_wang").id
        assert set(event["summary"]["fields"]) == {"name", "id_number", "phone", "address",
                                                   "insurance_card", "hospital_card"}
        assert NEW_ID_NUMBER not in str(event["summary"])

    @pytest.mark.parametrize("username", ["pharm_chen", "auditor", "admin_h1"])
    async def test_roles_without_the_permission_get_403_and_the_denial_is_audited(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, demo: DemoGroup,
            owner_engine: Engine, username: str) -> None:
        created = await registered(client, headers_for)
        response = await client.get(f"/patients/{created['id']}/full",
                                    headers=await headers_for(username))
        assert response.status_code == 403
        assert NEW_ID_NUMBER not in response.text
        assert audit_events(owner_engine, "patient.read_full") == []
        with owner_engine.connect() as conn:
            denied = conn.execute(text(
                "SELECT outcome, status_code FROM audit_event WHERE actor_id = :a"
                " AND summary->>'path' = :p"),
                {"a": demo.account(username).id,
                 "p": f"/patients/{created['id']}/full"}).all()
        assert [tuple(r) for r in denied] == [("denied", 403)]


class TestCrossOrganisation:
    async def test_doctor_of_another_hospital_gets_404(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, demo: DemoGroup) -> None:
        h1_patient = demo_patient(demo, "张伟")
        headers = await headers_for("doctor_sun")
        for path in (f"/patients/{h1_patient['id']}", f"/patients/{h1_patient['id']}/full"):
            response = await client.get(path, headers=headers)
            assert response.status_code == 404, path
            assert h1_patient["id_number"][-4:] not in response.text
        patch = await client.patch(f"/patients/{h1_patient['id']}", headers=headers,
                                   json={"version": 1, "weight_kg": "70.0"})
        assert patch.status_code == 404

    async def test_nor_finds_them_by_search(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, demo: DemoGroup) -> None:
        h1_patient = demo_patient(demo, "张伟")
        for field in ("id_number", "phone", "name"):
            response = await client.get("/patients", params={field: h1_patient[field]},
                                        headers=await headers_for("doctor_sun"))
            assert response.status_code == 200
            assert response.json() == {"items": [], "total": 0, "limit": 20, "offset": 0}

    async def test_but_reads_patients_of_their_own_hospital(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, demo: DemoGroup) -> None:
        h2_patient = demo_patient(demo, "陈静")
        response = await client.get(f"/patients/{h2_patient['id']}",
                                    headers=await headers_for("doctor_sun"))
        assert response.status_code == 200
        assert response.json()["name"] == "陈静"

    async def test_cannot_register_at_another_hospital(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, demo: DemoGroup) -> None:
        response = await register(client, await headers_for("doctor_wang"),
                                  org_id=demo.organisations["H2"])
        assert response.status_code == 403
        assert response.json()["field"] == "org_id"

    async def test_group_level_actor_must_name_a_hospital(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, demo: DemoGroup) -> None:
        headers = await headers_for("admin_group")
        assert (await register(client, headers)).status_code == 422
        response = await register(client, headers, org_id=demo.organisations["H2"])
        assert response.status_code == 201, response.text
        assert response.json()["org_id"] == demo.organisations["H2"]


class TestPharmacyStaff:
    async def test_has_no_access_to_patients(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, demo: DemoGroup) -> None:
        headers = await headers_for("store_kangning")
        patient = demo_patient(demo, "张伟")
        answers = [
            await client.get("/patients", params={"id_number": patient["id_number"]},
                             headers=headers),
            await client.get(f"/patients/{patient['id']}", headers=headers),
            await client.get(f"/patients/{patient['id']}/full", headers=headers),
            await register(client, headers),
        ]
        assert [a.status_code for a in answers] == [403, 403, 403, 403]
        assert {a.json()["error"] for a in answers} == {"NotPermitted"}


class TestUpdate:
    async def test_changes_phone_and_search_follows(
            self, client: httpx.AsyncClient, headers_for: HeadersFor,
            owner_engine: Engine) -> None:
        created = await registered(client, headers_for)
        headers = await headers_for("doctor_wang")
        response = await client.patch(f"/patients/{created['id']}", headers=headers,
                                      json={"version": 1, "phone": "13700001111"})
        assert response.status_code == 200, response.text
        assert (response.json()["version"], response.json()["phone"]) == (2, "137****1111")
        found = await client.get("/patients", params={"phone": "13700001111"}, headers=headers)
        gone = await client.get("/patients", params={"phone": NEW_PATIENT["phone"]},
                                headers=headers)
        assert [p["id"] for p in found.json()["items"]] == [created["id"]]
        assert gone.json()["total"] == 0
        [event] = audit_events(owner_engine, "patient.update", created["id"])
        assert event["summary"]["fields"] == ["phone"]
        assert "13700001111" not in str(event["summary"])

    async def test_stale_version_is_409(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        created = await registered(client, headers_for)
        headers = await headers_for("doctor_wang")
        first = await client.patch(f"/patients/{created['id']}", headers=headers,
                                   json={"version": 1, "weight_kg": "73.0"})
        assert first.status_code == 200
        stale = await client.patch(f"/patients/{created['id']}", headers=headers,
                                   json={"version": 1, "weight_kg": "74.0"})
        assert stale.status_code == 409
        assert stale.json()["error"] == "VersionConflict"
        assert stale.json()["current_version"] == 2

    async def test_new_id_number_rederives_sex_and_birth_date(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        created = await registered(client, headers_for)
        woman = make_id_number("110105", date(1991, 4, 8), 124)
        response = await client.patch(f"/patients/{created['id']}",
                                      headers=await headers_for("doctor_wang"),
                                      json={"version": 1, "id_number": woman})
        assert response.status_code == 200, response.text
        assert (response.json()["sex"], response.json()["birth_date"]) == ("female",
                                                                           "1991-04-08")

    async def test_name_cannot_be_cleared(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        created = await registered(client, headers_for)
        response = await client.patch(f"/patients/{created['id']}",
                                      headers=await headers_for("doctor_wang"),
                                      json={"version": 1, "name": None})
        assert response.status_code == 422
        assert response.json()["fields"][0]["field"] == "body.name"

    async def test_duplicate_card_is_409(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, demo: DemoGroup) -> None:
        created = await registered(client, headers_for)
        taken = demo_patient(demo, "张伟")["insurance_card"]
        response = await client.patch(f"/patients/{created['id']}",
                                      headers=await headers_for("doctor_wang"),
                                      json={"version": 1, "insurance_card": taken})
        assert response.status_code == 409
        assert response.json()["field"] == "insurance_card"


class TestMalformedInput:
    @pytest.mark.parametrize(("payload", "fields"), [
        ({}, {"body.name", "body.id_number"}),
        ({**NEW_PATIENT, "name": 123}, {"body.name"}),
        ({**NEW_PATIENT, "weight_kg": "heavy"}, {"body.weight_kg"}),
        ({**NEW_PATIENT, "weight_kg": "72.55"}, {"body.weight_kg"}),
        ({**NEW_PATIENT, "pregnant": "maybe"}, {"body.pregnant"}),
        ({**NEW_PATIENT, "org_id": "H1"}, {"body.org_id"}),
        ({**NEW_PATIENT, "colour": "blue"}, {"body.colour"}),
        ({**NEW_PATIENT, "id_number": ["1"]}, {"body.id_number"}),
        ([NEW_PATIENT], {"body"}),
    ])
    async def test_register_answers_422_with_field_paths(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, payload: Any,
            fields: set[str]) -> None:
        response = await client.post("/patients", json=payload,
                                     headers=await headers_for("doctor_wang"))
        assert response.status_code == 422, response.text
        assert {f["field"] for f in response.json()["fields"]} == fields

    async def test_body_that_is_not_json(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        response = await client.post(
            "/patients", content=b"{not json",
            headers={**await headers_for("doctor_wang"), "Content-Type": "application/json"})
        assert response.status_code == 422
        assert response.json()["error"] == "ValidationFailed"

    @pytest.mark.parametrize("path", ["/patients/not-a-uuid", "/patients/42/full"])
    async def test_non_uuid_ids(self, client: httpx.AsyncClient, headers_for: HeadersFor,
                                path: str) -> None:
        response = await client.get(path, headers=await headers_for("doctor_wang"))
        assert response.status_code == 422
        assert response.json()["fields"][0]["field"] == "path.patient_id"

    @pytest.mark.parametrize(("payload", "field"), [
        ({"weight_kg": "70.0"}, "body.version"),
        ({"version": "first"}, "body.version"),
        ({"version": 0}, "body.version"),
        ({"version": 1, "pregnant": None}, "body.pregnant"),
    ])
    async def test_patch_answers_422_with_field_paths(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, demo: DemoGroup,
            payload: dict[str, Any], field: str) -> None:
        response = await client.patch(f"/patients/{demo_patient(demo, '张伟')['id']}",
                                      json=payload, headers=await headers_for("doctor_wang"))
        assert response.status_code == 422, response.text
        assert [f["field"] for f in response.json()["fields"]] == [field]

    @pytest.mark.parametrize(("params", "field"), [
        ({"name": "张伟", "limit": 0}, "query.limit"),
        ({"name": "张伟", "offset": "x"}, "query.offset"),
        ({"id_number": "1" * 100}, "query.id_number"),
    ])
    async def test_search_answers_422_with_field_paths(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, params: dict[str, Any],
            field: str) -> None:
        response = await client.get("/patients", params=params,
                                    headers=await headers_for("doctor_wang"))
        assert response.status_code == 422
        assert [f["field"] for f in response.json()["fields"]] == [field]
