"""ID number + SMS code: the code goes to the phone on file through the gateway, works once,
expires, is burned after five wrong tries; requests are rate-limited in the database; an ID
number nobody is registered under gets the same answer and no SMS."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest

from server.personal_data.id_number import make_id_number
from tests.helpers import audit_rows, sql
from tests.server.notifications.conftest import audit, blob, gateway_of, outbox
from tests.server.patient_access.conftest import bearer, latest_code

MASKED_PHONE = re.compile(r"1\d\d\*{4}\d{4}")


async def ask(client, id_number):
    return await client.post("/patient-access/sms-codes", json={"id_number": id_number})


async def log_in(client, id_number, code):
    return await client.post("/patient-access/sms-login",
                             json={"id_number": id_number, "code": code})


def unknown_id(seq: int = 1) -> str:
    return make_id_number("110105", date(1990, 1, 1), seq)


class TestCode:
    async def test_sent_to_the_phone_on_file_and_logs_in_once(self, client, app, li_na, db):
        r = await ask(client, li_na["id_number"])
        assert r.status_code == 202, r.text
        assert r.json() == {"phone": "150****3456", "expires_in": 300, "resend_after": 60}
        code = await latest_code(app, li_na["phone"], count=1)
        [stored] = outbox(db)
        assert code not in stored["text"]  # the stored copy of the SMS masks the code

        login = await log_in(client, li_na["id_number"], code)
        assert login.status_code == 200, login.text
        body = login.json()
        assert body["method"] == "sms" and body["patient_name"] == "李*"
        assert body["prescription_ids"] is None
        me = await client.get("/patient/me", headers=bearer(body["access_token"]))
        assert me.json()["method"] == "sms"

        again = await log_in(client, li_na["id_number"], code)
        assert again.status_code == 401 and again.json()["error"] == "SmsCodeInvalid"

        [event] = audit(db, "action = 'patient_access.sms_login' AND outcome = 'success'")
        assert event["actor_kind"] == "patient" and event["actor_id"] == uuid.UUID(li_na["id"])
        assert event["summary"]["id_number"] == li_na["id_number"][:3] + "*" * 11 \
            + li_na["id_number"][-4:]

    async def test_the_code_is_stored_hashed(self, client, app, li_na, db):
        await ask(client, li_na["id_number"])
        code = await latest_code(app, li_na["phone"], count=1)
        [(digest,)] = sql(db.owner, "SELECT code_hash FROM patient_sms_code")
        assert code.encode() not in blob(digest) and len(blob(digest)) == 16

    async def test_an_expired_code_is_refused(self, client, app, li_na, clock):
        await ask(client, li_na["id_number"])
        code = await latest_code(app, li_na["phone"], count=1)
        clock.advance(minutes=5, seconds=1)
        r = await log_in(client, li_na["id_number"], code)
        assert r.status_code == 401
        assert r.json()["error"] == "SmsCodeExpired" and "过期" in r.json()["detail"]

    async def test_five_wrong_attempts_burn_the_code(self, client, app, li_na, db):
        await ask(client, li_na["id_number"])
        code = await latest_code(app, li_na["phone"], count=1)
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        details = []
        for _ in range(5):
            r = await log_in(client, li_na["id_number"], wrong)
            assert r.status_code == 401
            details.append(r.json()["detail"])
        assert details[0] == "验证码错误，还可尝试4次"
        assert details[-1] == "验证码错误，请重新获取"
        r = await log_in(client, li_na["id_number"], code)  # the right one, too late
        assert r.status_code == 401
        [(attempts, burned)] = sql(db.owner, "SELECT attempts, burned_at IS NOT NULL"
                                             " FROM patient_sms_code")
        assert (attempts, burned) == (5, True)
        failures = audit(db, "action = 'patient_access.sms_login'"
                             " AND summary->>'reason' = 'wrong_code'")
        assert len(failures) == 5 and failures[-1]["summary"]["burned"] is True

    async def test_a_resend_replaces_the_previous_code(self, client, app, li_na, clock):
        await ask(client, li_na["id_number"])
        first = await latest_code(app, li_na["phone"], count=1)
        clock.advance(seconds=61)
        await ask(client, li_na["id_number"])
        second = await latest_code(app, li_na["phone"], count=2)
        if first != second:
            assert (await log_in(client, li_na["id_number"], first)).status_code == 401
        assert (await log_in(client, li_na["id_number"], second)).status_code == 200


class TestUnknownIdNumber:
    async def test_same_answer_and_no_sms(self, client, app, db, clock):
        number = unknown_id()
        r = await ask(client, number)
        assert r.status_code == 202
        body = r.json()
        assert set(body) == {"phone", "expires_in", "resend_after"}
        assert MASKED_PHONE.fullmatch(body["phone"])
        assert (body["expires_in"], body["resend_after"]) == (300, 60)
        clock.advance(seconds=61)
        assert (await ask(client, number)).json() == body  # the same decoy every time
        assert outbox(db) == [] and gateway_of(app).sent == []
        login = await log_in(client, number, "123456")
        assert login.status_code == 401 and login.json()["error"] == "SmsCodeInvalid"

    async def test_unknown_numbers_count_against_the_same_limits(self, client):
        number = unknown_id(3)
        assert (await ask(client, number)).status_code == 202
        assert (await ask(client, number)).status_code == 429


class TestValidation:
    async def test_a_wrong_check_character_names_the_id_number(self, client, li_na):
        number = li_na["id_number"]
        bad = number[:17] + ("0" if number[17] != "0" else "1")
        r = await ask(client, bad)
        assert r.status_code == 422
        body = r.json()
        assert body["fields"][0]["field"] == "id_number"
        assert "校验码错误" in body["detail"]

    async def test_login_checks_the_number_too(self, client, li_na):
        r = await log_in(client, "12345", "123456")
        assert r.status_code == 422 and r.json()["fields"][0]["field"] == "id_number"


class TestRateLimits:
    async def test_one_code_per_minute(self, client, app, li_na, clock):
        assert (await ask(client, li_na["id_number"])).status_code == 202
        clock.advance(seconds=20)
        r = await ask(client, li_na["id_number"])
        assert r.status_code == 429
        assert r.headers["Retry-After"] == "40"
        assert r.json()["error"] == "RateLimited" and "40秒" in r.json()["detail"]
        clock.advance(seconds=40)
        assert (await ask(client, li_na["id_number"])).status_code == 202
        await latest_code(app, li_na["phone"], count=2)
        assert len(gateway_of(app).messages_to(li_na["phone"])) == 2

    async def test_five_codes_an_hour(self, client, li_na, clock, db):
        for _ in range(5):
            assert (await ask(client, li_na["id_number"])).status_code == 202
            clock.advance(seconds=61)
        r = await ask(client, li_na["id_number"])
        assert r.status_code == 429
        # The first of the five leaves the hour 5 x 61 s after it was asked for.
        assert int(r.headers["Retry-After"]) == 3600 - 5 * 61
        assert "1小时内获取验证码已达5次" in r.json()["detail"]
        [event] = audit_rows(db.owner, "action = 'patient_access.sms_code'"
                                       " AND status_code = 429")
        assert event["outcome"] == "failure"
        clock.advance(seconds=3600 - 5 * 61)
        assert (await ask(client, li_na["id_number"])).status_code == 202

    @pytest.fixture
    def few_per_ip(self, settings):
        settings.patient_sms_per_ip_per_hour = 3
        return settings

    async def test_per_address(self, few_per_ip, client, clock):
        for seq in range(3):
            assert (await ask(client, unknown_id(seq * 2 + 1))).status_code == 202
        r = await ask(client, unknown_id(99))
        assert r.status_code == 429 and r.json()["limit"] == "ip"
        assert int(r.headers["Retry-After"]) == 3600
