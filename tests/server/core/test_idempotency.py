"""Retried writes with an `Idempotency-Key`: replayed once answered, refused with another body,
and collapsed into one change when the twins race."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from server.seed.demo import DemoGroup
from tests.helpers import audit_chain_held, audit_rows, login, sql, tokens

PASSWORD = "Ward-7#Night-Shift"


def user_body(demo: DemoGroup, username: str | None = None) -> dict[str, Any]:
    return {"org_id": demo.organisations["H1"], "username": username or f"u_{uuid.uuid4().hex[:8]}",
            "display_name": "钱多多", "roles": ["pharmacist"], "pharmacist_level": "pharmacist",
            "password": PASSWORD}


def users_named(db, username: str) -> int:
    return int(sql(db.owner, "SELECT count(*) FROM staff_user WHERE username = %s",
                   (username,))[0][0])


class TestReplay:
    async def test_same_key_twice_answers_the_same_and_creates_one_user(self, client, demo,
                                                                        clock, db):
        headers = await login(client, demo.account("admin_h1"), clock)
        key = {"Idempotency-Key": str(uuid.uuid4())}
        body = user_body(demo)
        first = await client.post("/users", json=body, headers=headers | key)
        second = await client.post("/users", json=body, headers=headers | key)
        assert first.status_code == second.status_code == 201, second.text
        assert second.content == first.content
        assert second.headers["Idempotent-Replayed"] == "true"
        assert "Idempotent-Replayed" not in first.headers
        assert users_named(db, body["username"]) == 1
        assert len(audit_rows(db.owner, "action = 'user.create'")) == 1

    async def test_same_key_with_another_body_is_refused(self, client, demo, clock, db):
        headers = await login(client, demo.account("admin_h1"), clock)
        key = {"Idempotency-Key": str(uuid.uuid4())}
        first = user_body(demo)
        await client.post("/users", json=first, headers=headers | key)
        other = user_body(demo)
        r = await client.post("/users", json=other, headers=headers | key)
        assert r.status_code == 422
        assert r.json()["error"] == "IdempotencyKeyReused"
        assert users_named(db, other["username"]) == 0

    async def test_same_key_on_another_path_is_refused(self, client, demo, clock):
        headers = await login(client, demo.account("secadmin"), clock)
        key = {"Idempotency-Key": str(uuid.uuid4())}
        doctor = demo.account("doctor_wang").id
        r1 = await client.post(f"/users/{doctor}/freeze", json={"reason": "调查中"},
                               headers=headers | key)
        assert r1.status_code == 200
        r2 = await client.post(f"/users/{doctor}/unfreeze", headers=headers | key)
        assert r2.status_code == 422
        assert r2.json()["error"] == "IdempotencyKeyReused"

    async def test_keys_belong_to_whoever_sent_them(self, client, demo, clock, db):
        key = {"Idempotency-Key": "shared-key-1"}
        body_h1 = user_body(demo)
        h1 = await login(client, demo.account("admin_h1"), clock)
        assert (await client.post("/users", json=body_h1, headers=h1 | key)).status_code == 201
        group = await login(client, demo.account("admin_group"), clock)
        r = await client.post("/users", json=body_h1, headers=group | key)
        # Another principal's identical request is its own request, not a replay of admin_h1's.
        assert r.status_code == 409
        assert "Idempotent-Replayed" not in r.headers

    async def test_failed_request_is_not_stored(self, client, demo, clock, db):
        headers = await login(client, demo.account("admin_h1"), clock)
        key = {"Idempotency-Key": str(uuid.uuid4())}
        body = user_body(demo) | {"password": "weak"}
        assert (await client.post("/users", json=body, headers=headers | key)).status_code == 422
        body["password"] = PASSWORD
        # The body changed: a failed attempt must not have claimed the key.
        r = await client.post("/users", json=body, headers=headers | key)
        assert r.status_code == 201, r.text

    async def test_replay_is_not_audited_twice_and_stores_no_secret_in_clear(self, client, demo,
                                                                             clock, db):
        headers = await login(client, demo.account("admin_h1"), clock)
        key = {"Idempotency-Key": str(uuid.uuid4())}
        first = await client.post("/users", json=user_body(demo), headers=headers | key)
        await client.post("/users", json=user_body(demo) | {"username": first.json()["user"][
            "username"]}, headers=headers | {"Idempotency-Key": "other"})
        [(stored,)] = sql(db.owner, "SELECT response_body FROM idempotency_record WHERE key = %s",
                          (key["Idempotency-Key"],))
        assert first.json()["totp_secret"].encode() not in bytes(stored)

    async def test_retried_refresh_is_replayed_not_taken_for_theft(self, client, demo, clock):
        """A client that lost the answer to a refresh retries it with the same key: it must
        get the same new tokens, not have its session revoked as a reused refresh token."""
        pair = await tokens(client, demo.account("doctor_wang"), clock)
        key = {"Idempotency-Key": str(uuid.uuid4())}
        body = {"refresh_token": pair["refresh_token"]}
        first = await client.post("/auth/refresh", json=body, headers=key)
        assert first.status_code == 200, first.text
        retry = await client.post("/auth/refresh", json=body, headers=key)
        assert retry.status_code == 200, retry.text
        assert retry.json() == first.json()
        assert retry.headers["Idempotent-Replayed"] == "true"
        me = await client.get("/auth/me",
                              headers={"Authorization": f"Bearer {first.json()['access_token']}"})
        assert me.status_code == 200

    async def test_a_key_is_not_shared_between_anonymous_callers(self, client, demo, clock):
        """Login and refresh are anonymous until they succeed; one caller's key must not
        replay another caller's tokens."""
        key = {"Idempotency-Key": "guessable-key"}
        wang = await tokens(client, demo.account("doctor_wang"), clock)
        li = await tokens(client, demo.account("doctor_li"), clock)
        await client.post("/auth/refresh", json={"refresh_token": wang["refresh_token"]},
                          headers=key)
        r = await client.post("/auth/refresh", json={"refresh_token": li["refresh_token"]},
                              headers=key)
        assert "Idempotent-Replayed" not in r.headers
        if r.status_code == 200:
            me = await client.get("/auth/me",
                                  headers={"Authorization": f"Bearer {r.json()['access_token']}"})
            assert me.json()["id"] == demo.account("doctor_li").id


