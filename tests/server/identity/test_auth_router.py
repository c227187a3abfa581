"""Authentication over HTTP: login with password and TOTP, lockout, refresh rotation, idle
timeout. Time moves through the FakeClock, never by sleeping."""

from __future__ import annotations

import asyncio

import httpx
import pyotp
import pytest

from server.core.clock import FakeClock
from server.seed.demo import DemoAccount, DemoGroup
from server.settings import Settings
from tests.helpers import audit_chain_held, audit_rows, fresh_totp, login, sql, tokens


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _attempt(client: httpx.AsyncClient, account: DemoAccount, *, password: str | None = None,
                   totp: str | None = None) -> httpx.Response:
    body: dict[str, object] = {"username": account.username,
                               "password": account.password if password is None else password}
    if totp is not None:
        body["totp_code"] = totp
    return await client.post("/auth/login", json=body)


def _wrong_totp(account: DemoAccount, clock: FakeClock) -> str:
    right = fresh_totp(account, clock)
    # Far from now, so outside the one-step drift window, and not the current code.
    wrong = pyotp.TOTP(account.totp_secret).at(clock.now().timestamp() - 3600)
    return wrong if wrong != right else f"{(int(right) + 1) % 1_000_000:06d}"


class TestLogin:
    async def test_password_and_totp_give_tokens_that_work(self, client, demo, clock):
        account = demo.account("doctor_wang")
        response = await _attempt(client, account, totp=fresh_totp(account, clock))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["token_type"] == "bearer" and body["refresh_token"]
        assert body["expires_in"] == 15 * 60
        me = await client.get("/auth/me", headers=_bearer(body["access_token"]))
        assert me.status_code == 200, me.text
        assert me.json()["id"] == account.id
        assert me.json()["roles"] == ["doctor"]

    async def test_right_password_without_totp_asks_for_the_second_factor(self, client, demo):
        response = await _attempt(client, demo.account("doctor_wang"))
        assert response.status_code == 401
        assert response.json()["error"] == "SecondFactorRequired"

    async def test_wrong_totp_is_refused(self, client, demo, clock):
        account = demo.account("doctor_wang")
        response = await _attempt(client, account, totp=_wrong_totp(account, clock))
        assert response.status_code == 401
        assert response.json()["error"] == "InvalidCredentials"

    async def test_totp_of_another_account_is_refused(self, client, demo, clock):
        response = await _attempt(client, demo.account("doctor_wang"),
                                  totp=fresh_totp(demo.account("doctor_li"), clock))
        assert response.status_code == 401

    async def test_unknown_user_gets_the_same_answer_as_a_wrong_password(self, client, demo,
                                                                          clock):
        account = demo.account("doctor_wang")
        wrong_password = await _attempt(client, account, password="Wrong-Password#1",
                                        totp=fresh_totp(account, clock))
        unknown = await client.post("/auth/login", json={
            "username": "nobody_here", "password": "Wrong-Password#1", "totp_code": "123456"})
        assert wrong_password.status_code == unknown.status_code == 401
        assert wrong_password.json() == unknown.json()
        assert unknown.json()["error"] == "InvalidCredentials"

    async def test_unknown_user_without_totp_does_not_ask_for_a_second_factor(self, client):
        response = await client.post("/auth/login", json={"username": "nobody_here",
                                                          "password": "Whatever#2026"})
        assert response.status_code == 401
        assert response.json()["error"] == "InvalidCredentials"

    async def test_failed_login_is_audited_as_denied(self, client, demo, clock, db):
        account = demo.account("doctor_wang")
        await _attempt(client, account, password="Wrong-Password#1", totp="000000")
        await client.post("/auth/login", json={"username": "nobody_here", "password": "x"})
        rows = audit_rows(db.owner, "action = 'auth.login'")
        assert [(r["actor_name"], r["outcome"], r["status_code"]) for r in rows] == [
            ("doctor_wang", "denied", 401), ("nobody_here", "denied", 401)]
        assert rows[0]["entity_id"] == account.id
        assert rows[0]["summary"]["reason"] == "wrong_password"
        assert rows[0]["ip"] == "10.1.2.3" and rows[0]["workstation"] == "TEST-WS-01"

    async def test_successful_login_is_audited_with_the_user(self, client, demo, clock, db):
        account = demo.account("doctor_wang")
        await login(client, account, clock)
        [row] = audit_rows(db.owner, "action = 'auth.login'")
        assert row["outcome"] == "success"
        assert str(row["actor_id"]) == account.id
        assert row["actor_role"] == "doctor"
        assert str(row["org_id"]) == demo.organisations["H1"]


