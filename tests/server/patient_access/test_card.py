"""A kiosk identifies a patient by the insurance or visit card it reads; nobody else may."""

from __future__ import annotations

from tests.server.notifications.conftest import audit, demo_patient
from tests.server.patient_access.conftest import bearer, client_headers


async def card(client, headers, card_number, card_type="insurance"):
    return await client.post("/patient-access/card", headers=headers,
                             json={"card_type": card_type, "card_number": card_number})


class TestCardAtAKiosk:
    async def test_insurance_card_gives_a_patient_token(self, client, demo, li_na, db):
        kiosk = await client_headers(client, demo, "kiosk-h1-01")
        r = await card(client, kiosk, li_na["insurance_card"])
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["method"] == "card" and body["patient_name"] == "李*"
        assert body["prescription_ids"] is None and body["expires_in"] == 15 * 60
        me = await client.get("/patient/me", headers=bearer(body["access_token"]))
        assert me.status_code == 200, me.text
        assert me.json()["patient_id"] == li_na["id"] and me.json()["method"] == "card"
        [event] = audit(db, "action = 'patient_access.card'")
        assert event["actor_kind"] == "client" and event["outcome"] == "success"
        assert event["entity_id"] == li_na["id"]
        assert event["summary"]["kiosk"] == "kiosk-h1-01"
        assert li_na["insurance_card"] not in str(event["summary"])

    async def test_visit_card_of_another_hospital_of_the_group(self, client, demo):
        chen = demo_patient(demo, "陈静")  # registered at H2; the kiosk stands in H1
        kiosk = await client_headers(client, demo, "kiosk-h1-01")
        r = await card(client, kiosk, chen["hospital_card"].lower(), card_type="hospital")
        assert r.status_code == 200, r.text
        assert r.json()["patient_name"] == "陈*"

    async def test_a_card_of_the_other_kind_is_not_found(self, client, demo, li_na):
        kiosk = await client_headers(client, demo, "kiosk-h1-01")
        r = await card(client, kiosk, li_na["insurance_card"], card_type="hospital")
        assert r.status_code == 404

    async def test_unknown_card_says_so_in_chinese_and_nothing_more(self, client, demo, db):
        kiosk = await client_headers(client, demo, "kiosk-h1-01")
        r = await card(client, kiosk, "3301999900000001")
        assert r.status_code == 404
        body = r.json()
        assert body["error"] == "PatientNotFound"
        assert body["detail"] == "未找到该卡对应的患者信息，请到人工窗口办理"
        assert set(body) == {"error", "detail", "field", "fields"}
        [event] = audit(db, "action = 'patient_access.card'")
        assert event["outcome"] == "failure" and event["status_code"] == 404
        assert event["summary"]["card"] == "33**********0001"

    async def test_malformed_card_number_names_the_field(self, client, demo):
        kiosk = await client_headers(client, demo, "kiosk-h1-01")
        r = await card(client, kiosk, "12-?")
        assert r.status_code == 422
        assert r.json()["fields"][0]["field"] == "card_number"


class TestOnlyAKiosk:
    async def test_a_staff_user_is_refused(self, client, headers_for, li_na):
        r = await card(client, await headers_for("doctor_wang"), li_na["insurance_card"])
        assert r.status_code == 403

    async def test_another_integration_client_is_refused(self, client, demo, li_na):
        his = await client_headers(client, demo, "his-h1")
        r = await card(client, his, li_na["insurance_card"])
        assert r.status_code == 403

    async def test_without_a_token(self, client, li_na):
        assert (await card(client, {}, li_na["insurance_card"])).status_code == 401

    async def test_a_kiosk_cannot_search_or_read_patient_records(self, client, demo, li_na):
        kiosk = await client_headers(client, demo, "kiosk-h1-01")
        found = await client.get("/patients", headers=kiosk,
                                 params={"insurance_card": li_na["insurance_card"]})
        assert found.status_code == 403
        assert (await client.get(f"/patients/{li_na['id']}", headers=kiosk)).status_code == 403
