"""Managing staff accounts over HTTP: freezing, separation of duties, organisation scope,
password policy."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from server.seed.demo import DemoGroup
from tests.helpers import audit_rows, fresh_totp, login

STRONG_PASSWORD = "Ward-7#Night-Shift"


def new_user(demo: DemoGroup, org: str = "H1", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "org_id": demo.organisations[org], "username": f"u_{uuid.uuid4().hex[:10]}",
        "display_name": "钱多多", "roles": ["pharmacist"], "pharmacist_level": "pharmacist",
        "password": STRONG_PASSWORD}
    body.update(overrides)
    return body


async def _login_status(client: httpx.AsyncClient, demo: DemoGroup, username: str,
                        clock) -> httpx.Response:
    account = demo.account(username)
    return await client.post("/auth/login", json={
        "username": username, "password": account.password,
        "totp_code": fresh_totp(account, clock)})


class TestFreeze:
    @pytest.mark.parametrize("admin", ["secadmin", "admin_h1"])
    async def test_freeze_refuses_the_existing_token_at_once(self, client, demo, clock, admin):
        doctor = await login(client, demo.account("doctor_wang"), clock)
        assert (await client.get("/auth/me", headers=doctor)).status_code == 200
        headers = await login(client, demo.account(admin), clock)
        r = await client.post(f"/users/{demo.account('doctor_wang').id}/freeze",
                              json={"reason": "离职交接中"}, headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "frozen" and r.json()["frozen_reason"] == "离职交接中"
        refused = await client.get("/auth/me", headers=doctor)
        assert refused.status_code == 403
        assert refused.json()["error"] == "AccountFrozen"

    async def test_frozen_user_cannot_log_in_and_unfreeze_restores_login(self, client, demo,
                                                                         clock):
        headers = await login(client, demo.account("secadmin"), clock)
        user_id = demo.account("doctor_wang").id
        await client.post(f"/users/{user_id}/freeze", json={"reason": "调查中"}, headers=headers)
        refused = await _login_status(client, demo, "doctor_wang", clock)
        assert refused.status_code == 403
        assert refused.json()["error"] == "AccountFrozen"
        r = await client.post(f"/users/{user_id}/unfreeze", headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "active" and r.json()["frozen_reason"] is None
        assert (await _login_status(client, demo, "doctor_wang", clock)).status_code == 200

    async def test_tokens_from_before_the_freeze_stay_dead_after_unfreezing(self, client, demo,
                                                                            clock):
        """A freeze is for a suspected compromise: unfreezing must not revive the sessions."""
        doctor = await login(client, demo.account("doctor_wang"), clock)
        headers = await login(client, demo.account("secadmin"), clock)
        user_id = demo.account("doctor_wang").id
        await client.post(f"/users/{user_id}/freeze", json={"reason": "调查中"}, headers=headers)
        await client.post(f"/users/{user_id}/unfreeze", headers=headers)
        assert (await client.get("/auth/me", headers=doctor)).status_code == 401

    async def test_freeze_and_unfreeze_are_audited(self, client, demo, clock, db):
        headers = await login(client, demo.account("secadmin"), clock)
        user_id = demo.account("doctor_wang").id
        await client.post(f"/users/{user_id}/freeze", json={"reason": "调查中"}, headers=headers)
        await client.post(f"/users/{user_id}/unfreeze", headers=headers)
        rows = audit_rows(db.owner, "action IN ('user.freeze', 'user.unfreeze')")
        assert [(r["action"], r["entity_id"], r["actor_role"]) for r in rows] == [
            ("user.freeze", user_id, "security_admin"), ("user.unfreeze", user_id,
                                                         "security_admin")]
        assert rows[0]["summary"]["reason"] == "调查中"

    async def test_hospital_admin_cannot_freeze_another_hospitals_user(self, client, demo, clock):
        headers = await login(client, demo.account("admin_h1"), clock)
        r = await client.post(f"/users/{demo.account('doctor_sun').id}/freeze",
                              json={"reason": "越权尝试"}, headers=headers)
        assert r.status_code == 404
        assert (await _login_status(client, demo, "doctor_sun", clock)).status_code == 200

    async def test_nobody_freezes_themselves(self, client, demo, clock):
        headers = await login(client, demo.account("secadmin"), clock)
        r = await client.post(f"/users/{demo.account('secadmin').id}/freeze",
                              json={"reason": "自我冻结"}, headers=headers)
        assert r.status_code == 422

    @pytest.mark.parametrize("actor", ["doctor_li", "auditor", "sysadmin", "store_kangning"])
    async def test_roles_without_the_right_cannot_freeze(self, client, demo, clock, actor):
        headers = await login(client, demo.account(actor), clock)
        r = await client.post(f"/users/{demo.account('doctor_wang').id}/freeze",
                              json={"reason": "无权冻结"}, headers=headers)
        assert r.status_code == 403
        assert r.json()["error"] == "NotPermitted"


class TestSeparationOfDuties:
    @pytest.mark.parametrize("roles", [["system_admin", "auditor"],
                                       ["security_admin", "auditor"],
                                       ["system_admin", "security_admin"],
                                       ["system_admin", "security_admin", "auditor"]])
    async def test_creating_a_user_with_two_separated_roles_is_refused(self, client, demo, clock,
                                                                       db, roles):
        headers = await login(client, demo.account("sysadmin"), clock)
        body = new_user(demo, "GRP", roles=roles)
        r = await client.post("/users", json=body, headers=headers)
        assert r.status_code == 422, r.text
        assert r.json()["error"] == "SeparationOfDuties"
        assert not audit_rows(db.owner, "action = 'user.create'")
        created = await client.get("/users", params={"q": body["username"]}, headers=headers)
        assert created.json()["total"] == 0

    async def test_updating_a_user_into_two_separated_roles_is_refused(self, client, demo, clock):
        headers = await login(client, demo.account("sysadmin"), clock)
        auditor = demo.account("auditor")
        current = (await client.get(f"/users/{auditor.id}", headers=headers)).json()
        r = await client.patch(f"/users/{auditor.id}", headers=headers, json={
            "version": current["version"], "roles": ["auditor", "security_admin"]})
        assert r.status_code == 422, r.text
        assert r.json()["error"] == "SeparationOfDuties"
        after = (await client.get(f"/users/{auditor.id}", headers=headers)).json()
        assert after["roles"] == ["auditor"] and after["version"] == current["version"]

    async def test_one_separated_role_is_fine(self, client, demo, clock):
        headers = await login(client, demo.account("sysadmin"), clock)
        r = await client.post("/users", json=new_user(demo, "GRP", roles=["auditor"]),
                              headers=headers)
        assert r.status_code == 201, r.text

    @pytest.mark.parametrize("role", ["auditor", "security_admin", "system_admin"])
    async def test_hospital_level_admin_cannot_grant_a_separated_role(self, client, demo, clock,
                                                                      role):
        headers = await login(client, demo.account("admin_h1"), clock)
        r = await client.post("/users", json=new_user(demo, "H1", roles=[role]), headers=headers)
        assert r.status_code == 403, r.text
        doctor = (await client.get(f"/users/{demo.account('doctor_wang').id}",
                                   headers=headers)).json()
        r = await client.patch(f"/users/{doctor['id']}", headers=headers, json={
            "version": doctor["version"], "roles": ["doctor", role]})
        assert r.status_code == 403, r.text


class TestCrossOrganisation:
    @pytest.mark.parametrize("target", ["doctor_sun", "pharm_huang", "store_kangning",
                                        "gp_zhou", "auditor"])
    async def test_hospital_admin_cannot_read_users_elsewhere(self, client, demo, clock, db,
                                                              target):
        headers = await login(client, demo.account("admin_h1"), clock)
        target_id = demo.account(target).id
        r = await client.get(f"/users/{target_id}", headers=headers)
        assert r.status_code == 404
        assert r.json()["error"] == "NotFound"
        [row] = audit_rows(db.owner, "action = %s", (f"GET /users/{target_id}",))
        assert row["outcome"] == "failure" and row["status_code"] == 404
        assert str(row["actor_id"]) == demo.account("admin_h1").id

    @pytest.mark.parametrize("target", ["doctor_sun", "store_yimin"])
    async def test_hospital_admin_cannot_update_users_elsewhere(self, client, demo, clock, db,
                                                                target):
        headers = await login(client, demo.account("admin_h1"), clock)
        target_id = demo.account(target).id
        r = await client.patch(f"/users/{target_id}", headers=headers,
                               json={"version": 1, "display_name": "篡改"})
        assert r.status_code == 404
        [row] = audit_rows(db.owner, "action = %s", (f"PATCH /users/{target_id}",))
        assert row["status_code"] == 404
        sysadmin = await login(client, demo.account("sysadmin"), clock)
        unchanged = await client.get(f"/users/{target_id}", headers=sysadmin)
        assert unchanged.json()["display_name"] == demo.account(target).display_name

    @pytest.mark.parametrize("org", ["H2", "P1", "GRP", "H2-IM"])
    async def test_hospital_admin_cannot_create_users_elsewhere(self, client, demo, clock, db,
                                                                org):
        headers = await login(client, demo.account("admin_h1"), clock)
        r = await client.post("/users", json=new_user(demo, org), headers=headers)
        assert r.status_code == 403, r.text
        assert r.json()["error"] == "NotPermitted"
        [row] = audit_rows(db.owner, "action = 'POST /users'")
        assert row["outcome"] == "denied" and row["status_code"] == 403

    async def test_hospital_admin_cannot_move_a_user_into_another_hospitals_department(
            self, client, demo, clock):
        headers = await login(client, demo.account("admin_h1"), clock)
        doctor = (await client.get(f"/users/{demo.account('doctor_wang').id}",
                                   headers=headers)).json()
        r = await client.patch(f"/users/{doctor['id']}", headers=headers, json={
            "version": doctor["version"], "department_id": demo.organisations["H2-IM"]})
        assert r.status_code in (403, 422), r.text

    async def test_hospital_admin_lists_only_their_hospitals_users(self, client, demo, clock):
        headers = await login(client, demo.account("admin_h1"), clock)
        r = await client.get("/users", params={"limit": 500}, headers=headers)
        assert r.status_code == 200, r.text
        names = {u["username"] for u in r.json()["items"]}
        expected = {a.username for a in demo.accounts if a.organisation_code == "H1"}
        assert names == expected
        assert r.json()["total"] == len(expected)
        elsewhere = await client.get("/users", params={"org_id": demo.organisations["H2"]},
                                     headers=headers)
        assert elsewhere.json() == {"items": [], "total": 0}

    async def test_group_admin_lists_every_user(self, client, demo, clock):
        headers = await login(client, demo.account("admin_group"), clock)
        r = await client.get("/users", params={"limit": 500}, headers=headers)
        assert {u["username"] for u in r.json()["items"]} == {a.username for a in demo.accounts}

    @pytest.mark.parametrize("actor", ["store_kangning", "doctor_wang", "pharm_chen"])
    async def test_users_without_the_right_cannot_list_users(self, client, demo, clock, db,
                                                             actor):
        headers = await login(client, demo.account(actor), clock)
        r = await client.get("/users", headers=headers)
        assert r.status_code == 403
        assert r.json()["error"] == "NotPermitted"
        [row] = audit_rows(db.owner, "action = 'GET /users'")
        assert row["outcome"] == "denied" and str(row["actor_id"]) == demo.account(actor).id


class TestPasswordPolicy:
    @pytest.mark.parametrize("password", ["short#A1", "alllowercaseletters", "Password123",
                                          "12345678901", "Abcdefghijk"])
    async def test_weak_password_is_refused_naming_the_field(self, client, demo, clock,
                                                             password):
        headers = await login(client, demo.account("admin_h1"), clock)
        r = await client.post("/users", json=new_user(demo, password=password), headers=headers)
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["error"] == "WeakPassword"
        assert [f["field"] for f in body["fields"]] == ["password"]
        assert "密码" in body["detail"]

    async def test_password_containing_the_username_is_refused(self, client, demo, clock):
        headers = await login(client, demo.account("admin_h1"), clock)
        body = new_user(demo, username="qian_duoduo", password="Qian_Duoduo#2026")
        r = await client.post("/users", json=body, headers=headers)
        assert r.status_code == 422
        assert r.json()["error"] == "WeakPassword"

    async def test_strong_password_creates_a_user_who_can_log_in(self, client, demo, clock):
        import pyotp
        headers = await login(client, demo.account("admin_h1"), clock)
        body = new_user(demo)
        r = await client.post("/users", json=body, headers=headers)
        assert r.status_code == 201, r.text
        created = r.json()
        assert created["user"]["org_id"] == demo.organisations["H1"]
        assert "password" not in created["user"] and "password_hash" not in created["user"]
        code = pyotp.TOTP(created["totp_secret"]).at(clock.now())
        r = await client.post("/auth/login", json={"username": body["username"],
                                                   "password": STRONG_PASSWORD,
                                                   "totp_code": code})
        assert r.status_code == 200, r.text

    async def test_change_password_applies_the_policy(self, client, demo, clock):
        account = demo.account("doctor_wang")
        headers = await login(client, account, clock)
        r = await client.post("/auth/password", headers=headers, json={
            "current_password": account.password, "new_password": "weak"})
        assert r.status_code == 422
        assert r.json()["error"] == "WeakPassword"
        r = await client.post("/auth/password", headers=headers, json={
            "current_password": "Not-The-Password#1", "new_password": STRONG_PASSWORD})
        assert r.status_code == 401
        r = await client.post("/auth/password", headers=headers, json={
            "current_password": account.password, "new_password": STRONG_PASSWORD})
        assert r.status_code == 204, r.text
        r = await client.post("/auth/login", json={"username": account.username,
                                                   "password": STRONG_PASSWORD,
                                                   "totp_code": fresh_totp(account, clock)})
        assert r.status_code == 200


class TestUserCreation:
    async def test_duplicate_username_is_a_conflict(self, client, demo, clock):
        headers = await login(client, demo.account("admin_h1"), clock)
        r = await client.post("/users", json=new_user(demo, username="doctor_wang"),
                              headers=headers)
        assert r.status_code == 409
        assert r.json()["error"] == "Conflict"

    async def test_doctor_needs_a_title_and_pharmacist_a_level(self, client, demo, clock):
        headers = await login(client, demo.account("admin_h1"), clock)
        r = await client.post("/users", headers=headers,
                              json=new_user(demo, roles=["doctor"], pharmacist_level=None))
        assert r.status_code == 422
        assert "professional_title" in r.text
        r = await client.post("/users", headers=headers,
                              json=new_user(demo, roles=["pharmacist"], pharmacist_level=None))
        assert r.status_code == 422

    async def test_department_must_belong_to_the_organisation(self, client, demo, clock):
        headers = await login(client, demo.account("admin_group"), clock)
        r = await client.post("/users", headers=headers, json=new_user(
            demo, "H1", department_id=demo.organisations["H2-IM"]))
        assert r.status_code == 422
        assert r.json()["fields"][0]["field"] == "department_id"

    async def test_second_factor_reset_ends_the_users_sessions(self, client, demo, clock):
        doctor = await login(client, demo.account("doctor_wang"), clock)
        headers = await login(client, demo.account("secadmin"), clock)
        r = await client.post(f"/users/{demo.account('doctor_wang').id}/second-factor/reset",
                              headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()["totp_secret"]
        assert (await client.get("/auth/me", headers=doctor)).status_code == 401


class TestListUsers:
    async def test_filter_by_role(self, client, demo, clock):
        headers = await login(client, demo.account("admin_h1"), clock)
        r = await client.get("/users", params={"role": "pharmacist"}, headers=headers)
        assert r.status_code == 200, r.text
        assert {u["username"] for u in r.json()["items"]} == {"pharm_chen", "pharm_liu"}

    async def test_unknown_role_is_a_validation_error(self, client, demo, clock):
        headers = await login(client, demo.account("admin_h1"), clock)
        r = await client.get("/users", params={"role": "wizard"}, headers=headers)
        assert r.status_code == 422
        assert r.json()["fields"][0]["field"] == "query.role"

    async def test_search_by_name_or_username(self, client, demo, clock):
        headers = await login(client, demo.account("admin_group"), clock)
        by_name = await client.get("/users", params={"q": "王建"}, headers=headers)
        assert [u["username"] for u in by_name.json()["items"]] == ["doctor_wang"]
        by_username = await client.get("/users", params={"q": "PHARM_"}, headers=headers)
        assert {u["username"] for u in by_username.json()["items"]} == {
            "pharm_chen", "pharm_liu", "pharm_huang"}

    async def test_search_wildcards_are_plain_characters(self, client, demo, clock):
        headers = await login(client, demo.account("admin_group"), clock)
        r = await client.get("/users", params={"q": "_", "limit": 500}, headers=headers)
        names = {u["username"] for u in r.json()["items"]}
        assert "auditor" not in names and "doctor_wang" in names
        r = await client.get("/users", params={"q": "%"}, headers=headers)
        assert r.json()["total"] == 0

    async def test_paging(self, client, demo, clock):
        headers = await login(client, demo.account("admin_group"), clock)
        first = (await client.get("/users", params={"limit": 5}, headers=headers)).json()
        second = (await client.get("/users", params={"limit": 5, "offset": 5},
                                   headers=headers)).json()
        assert first["total"] == second["total"] == len(demo.accounts)
        assert len(first["items"]) == len(second["items"]) == 5
        assert not {u["id"] for u in first["items"]} & {u["id"] for u in second["items"]}