class TestTotpReplay:
    async def test_a_code_is_accepted_once(self, client, demo, clock):
        account = demo.account("doctor_wang")
        code = fresh_totp(account, clock)
        assert (await _attempt(client, account, totp=code)).status_code == 200
        replayed = await _attempt(client, account, totp=code)
        assert replayed.status_code == 401
        assert replayed.json()["error"] == "InvalidCredentials"
        # The next time step's code works again.
        assert (await _attempt(client, account, totp=fresh_totp(account, clock))).status_code == 200


class TestLockout:
    async def _fail(self, client, account, clock, times: int) -> list[httpx.Response]:
        return [await _attempt(client, account, password="Wrong-Password#1",
                               totp=fresh_totp(account, clock)) for _ in range(times)]

    async def test_fewer_failures_than_the_limit_do_not_lock(self, client, demo, clock):
        account = demo.account("doctor_wang")
        assert {r.status_code for r in await self._fail(client, account, clock, 4)} == {401}
        await login(client, account, clock)  # works, and clears the counter
        assert {r.status_code for r in await self._fail(client, account, clock, 4)} == {401}
        await login(client, account, clock)

    async def test_five_failures_lock_even_the_right_password(self, client, demo, clock):
        account = demo.account("doctor_wang")
        failures = await self._fail(client, account, clock, 5)
        assert [r.json()["error"] for r in failures] == ["InvalidCredentials"] * 5
        response = await _attempt(client, account, totp=fresh_totp(account, clock))
        assert response.status_code == 423, response.text
        assert response.json()["error"] == "AccountLocked"
        assert response.json()["locked_until"]

    async def test_wrong_totps_count_towards_the_lockout(self, client, demo, clock):
        account = demo.account("doctor_wang")
        for _ in range(5):
            r = await _attempt(client, account, totp=_wrong_totp(account, clock))
            assert r.status_code == 401
        response = await _attempt(client, account, totp=fresh_totp(account, clock))
        assert response.status_code == 423

    async def test_the_lock_lifts_after_fifteen_minutes(self, client, demo, clock):
        account = demo.account("doctor_wang")
        await self._fail(client, account, clock, 5)
        clock.advance(minutes=14)
        assert (await _attempt(client, account, totp=fresh_totp(account, clock))).status_code == 423
        clock.advance(minutes=1, seconds=1)
        await login(client, account, clock)

    async def test_other_accounts_are_not_affected(self, client, demo, clock):
        await self._fail(client, demo.account("doctor_wang"), clock, 5)
        await login(client, demo.account("doctor_li"), clock)

    async def test_failures_and_the_lockout_are_audited(self, client, demo, clock, db):
        account = demo.account("doctor_wang")
        await self._fail(client, account, clock, 5)
        await _attempt(client, account, totp=fresh_totp(account, clock))
        rows = audit_rows(db.owner, "action IN ('auth.login', 'auth.lockout')")
        assert [(r["action"], r["outcome"], r["status_code"]) for r in rows] == (
            [("auth.login", "denied", 401)] * 4 + [("auth.lockout", "denied", 401),
                                                   ("auth.login", "denied", 423)])
        assert all(r["entity_id"] == account.id for r in rows)

    async def test_concurrent_guesses_all_count(self, client, demo, clock, db):
        """Parallel wrong passwords must not slip past the counter (lost updates), nor fail
        with a server error."""
        account = demo.account("doctor_wang")
        async with audit_chain_held(db.superuser) as until_waiting:
            guesses = [asyncio.create_task(_attempt(client, account, password=f"Guess-{i}#pwd",
                                                    totp=fresh_totp(account, clock)))
                       for i in range(6)]
            await until_waiting(6)
        responses = await asyncio.gather(*guesses)
        assert sorted(r.status_code for r in responses) == [401] * 5 + [423], \
            [r.text for r in responses]
        response = await _attempt(client, account, totp=fresh_totp(account, clock))
        assert response.status_code == 423


