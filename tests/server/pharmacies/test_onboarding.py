"""Pharmacy onboarding (遴选) over HTTP: applying, approving, refusing, suspending and
reinstating with reasons, the status history and its audit, and staff accounts."""

from __future__ import annotations

import uuid
from typing import cast

import pytest

from tests.helpers import audit_rows, login, sql
from tests.server.pharmacies.conftest import application


async def _apply(client, **overrides) -> dict:
    r = await client.post("/pharmacies/applications", json=application(**overrides))
    assert r.status_code == 201, r.text
    return r.json()


async def _act(client, headers, pharmacy: dict, action: str, reason: str | None = None):
    body = {"version": pharmacy["version"]}
    if reason is not None:
        body["reason"] = reason
    return await client.post(f"/pharmacies/{pharmacy['id']}/{action}", json=body,
                             headers=headers)


class TestApplication:
    async def test_an_application_is_a_pending_pharmacy_with_its_profile(self, client, db):
        created = await _apply(client)
        assert created["status"] == "pending" and created["status_label"] == "待遴选"
        profile = created["profile"]
        assert profile["region_code"] == "330106"
        assert profile["closures"][0]["on_date"] == "2027-02-06"
        assert profile["modes"] == ["store_pickup", "courier"]
        [org] = sql(db.owner, "SELECT kind, status, parent_id IS NOT NULL FROM organisation"
                              " WHERE id = %s", (created["id"],))
        assert org == ("pharmacy", "pending", True)
        [event] = audit_rows(db.owner, "action = 'pharmacy.apply'")
        assert event["entity_id"] == created["id"] and event["actor_id"] is None

    async def test_a_bad_credit_code_is_refused_naming_the_field(self, client):
        body = application()
        body["credit_code"] = body["credit_code"][:17] + (
            "0" if body["credit_code"][17] != "0" else "1")
        r = await client.post("/pharmacies/applications", json=body)
        assert r.status_code == 422
        assert r.json()["fields"][0]["field"] == "body.credit_code"
        assert "校验位" in r.json()["detail"]

    async def test_a_bad_licence_number_and_region_are_refused(self, client):
        r = await client.post("/pharmacies/applications",
                              json=application(licence_number="ABC123", region_code="999999"))
        assert r.status_code == 422
        fields = {f["field"] for f in r.json()["fields"]}
        assert fields == {"body.licence_number", "body.region_code"}

    async def test_the_same_credit_code_cannot_apply_twice(self, client):
        first = application()
        await _apply(client, **first)
        again = application(credit_code=first["credit_code"])
        r = await client.post("/pharmacies/applications", json=again)
        assert r.status_code == 409
        assert r.json()["field"] == "credit_code"

    async def test_hospital_delivery_names_real_hospitals(self, client, demo):
        r = await client.post("/pharmacies/applications", json=application(delivery={
            "hospital_delivery": True, "delivery_hospital_ids": [demo.organisations["P1"]]}))
        assert r.status_code == 422
        assert r.json()["field"] == "delivery.delivery_hospital_ids"