class TestConcurrentTwins:
    @pytest.mark.parametrize("twins", [2, 4])
    async def test_concurrent_identical_requests_create_one_user(self, client, demo, clock, db,
                                                                 twins):
        headers = await login(client, demo.account("admin_h1"), clock)
        key = {"Idempotency-Key": str(uuid.uuid4())}
        body = user_body(demo)
        # While the audit chain is held, every twin gets as far as it can without committing:
        # the race is then certain, not a matter of timing.
        async with audit_chain_held(db.superuser) as until_waiting:
            requests = [asyncio.create_task(client.post("/users", json=body,
                                                        headers=headers | key))
                        for _ in range(twins)]
            await until_waiting(twins)
        answers = await asyncio.gather(*requests)
        assert [r.status_code for r in answers] == [201] * twins, [r.text for r in answers]
        assert len({r.content for r in answers}) == 1
        assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in answers) == twins - 1
        assert users_named(db, body["username"]) == 1
        assert len(audit_rows(db.owner, "action = 'user.create'")) == 1

    async def test_concurrent_twins_without_contention_on_business_rows(self, client, demo,
                                                                        clock, db):
        """Freezing twice changes one row twice; both answer as the first did."""
        headers = await login(client, demo.account("secadmin"), clock)
        key = {"Idempotency-Key": str(uuid.uuid4())}
        path = f"/users/{demo.account('doctor_wang').id}/freeze"
        async with audit_chain_held(db.superuser) as until_waiting:
            requests = [asyncio.create_task(client.post(path, json={"reason": "调查中"},
                                                        headers=headers | key))
                        for _ in range(2)]
            await until_waiting(2)
        a, b = await asyncio.gather(*requests)
        assert a.status_code == b.status_code == 200, (a.text, b.text)
        assert a.content == b.content
        assert len(audit_rows(db.owner, "action = 'user.freeze'")) == 1