class TestRefreshRotation:
    async def test_refresh_gives_new_tokens(self, client, demo, clock):
        first = await tokens(client, demo.account("doctor_wang"), clock)
        clock.advance(seconds=5)
        response = await client.post("/auth/refresh",
                                     json={"refresh_token": first["refresh_token"]})
        assert response.status_code == 200, response.text
        second = response.json()
        assert second["refresh_token"] != first["refresh_token"]
        assert second["access_token"] != first["access_token"]
        me = await client.get("/auth/me", headers=_bearer(second["access_token"]))
        assert me.status_code == 200, me.text

    async def test_refresh_chain_keeps_a_session_alive_past_the_access_lifetime(
            self, client, demo, clock):
        current = await tokens(client, demo.account("doctor_wang"), clock)
        for _ in range(3):
            clock.advance(minutes=14)
            r = await client.post("/auth/refresh", json={"refresh_token": current["refresh_token"]})
            assert r.status_code == 200, r.text
            current = r.json()
        assert (await client.get("/auth/me",
                                 headers=_bearer(current["access_token"]))).status_code == 200

    async def test_reuse_of_a_spent_refresh_token_revokes_the_whole_session(self, client, demo,
                                                                            clock, db):
        account = demo.account("doctor_wang")
        first = await tokens(client, account, clock)
        rotated = (await client.post("/auth/refresh",
                                     json={"refresh_token": first["refresh_token"]})).json()
        reuse = await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert reuse.status_code == 401
        assert reuse.json()["error"] == "RefreshTokenReused"
        # The newest refresh token and the current access token die with the session.
        newest = await client.post("/auth/refresh",
                                   json={"refresh_token": rotated["refresh_token"]})
        assert newest.status_code == 401
        me = await client.get("/auth/me", headers=_bearer(rotated["access_token"]))
        assert me.status_code == 401
        [row] = audit_rows(db.owner, "action = 'auth.refresh_reuse'")
        assert row["outcome"] == "denied" and row["summary"]["username"] == account.username

    async def test_reuse_does_not_touch_other_sessions(self, client, demo, clock):
        account = demo.account("doctor_wang")
        other = await tokens(client, account, clock)
        first = await tokens(client, account, clock)
        await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
        await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
        me = await client.get("/auth/me", headers=_bearer(other["access_token"]))
        assert me.status_code == 200, me.text

    async def test_unknown_refresh_token_is_refused(self, client):
        r = await client.post("/auth/refresh", json={"refresh_token": "x" * 43})
        assert r.status_code == 401
        assert r.json()["error"] == "SessionExpired"

    async def test_logout_ends_access_and_refresh(self, client, demo, clock):
        pair = await tokens(client, demo.account("doctor_wang"), clock)
        out = await client.post("/auth/logout", headers=_bearer(pair["access_token"]))
        assert out.status_code == 204
        assert (await client.get("/auth/me",
                                 headers=_bearer(pair["access_token"]))).status_code == 401
        r = await client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        assert r.status_code == 401


