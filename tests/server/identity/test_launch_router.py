"""Launch from the HIS: an HIS client asks for a single-use launch token for a doctor on a
patient; the doctor's app exchanges it for a session. Time moves through the FakeClock."""

from __future__ import annotations

import httpx
import pytest

from server.core.clock import FakeClock
from server.seed.demo import DemoGroup
from tests.helpers import audit_rows, sql


def _patient(demo: DemoGroup, name: str) -> str:
    return next(p["id"] for p in demo.patients if p["name"] == name)


async def _client_headers(client: httpx.AsyncClient, demo: DemoGroup,
                          client_id: str) -> dict[str, str]:
    his = next(c for c in demo.clients if c["client_id"] == client_id)
    response = await client.post("/auth/token", json={
        "client_id": his["client_id"], "client_secret": his["client_secret"]})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _issue(client: httpx.AsyncClient, demo: DemoGroup, *, client_id: str = "his-h1",
                 username: str = "doctor_wang", patient: str = "吴敏") -> httpx.Response:
    return await client.post("/auth/launch-tokens", headers=await _client_headers(
        client, demo, client_id), json={"username": username,
                                        "patient_id": _patient(demo, patient)})


async def _token(client: httpx.AsyncClient, demo: DemoGroup, **kw: str) -> str:
    response = await _issue(client, demo, **kw)
    assert response.status_code == 201, response.text
    token: str = response.json()["launch_token"]
    return token


async def _launch(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/auth/launch", json={"launch_token": token})


class TestIssue:
    async def test_his_gets_a_launch_url_and_only_the_hash_is_stored(self, client, demo, db):
        response = await _issue(client, demo)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["launch_url"] == f"rxp-doctor://launch?token={body['launch_token']}"
        assert body["expires_in"] == 120
        stored = sql(db.owner, "SELECT token_hash, user_id, patient_id FROM launch_token")
        assert len(stored) == 1
        assert body["launch_token"].encode() not in bytes(stored[0][0])
        assert str(stored[0][1]) == demo.account("doctor_wang").id
        assert str(stored[0][2]) == _patient(demo, "吴敏")

    async def test_issue_is_audited_with_the_his_user_and_patient(self, client, demo, db):
        await _token(client, demo)
        [row] = audit_rows(db.owner, "action = 'auth.launch_token'")
        assert row["outcome"] == "success" and row["actor_kind"] == "client"
        assert row["entity_id"] == demo.account("doctor_wang").id
        assert row["summary"]["patient_id"] == _patient(demo, "吴敏")

    async def test_another_hospitals_doctor_is_not_found(self, client, demo):
        # his-h2 is the HIS of 中医医院 (H2); doctor_wang works at H1.
        response = await _issue(client, demo, client_id="his-h2")
        assert response.status_code == 404
        assert response.json()["field"] == "username"

    async def test_another_hospitals_patient_is_not_found(self, client, demo):
        # 陈静 was registered at H2: the H1 HIS does not see her.
        response = await _issue(client, demo, patient="陈静")
        assert response.status_code == 404
        assert response.json()["field"] == "patient_id"

    async def test_only_doctors_can_be_launched(self, client, demo):
        response = await _issue(client, demo, username="pharm_chen")
        assert response.status_code == 422

    async def test_non_his_clients_and_staff_are_refused(self, client, demo, headers_for):
        regional = await client.post(
            "/auth/launch-tokens", headers=await _client_headers(client, demo,
                                                                 "regional-chronic"),
            json={"username": "doctor_wang", "patient_id": _patient(demo, "吴敏")})
        assert regional.status_code == 403
        doctor = await client.post("/auth/launch-tokens",
                                   headers=await headers_for("doctor_wang"),
                                   json={"username": "doctor_wang",
                                         "patient_id": _patient(demo, "吴敏")})
        assert doctor.status_code == 403

    async def test_without_credentials_is_401(self, client, demo):
        response = await client.post("/auth/launch-tokens", json={
            "username": "doctor_wang", "patient_id": _patient(demo, "吴敏")})
        assert response.status_code == 401


class TestExchange:
    async def test_the_token_starts_a_session_on_the_patient(self, client, demo, db):
        token = await _token(client, demo)
        response = await _launch(client, token)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["patient_id"] == _patient(demo, "吴敏") and body["refresh_token"]
        assert body["username"] == "doctor_wang"
        me = await client.get("/auth/me",
                              headers={"Authorization": f"Bearer {body['access_token']}"})
        assert me.status_code == 200 and me.json()["id"] == demo.account("doctor_wang").id
        # A normal session: its refresh token rotates like a login's.
        refreshed = await client.post("/auth/refresh",
                                      json={"refresh_token": body["refresh_token"]})
        assert refreshed.status_code == 200
        [row] = audit_rows(db.owner, "action = 'auth.launch'")
        assert row["outcome"] == "success" and row["actor_name"] == "王建国"
        assert row["workstation"] == "TEST-WS-01"
        assert row["summary"]["patient_id"] == _patient(demo, "吴敏")

    async def test_a_token_works_once(self, client, demo, db):
        token = await _token(client, demo)
        assert (await _launch(client, token)).status_code == 200
        again = await _launch(client, token)
        assert again.status_code == 401
        assert again.json()["error"] == "InvalidCredentials"
        assert "已使用" in again.json()["detail"]
        outcomes = [r["outcome"] for r in audit_rows(db.owner, "action = 'auth.launch'")]
        assert outcomes == ["success", "denied"]

    async def test_an_expired_token_is_refused_and_spent(self, client, demo, clock: FakeClock):
        token = await _token(client, demo)
        clock.advance(seconds=121)
        late = await _launch(client, token)
        assert late.status_code == 401 and "已过期" in late.json()["detail"]
        # Spent by that attempt: even moving time back does not revive it.
        clock.advance(seconds=-121)
        assert "已使用" in (await _launch(client, token)).json()["detail"]

    async def test_just_within_the_lifetime_works(self, client, demo, clock: FakeClock):
        token = await _token(client, demo)
        clock.advance(seconds=119)
        assert (await _launch(client, token)).status_code == 200

    async def test_an_unknown_token_is_refused(self, client):
        response = await _launch(client, "not-a-real-launch-token-at-all")
        assert response.status_code == 401 and "无效" in response.json()["detail"]

    async def test_a_user_who_moved_to_another_hospital_is_refused(self, client, demo, db):
        token = await _token(client, demo)
        sql(db.owner, "UPDATE staff_user SET org_id = %s, department_id = %s WHERE username = %s",
            (demo.organisations["H2"], demo.organisations["H2-IM"], "doctor_wang"))
        response = await _launch(client, token)
        assert response.status_code == 403
        assert "不属于" in response.json()["detail"]

    async def test_a_frozen_user_is_refused(self, client, demo, db):
        token = await _token(client, demo)
        sql(db.owner, "UPDATE staff_user SET status = 'frozen' WHERE username = 'doctor_wang'")
        assert (await _launch(client, token)).status_code == 403

    @pytest.mark.parametrize("body", [{}, {"launch_token": ""}, {"launch_token": 5},
                                      {"launch_token": "x" * 10, "extra": 1}])
    async def test_malformed_bodies_are_422(self, client, body):
        assert (await client.post("/auth/launch", json=body)).status_code == 422
