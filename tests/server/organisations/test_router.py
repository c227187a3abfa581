"""The organisations of the group over HTTP: the directory, and adding an organisation where
its kind may sit in the tree."""

from __future__ import annotations

import uuid

import pytest

from tests.helpers import audit_rows, login


def _org(parent: str, kind: str = "pharmacy", **extra) -> dict:
    return {"kind": kind, "code": f"T{uuid.uuid4().hex[:6].upper()}", "name": "测试机构",
            "parent_id": parent, **extra}


class TestDirectory:
    async def test_everyone_with_a_login_reads_the_directory(self, client, demo, clock):
        headers = await login(client, demo.account("store_kangning"), clock)
        r = await client.get("/organisations", headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["total"] == len(demo.organisations)
        assert {o["code"] for o in body["items"]} == set(demo.organisations)
        assert body["served_by"] == "primary"

    async def test_filters(self, client, demo, clock):
        headers = await login(client, demo.account("doctor_wang"), clock)
        pharmacies = await client.get("/organisations", params={"kind": "pharmacy"},
                                      headers=headers)
        assert {o["code"] for o in pharmacies.json()["items"]} == {"P1", "P2", "P3", "P4"}
        pending = await client.get("/organisations", params={"kind": "pharmacy",
                                                            "status": "pending"}, headers=headers)
        assert [o["code"] for o in pending.json()["items"]] == ["P4"]
        departments = await client.get("/organisations", headers=headers,
                                       params={"parent_id": demo.organisations["H2"]})
        assert {o["code"] for o in departments.json()["items"]} == {"H2-IM", "H2-RESP",
                                                                    "H2-PHARM"}

    async def test_paging(self, client, demo, clock):
        headers = await login(client, demo.account("doctor_wang"), clock)
        page = (await client.get("/organisations", params={"limit": 3, "offset": 3},
                                 headers=headers)).json()
        assert len(page["items"]) == 3 and page["total"] == len(demo.organisations)

    async def test_get_one(self, client, demo, clock):
        headers = await login(client, demo.account("doctor_wang"), clock)
        r = await client.get(f"/organisations/{demo.organisations['H1']}", headers=headers)
        assert r.status_code == 200
        assert (r.json()["code"], r.json()["kind"]) == ("H1", "hospital")
        missing = await client.get(f"/organisations/{uuid.uuid4()}", headers=headers)
        assert missing.status_code == 404

    async def test_anonymous_is_refused(self, client):
        r = await client.get("/organisations")
        assert r.status_code == 401
        assert r.json()["error"] == "NotAuthenticated"


class TestCreate:
    async def test_group_admin_adds_a_pharmacy_which_starts_pending(self, client, demo, clock,
                                                                    db):
        headers = await login(client, demo.account("admin_group"), clock)
        body = _org(demo.organisations["GRP"], phone="0571-86110009")
        r = await client.post("/organisations", json=body, headers=headers)
        assert r.status_code == 201, r.text
        created = r.json()
        assert created["status"] == "pending" and created["parent_id"] == body["parent_id"]
        [row] = audit_rows(db.owner, "action = 'organisation.create'")
        assert row["entity_id"] == created["id"]
        listed = await client.get("/organisations", params={"status": "pending"},
                                  headers=headers)
        assert body["code"] in {o["code"] for o in listed.json()["items"]}

    async def test_hospital_admin_adds_a_department_to_their_hospital(self, client, demo,
                                                                      clock):
        headers = await login(client, demo.account("admin_h1"), clock)
        r = await client.post("/organisations", headers=headers,
                              json=_org(demo.organisations["H1"], kind="department"))
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "active"

    async def test_a_new_department_is_within_its_hospitals_scope(self, client, demo, clock):
        """The scope is a prefix of the materialised path: a new department must fall inside
        its hospital's, so the hospital's admin can put users in it."""
        headers = await login(client, demo.account("admin_h1"), clock)
        dept = (await client.post("/organisations", headers=headers, json=_org(
            demo.organisations["H1"], kind="department"))).json()
        r = await client.post("/users", headers=headers, json={
            "org_id": demo.organisations["H1"], "department_id": dept["id"],
            "username": f"u_{uuid.uuid4().hex[:8]}", "display_name": "新科室医生",
            "roles": ["doctor"], "professional_title": "resident",
            "password": "Ward-7#Night-Shift"})
        assert r.status_code == 201, r.text

    async def test_hospital_admin_cannot_add_under_another_hospital(self, client, demo, clock):
        headers = await login(client, demo.account("admin_h1"), clock)
        r = await client.post("/organisations", headers=headers,
                              json=_org(demo.organisations["H2"], kind="department"))
        assert r.status_code == 403

    @pytest.mark.parametrize(("kind", "parent"), [("hospital", "H1"), ("department", "GRP"),
                                                  ("pharmacy", "H1"), ("department", "P1"),
                                                  ("group", "GRP"), ("clinic", "C1")])
    async def test_kinds_only_sit_under_allowed_parents(self, client, demo, clock, kind,
                                                        parent):
        headers = await login(client, demo.account("admin_group"), clock)
        r = await client.post("/organisations", headers=headers,
                              json=_org(demo.organisations[parent], kind=kind))
        assert r.status_code == 422, r.text
        assert r.json()["fields"][0]["field"] == "parent_id"

    async def test_duplicate_code_is_a_conflict(self, client, demo, clock):
        headers = await login(client, demo.account("admin_group"), clock)
        r = await client.post("/organisations", headers=headers,
                              json=_org(demo.organisations["GRP"]) | {"code": "P1"})
        assert r.status_code == 409
        assert r.json()["field"] == "code"

    async def test_unknown_parent(self, client, demo, clock):
        headers = await login(client, demo.account("admin_group"), clock)
        r = await client.post("/organisations", headers=headers, json=_org(str(uuid.uuid4())))
        assert r.status_code == 422

    @pytest.mark.parametrize("actor", ["doctor_wang", "auditor", "secadmin", "store_kangning"])
    async def test_roles_without_the_right_cannot_add(self, client, demo, clock, actor):
        headers = await login(client, demo.account(actor), clock)
        r = await client.post("/organisations", headers=headers,
                              json=_org(demo.organisations["GRP"]))
        assert r.status_code == 403
