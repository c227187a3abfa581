"""The code on the prescription slip: printed for the doctor (the same code when reprinted),
good once for that one prescription, dead with the prescription."""

from __future__ import annotations

import re
from datetime import datetime

from server.patient_access.codes import SLIP_ALPHABET
from tests.helpers import audit_rows, sql
from tests.server.clinic import draft, line
from tests.server.notifications.conftest import audit, blob
from tests.server.patient_access.conftest import bearer, submitted_prescription


async def slip_of(actor, rx):
    r = await actor.call("GET", f"/prescriptions/{rx['id']}/slip")
    assert r.status_code == 200, r.text
    return r.json()


async def redeem(client, code):
    return await client.post("/patient-access/slip", json={"code": code})


class TestPrinting:
    async def test_the_doctor_gets_a_code_and_the_same_one_on_reprint(self, clinic, db):
        rx = await submitted_prescription(clinic)
        doctor = await clinic.actor("doctor_wang")
        slip = await slip_of(doctor, rx)
        assert re.fullmatch(f"[{SLIP_ALPHABET}]{{10}}", slip["code"])
        assert slip["qr_payload"] == f"RXP1:{slip['code']}"
        assert slip["number"] == rx["number"]
        assert datetime.fromisoformat(slip["expires_at"]) == datetime.fromisoformat(
            rx["expires_at"])  # valid as long as the prescription
        assert (await slip_of(doctor, rx))["code"] == slip["code"]
        [(stored,)] = sql(db.owner, "SELECT code_enc FROM prescription_slip_code")
        assert slip["code"].encode() not in blob(stored)
        events = audit_rows(db.owner, "action = 'prescription.slip_code'")
        assert len(events) == 2 and slip["code"] not in str(events)

    async def test_a_doctor_of_another_hospital_cannot_print_it(self, clinic):
        rx = await submitted_prescription(clinic)
        other = await clinic.actor("doctor_sun")  # H2
        r = await other.call("GET", f"/prescriptions/{rx['id']}/slip")
        assert r.status_code == 404

    async def test_a_draft_has_no_slip(self, clinic):
        doctor = await clinic.actor("doctor_wang")
        product = await clinic.product(doctor, "布洛芬")
        created = await doctor.call("POST", "/prescriptions",
                                    json=draft(clinic.patient("李娜"), line(product)))
        r = await doctor.call("GET", f"/prescriptions/{created.json()['id']}/slip")
        assert r.status_code == 409 and r.json()["error"] == "SlipNotIssuable"


class TestRedeeming:
    async def test_gives_a_token_for_that_prescription_only(self, clinic, client, li_na):
        rx = await submitted_prescription(clinic)
        slip = await slip_of(await clinic.actor("doctor_wang"), rx)
        r = await redeem(client, slip["code"].lower())
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["method"] == "slip" and body["prescription_ids"] == [rx["id"]]
        me = await client.get("/patient/me", headers=bearer(body["access_token"]))
        assert me.json()["patient_id"] == li_na["id"]
        assert me.json()["prescription_ids"] == [rx["id"]]

    async def test_the_qr_payload_is_accepted(self, clinic, client):
        rx = await submitted_prescription(clinic)
        slip = await slip_of(await clinic.actor("doctor_wang"), rx)
        r = await redeem(client, slip["qr_payload"])
        assert r.status_code == 200, r.text

    async def test_a_second_use_is_refused_and_audited(self, clinic, client, db):
        rx = await submitted_prescription(clinic)
        slip = await slip_of(await clinic.actor("doctor_wang"), rx)
        assert (await redeem(client, slip["code"])).status_code == 200
        again = await redeem(client, slip["qr_payload"])
        assert again.status_code == 409
        assert again.json()["error"] == "SlipCodeUsed" and "已使用" in again.json()["detail"]
        [event] = audit(db, "action = 'patient_access.slip' AND summary->>'reason' = 'reused'")
        assert event["outcome"] == "failure" and event["summary"]["number"] == rx["number"]
        # Reprinting after use gives a fresh code that works.
        fresh = await slip_of(await clinic.actor("doctor_wang"), rx)
        assert fresh["code"] != slip["code"]
        assert (await redeem(client, fresh["code"])).status_code == 200

    async def test_expired_with_the_prescription(self, clinic, client, clock):
        rx = await submitted_prescription(clinic)
        slip = await slip_of(await clinic.actor("doctor_wang"), rx)
        clock.advance(days=2)
        r = await redeem(client, slip["code"])
        assert r.status_code == 410
        assert r.json()["error"] == "SlipCodeExpired" and "有效期" in r.json()["detail"]

    async def test_dead_with_a_voided_prescription(self, clinic, client):
        rx = await submitted_prescription(clinic)
        doctor = await clinic.actor("doctor_wang")
        slip = await slip_of(doctor, rx)
        void = await doctor.call("POST", f"/prescriptions/{rx['id']}/void",
                                 json={"version": rx["version"], "reason": "患者要求取消"})
        assert void.status_code == 200, void.text
        r = await redeem(client, slip["code"])
        assert r.status_code == 410 and r.json()["detail"] == "处方已作废，取药码已失效"

    async def test_unknown_and_malformed_codes(self, client):
        unknown = await redeem(client, "ABCDEFGHJK")
        assert unknown.status_code == 404 and unknown.json()["error"] == "SlipCodeInvalid"
        malformed = await redeem(client, "O0I1")
        assert malformed.status_code == 422
        assert malformed.json()["fields"][0]["field"] == "code"