class TestDecisions:
    async def test_approve_and_then_it_receives(self, client, demo, clock, db):
        admin = await login(client, demo.account("admin_group"), clock)
        pharmacy = await _apply(client)
        r = await _act(client, admin, pharmacy, "approve")
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "active"
        history = await client.get(f"/pharmacies/{pharmacy['id']}/history", headers=admin)
        assert [(h["from_status"], h["to_status"]) for h in history.json()] == [
            (None, "pending"), ("pending", "active")]
        assert history.json()[1]["changed_by_name"] == demo.account("admin_group").display_name
        [event] = audit_rows(db.owner, "action = 'pharmacy.approve'")
        assert cast(dict, event["summary"])["to_status"] == "active"

    @pytest.mark.parametrize("action", ["refuse"])
    async def test_refusal_needs_a_reason(self, client, demo, clock, db, action):
        admin = await login(client, demo.account("admin_group"), clock)
        pharmacy = await _apply(client)
        missing = await _act(client, admin, pharmacy, action)
        assert missing.status_code == 422
        assert missing.json()["field"] == "reason"
        r = await _act(client, admin, pharmacy, action, reason="许可证经营范围不含处方药")
        assert r.status_code == 200 and r.json()["status"] == "refused"
        rows = sql(db.owner, "SELECT from_status, to_status, reason FROM pharmacy_status_change"
                             " WHERE pharmacy_id = %s ORDER BY id", (pharmacy["id"],))
        assert rows[-1] == ("pending", "refused", "许可证经营范围不含处方药")
        again = await _act(client, admin, r.json(), "approve")
        assert again.status_code == 409  # refusal is final

    async def test_suspend_and_reinstate_with_reasons(self, client, demo, clock, db):
        admin = await login(client, demo.account("admin_group"), clock)
        p1 = (await client.get(f"/pharmacies/{demo.organisations['P1']}",
                               headers=admin)).json()
        no_reason = await _act(client, admin, p1, "suspend", reason="")
        assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
        suspended = await _act(client, admin, p1, "suspend", reason="飞行检查发现冷链记录缺失")
        assert suspended.json()["status"] == "suspended"
        no_reason = await _act(client, admin, suspended.json(), "reinstate")
        assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
        back = await _act(client, admin, suspended.json(), "reinstate", reason="整改完成")
        assert back.json()["status"] == "active"
        rows = sql(db.owner, "SELECT from_status, to_status, reason, changed_by_id"
                             " FROM pharmacy_status_change WHERE pharmacy_id = %s ORDER BY id",
                   (p1["id"],))
        assert [r[:3] for r in rows[-2:]] == [("active", "suspended", "飞行检查发现冷链记录缺失"),
                                              ("suspended", "active", "整改完成")]
        assert {str(r[3]) for r in rows[-2:]} == {demo.account("admin_group").id}
        actions = [e["action"] for e in audit_rows(db.owner, "entity_id = %s",
                                                    (p1["id"],))]
        assert actions[-2:] == ["pharmacy.suspend", "pharmacy.reinstate"]

    async def test_a_stale_version_is_a_conflict(self, client, demo, clock):
        admin = await login(client, demo.account("admin_group"), clock)
        pharmacy = await _apply(client)
        stale = {**pharmacy, "version": pharmacy["version"] + 5}
        r = await _act(client, admin, stale, "approve")
        assert r.status_code == 409 and r.json()["error"] == "VersionConflict"

    async def test_wrong_state(self, client, demo, clock):
        admin = await login(client, demo.account("admin_group"), clock)
        pharmacy = await _apply(client)
        r = await _act(client, admin, pharmacy, "reinstate", reason="无")
        assert r.status_code == 409 and "待遴选" in r.json()["detail"]

    async def test_only_administrators_decide(self, client, demo, clock):
        pharmacy = await _apply(client)
        for username in ("store_kangning", "doctor_wang"):
            headers = await login(client, demo.account(username), clock)
            r = await _act(client, headers, pharmacy, "approve")
            assert r.status_code == 403
        # A hospital's own administrator does not reach the group's pharmacies.
        hospital_admin = await login(client, demo.account("admin_h1"), clock)
        assert (await _act(client, hospital_admin, pharmacy, "approve")).status_code == 403

    async def test_the_administrators_list(self, client, demo, clock):
        admin = await login(client, demo.account("admin_group"), clock)
        pharmacy = await _apply(client)
        r = await client.get("/pharmacies", params={"status": "pending"}, headers=admin)
        assert r.status_code == 200
        codes = {p["code"] for p in r.json()["items"]}
        assert "P4" in codes and pharmacy["code"] in codes and "P1" not in codes
        doctor = await login(client, demo.account("doctor_wang"), clock)
        assert (await client.get("/pharmacies", headers=doctor)).status_code == 403


class TestStaffAccounts:
    async def test_admin_creates_a_staff_account_in_the_pharmacy(self, client, demo, clock, db):
        admin = await login(client, demo.account("admin_group"), clock)
        p3 = demo.organisations["P3"]
        r = await client.post(f"/pharmacies/{p3}/staff", headers=admin, json={
            "username": "store_baicao2", "display_name": "钱多多",
            "password": "Baicao#Counter-2026"})
        assert r.status_code == 201, r.text
        user = r.json()["user"]
        assert user["org_id"] == p3 and user["roles"] == ["pharmacy_staff"]
        assert r.json()["totp_secret"]
        [event] = audit_rows(db.owner, "action = 'user.create'")
        assert cast(dict, event["summary"])["org_id"] == p3

    async def test_weak_password_and_permission(self, client, demo, clock):
        admin = await login(client, demo.account("admin_group"), clock)
        p3 = demo.organisations["P3"]
        weak = await client.post(f"/pharmacies/{p3}/staff", headers=admin, json={
            "username": "store_weak", "display_name": "弱", "password": "123"})
        assert weak.status_code == 422
        staff = await login(client, demo.account("store_baicao"), clock)
        r = await client.post(f"/pharmacies/{p3}/staff", headers=staff, json={
            "username": "store_x", "display_name": "x", "password": "Baicao#Counter-2026"})
        assert r.status_code == 403

    async def test_unknown_pharmacy(self, client, demo, clock):
        admin = await login(client, demo.account("admin_group"), clock)
        r = await client.post(f"/pharmacies/{uuid.uuid4()}/staff", headers=admin, json={
            "username": "store_y", "display_name": "y", "password": "Baicao#Counter-2026"})
        assert r.status_code == 404