class TestAccessTokenExpiry:
    async def test_access_token_expires_after_its_lifetime(self, client, demo, clock):
        headers = await login(client, demo.account("doctor_wang"), clock)
        clock.advance(minutes=15, seconds=1)
        r = await client.get("/auth/me", headers=headers)
        assert r.status_code == 401
        assert r.json()["error"] == "SessionExpired"

    @pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c", ""])
    async def test_garbage_tokens_are_refused(self, client, token):
        r = await client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401

    async def test_token_signed_with_another_key_is_refused(self, client, demo, clock):
        import uuid
        from datetime import timedelta

        from server.identity.tokens import issue_access_token
        forged = issue_access_token(b"k" * 32, subject=uuid.UUID(demo.account("sysadmin").id),
                                    kind="client", session_id=None, now=clock.now(),
                                    lifetime=timedelta(minutes=5))
        r = await client.get("/users", headers=_bearer(forged))
        assert r.status_code == 401


class TestIdleTimeout:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        # Access tokens outlive the idle limit here, so the idle check is what refuses them.
        return settings.model_copy(update={"idle_timeout_minutes": 10,
                                           "access_token_minutes": 60})

    async def test_activity_keeps_the_session_alive(self, client, demo, clock):
        headers = await login(client, demo.account("doctor_wang"), clock)
        for _ in range(4):
            clock.advance(minutes=9)
            r = await client.get("/auth/me", headers=headers)
            assert r.status_code == 200, r.text

    async def test_idle_session_refuses_the_access_token(self, client, demo, clock):
        headers = await login(client, demo.account("doctor_wang"), clock)
        clock.advance(minutes=10, seconds=1)
        r = await client.get("/auth/me", headers=headers)
        assert r.status_code == 401
        assert r.json()["error"] == "SessionExpired"
        # ...and it stays refused: the refused request did not count as activity.
        assert (await client.get("/auth/me", headers=headers)).status_code == 401

    async def test_idle_session_refuses_the_refresh_token(self, client, demo, clock):
        pair = await tokens(client, demo.account("doctor_wang"), clock)
        clock.advance(minutes=11)
        r = await client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        assert r.status_code == 401


class TestIdleTimeoutDefaults:
    async def test_refresh_after_the_default_idle_limit_is_refused(self, client, demo, clock,
                                                                    settings):
        pair = await tokens(client, demo.account("doctor_wang"), clock)
        clock.advance(minutes=settings.idle_timeout_minutes, seconds=1)
        r = await client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        assert r.status_code == 401
        assert r.json()["error"] == "SessionExpired"


class TestClientCredentials:
    async def test_integration_client_gets_a_token(self, client, demo: DemoGroup):
        his = next(c for c in demo.clients if c["client_id"] == "his-h1")
        r = await client.post("/auth/token", json={"client_id": his["client_id"],
                                                   "client_secret": his["client_secret"]})
        assert r.status_code == 200, r.text
        assert r.json()["refresh_token"] is None
        me = await client.get("/auth/me", headers=_bearer(r.json()["access_token"]))
        assert me.status_code == 200, me.text
        assert me.json()["kind"] == "client"
        assert me.json()["org_id"] == demo.organisations["H1"]

    async def test_wrong_secret_is_refused(self, client, demo: DemoGroup):
        r = await client.post("/auth/token", json={"client_id": "his-h1",
                                                   "client_secret": "wrong-secret"})
        assert r.status_code == 401

    async def test_disabled_client_token_stops_working(self, client, demo: DemoGroup, db):
        his = next(c for c in demo.clients if c["client_id"] == "his-h1")
        r = await client.post("/auth/token", json={"client_id": his["client_id"],
                                                   "client_secret": his["client_secret"]})
        token = r.json()["access_token"]
        sql(db.owner, "UPDATE integration_client SET status = 'frozen' WHERE client_id = 'his-h1'")
        assert (await client.get("/auth/me", headers=_bearer(token))).status_code == 401
