"""The audit log over HTTP: what one request records, searching it, and verifying the chain
against tampering (edits, deletions, a cut-off tail, a rewritten chain)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from server.audit.chain import HASHED_FIELDS, event_hash
from tests.helpers import audit_rows, login, sql

SUPERUSER_WITHOUT_TRIGGERS = ("SET session_replication_role = replica",)


def _new_user(demo, org: str = "H1") -> dict:
    return {"org_id": demo.organisations[org], "username": f"u_{uuid.uuid4().hex[:8]}",
            "display_name": "钱多多", "roles": ["pharmacist"], "pharmacist_level": "pharmacist",
            "password": "Ward-7#Night-Shift"}


@pytest.fixture
async def auditor(client, demo, clock) -> dict[str, str]:
    return await login(client, demo.account("auditor"), clock)


async def _verify(client, headers) -> dict:
    r = await client.post("/audit/verify", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def _tamper(db, statement: str, params: tuple = ()) -> None:
    """As the database superuser with triggers off: what an intruder with full access does."""
    sql(db.superuser, statement, params, setup=SUPERUSER_WITHOUT_TRIGGERS)


def _head(db) -> int:
    return int(sql(db.owner, "SELECT max(seq) FROM audit_event")[0][0])


class TestEventOfARequest:
    async def test_state_change_records_who_where_what_and_when(self, client, demo, clock, db,
                                                                auditor):
        admin = demo.account("admin_h1")
        headers = await login(client, admin, clock)
        before = datetime.now(UTC)
        r = await client.post("/users", json=_new_user(demo), headers=headers)
        assert r.status_code == 201, r.text
        created = r.json()["user"]
        found = await client.get("/audit/events", params={"action": "user.create"},
                                 headers=auditor)
        assert found.status_code == 200, found.text
        [event] = found.json()["items"]
        assert event["actor_kind"] == "user"
        assert event["actor_id"] == admin.id
        assert event["actor_name"] == admin.display_name
        assert event["actor_role"] == "hospital_admin"
        assert event["org_id"] == demo.organisations["H1"]
        assert event["ip"] == "10.1.2.3"
        assert event["workstation"] == "TEST-WS-01"
        assert event["action"] == "user.create"
        assert event["entity_type"] == "staff_user" and event["entity_id"] == created["id"]
        assert event["outcome"] == "success" and event["status_code"] == 201
        assert event["summary"]["username"] == created["username"]
        occurred = datetime.fromisoformat(event["occurred_at"])
        assert occurred.utcoffset() == timedelta(0)
        assert before - timedelta(seconds=1) <= occurred <= datetime.now(UTC)
        [row] = audit_rows(db.owner, "action = 'user.create'")
        assert row["request_id"] == r.headers["X-Request-Id"]

    async def test_times_are_utc_whatever_the_database_time_zone(self, client, demo, clock, db,
                                                                 pg):
        pg.cluster.psql(f"ALTER DATABASE {db.name} SET timezone TO 'Asia/Shanghai'")
        headers = await login(client, demo.account("auditor"), clock)
        r = await client.get("/audit/events", params={"limit": 5}, headers=headers)
        assert r.status_code == 200, r.text
        for event in r.json()["items"]:
            assert datetime.fromisoformat(event["occurred_at"]).utcoffset() == timedelta(0)
        assert (await _verify(client, headers))["ok"]

    async def test_a_moment_must_be_iso_not_a_number(self, client, demo, clock):
        """Found by the fuzz drill: until=3492 was read as a Unix time and answered."""
        headers = await login(client, demo.account("auditor"), clock)
        r = await client.get("/audit/events", params={"until": "3492"}, headers=headers)
        assert r.status_code == 422 and r.json()["fields"][0]["field"] == "query.until", r.text
        r = await client.get("/audit/events", headers=headers,
                             params={"since": "2026-01-01T00:00:00+08:00", "limit": 1})
        assert r.status_code == 200, r.text

    async def test_caller_supplied_forwarded_for_is_not_the_recorded_address(self, client, demo,
                                                                             clock, db):
        await client.post("/auth/login", json={"username": "nobody", "password": "x"},
                          headers={"X-Forwarded-For": "203.0.113.9"})
        [row] = audit_rows(db.owner, "action = 'auth.login'")
        assert row["ip"] == "10.1.2.3"

    async def test_overlong_client_headers_do_not_break_the_request(self, client, demo, clock,
                                                                    db):
        headers = await login(client, demo.account("admin_h1"), clock)
        r = await client.post("/users", json=_new_user(demo), headers=headers | {
            "X-Workstation": "WS-" + "9" * 500, "X-Request-Id": "r" * 500})
        assert r.status_code == 201, r.text
        [row] = audit_rows(db.owner, "action = 'user.create'")
        assert row["workstation"].startswith("WS-999") and len(row["workstation"]) <= 100
        assert len(row["request_id"]) <= 64

    async def test_failed_write_is_recorded_and_its_change_rolled_back(self, client, demo,
                                                                       clock, db):
        headers = await login(client, demo.account("admin_h1"), clock)
        body = _new_user(demo) | {"username": "doctor_wang"}
        r = await client.post("/users", json=body, headers=headers)
        assert r.status_code == 409
        [row] = audit_rows(db.owner, "action = 'POST /users'")
        assert row["outcome"] == "failure" and row["status_code"] == 409
        assert str(row["actor_id"]) == demo.account("admin_h1").id

    async def test_plain_reads_are_not_recorded_but_refused_ones_are(self, client, demo, clock,
                                                                     db):
        headers = await login(client, demo.account("admin_h1"), clock)
        assert (await client.get("/users", headers=headers)).status_code == 200
        assert not audit_rows(db.owner, "action LIKE 'GET %%'")
        store = await login(client, demo.account("store_kangning"), clock)
        assert (await client.get("/users", headers=store)).status_code == 403
        assert [r["outcome"] for r in audit_rows(db.owner, "action LIKE 'GET %%'")] == ["denied"]

    async def test_requests_without_a_valid_token_are_recorded(self, client, db):
        r = await client.get("/users", headers={"Authorization": "Bearer forged"})
        assert r.status_code == 401
        [row] = audit_rows(db.owner, "action = 'GET /users'")
        assert row["outcome"] == "denied" and row["actor_id"] is None


class TestSearch:
    async def test_only_auditors_read_the_log(self, client, demo, clock):
        for name in ("sysadmin", "secadmin", "admin_group", "doctor_wang"):
            headers = await login(client, demo.account(name), clock)
            r = await client.get("/audit/events", headers=headers)
            assert r.status_code == 403, name

    async def test_filters(self, client, demo, clock, auditor):
        admin = demo.account("admin_h1")
        headers = await login(client, admin, clock)
        await client.post("/users", json=_new_user(demo), headers=headers)
        mine = await client.get("/audit/events", params={"actor_id": admin.id}, headers=auditor)
        assert {e["action"] for e in mine.json()["items"]} == {"auth.login", "user.create"}
        by_prefix = await client.get("/audit/events", params={"action": "auth."}, headers=auditor)
        assert {e["action"] for e in by_prefix.json()["items"]} == {"auth.login"}
        future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        later = await client.get("/audit/events", params={"since": future}, headers=auditor)
        assert later.json()["total"] == 0

    async def test_newest_first_and_paged(self, client, demo, clock, auditor):
        page = (await client.get("/audit/events", params={"limit": 2}, headers=auditor)).json()
        seqs = [e["seq"] for e in page["items"]]
        assert seqs == sorted(seqs, reverse=True) and len(seqs) == 2
        assert page["total"] >= 2 and page["served_by"] == "primary"

    async def test_a_hospital_auditor_sees_only_their_hospitals_events(self, client, demo,
                                                                       clock):
        import pyotp
        group_admin = await login(client, demo.account("admin_group"), clock)
        body = _new_user(demo, "H1") | {"roles": ["auditor"], "pharmacist_level": None}
        created = (await client.post("/users", json=body, headers=group_admin)).json()
        await login(client, demo.account("doctor_sun"), clock)  # an H2 event
        await login(client, demo.account("doctor_wang"), clock)  # an H1 event
        r = await client.post("/auth/login", json={
            "username": body["username"], "password": body["password"],
            "totp_code": pyotp.TOTP(created["totp_secret"]).at(clock.now())})
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        events = (await client.get("/audit/events", params={"limit": 500},
                                   headers=headers)).json()["items"]
        orgs = {e["org_id"] for e in events}
        h1 = {demo.organisations[c] for c in demo.organisations if c.startswith("H1")}
        assert orgs and orgs <= h1
        assert demo.account("doctor_wang").id in {e["actor_id"] for e in events}


class TestVerify:
    async def test_intact_chain_verifies_and_is_checkpointed(self, client, demo, clock, db,
                                                             auditor, checkpoint_dir):
        result = await _verify(client, auditor)
        head = _head(db) - 1  # the verify request's own event comes after the check
        assert result["ok"] is True and result["first_broken_seq"] is None
        assert result["head_seq"] == result["events_checked"] == head
        [checkpoint] = list(checkpoint_dir.glob("*.json"))
        assert json.loads(checkpoint.read_text())["seq"] == head
        again = await _verify(client, auditor)
        assert again["ok"] and again["checkpoints_checked"] == 1

    async def test_verify_is_itself_audited(self, client, auditor, db):
        await _verify(client, auditor)
        [row] = audit_rows(db.owner, "action = 'audit.verify'")
        assert row["summary"]["ok"] is True

    async def test_only_auditors_verify(self, client, demo, clock):
        headers = await login(client, demo.account("sysadmin"), clock)
        assert (await client.post("/audit/verify", headers=headers)).status_code == 403

    async def test_awkward_summaries_survive_the_round_trip(self, client, demo, clock, auditor):
        headers = await login(client, demo.account("secadmin"), clock)
        reason = '调查中 "引号" \\ 反斜杠 😀 \u2028 tab\t end'
        r = await client.post(f"/users/{demo.account('doctor_wang').id}/freeze",
                              json={"reason": reason}, headers=headers)
        assert r.status_code == 200, r.text
        assert (await _verify(client, auditor))["ok"]


class TestTampering:
    async def _some_events(self, client, demo, clock) -> None:
        for name in ("doctor_wang", "doctor_li", "pharm_chen"):
            await login(client, demo.account(name), clock)

    async def test_an_edited_event_is_named(self, client, demo, clock, db, auditor):
        await self._some_events(client, demo, clock)
        [(seq,)] = sql(db.owner, "SELECT seq FROM audit_event WHERE actor_name = %s",
                       (demo.account("doctor_li").display_name,))
        _tamper(db, "UPDATE audit_event SET summary = '{\"username\": \"someone_else\"}'"
                    " WHERE seq = %s", (seq,))
        result = await _verify(client, auditor)
        assert result["ok"] is False
        assert result["first_broken_seq"] == seq
        assert str(seq) in result["message"]

    async def test_an_edited_column_outside_the_summary_is_named(self, client, demo, clock, db,
                                                                 auditor):
        await self._some_events(client, demo, clock)
        seq = _head(db) - 1
        _tamper(db, "UPDATE audit_event SET ip = '192.0.2.1' WHERE seq = %s", (seq,))
        result = await _verify(client, auditor)
        assert (result["ok"], result["first_broken_seq"]) == (False, seq)

    async def test_a_deleted_event_is_named(self, client, demo, clock, db, auditor):
        await self._some_events(client, demo, clock)
        seq = _head(db) - 2
        _tamper(db, "DELETE FROM audit_event WHERE seq = %s", (seq,))
        result = await _verify(client, auditor)
        assert result["ok"] is False
        assert result["first_broken_seq"] == seq
        assert "删除" in result["message"]

    async def test_a_cut_off_tail_is_caught_by_the_checkpoint(self, client, demo, clock, db,
                                                              auditor):
        await self._some_events(client, demo, clock)
        first = await _verify(client, auditor)
        assert first["ok"]
        checkpointed = first["head_seq"]
        _tamper(db, "DELETE FROM audit_event WHERE seq >= %s", (checkpointed - 1,))
        result = await _verify(client, auditor)
        assert result["ok"] is False
        assert result["first_broken_seq"] == checkpointed - 1
        assert "截断" in result["message"]

    async def test_a_rewritten_chain_is_caught_by_the_checkpoint(self, client, demo, clock, db,
                                                                 auditor):
        """An intruder who edits an event and recomputes every later hash leaves a consistent
        chain: only the signed checkpoint outside the database shows it."""
        await self._some_events(client, demo, clock)
        checkpointed = (await _verify(client, auditor))["head_seq"]
        target = checkpointed - 2
        _tamper(db, "UPDATE audit_event SET summary = '{}' WHERE seq = %s", (target,))
        rows = audit_rows(db.owner, "seq >= %s", (target,))
        prev = bytes(audit_rows(db.owner, "seq = %s", (target - 1,))[0]["hash"])
        for row in rows:
            digest = event_hash(prev, {name: row[name] for name in HASHED_FIELDS})
            _tamper(db, "UPDATE audit_event SET prev_hash = %s, hash = %s WHERE seq = %s",
                    (prev, digest, row["seq"]))
            prev = digest
        result = await _verify(client, auditor)
        assert result["ok"] is False
        assert result["first_broken_seq"] == checkpointed
        assert "检查点" in result["message"]

    async def test_a_forged_checkpoint_is_reported(self, client, auditor, checkpoint_dir):
        checkpoint_dir.mkdir(parents=True, exist_ok=True)
        (checkpoint_dir / "000000000000001.json").write_text(json.dumps(
            {"seq": 1, "hash": "00" * 32, "at": "2026-01-01T00:00:00+00:00",
             "signature": "AAAA"}))
        result = await _verify(client, auditor)
        assert result["ok"] is True
        assert any("000000000000001.json" in w for w in result["warnings"])
