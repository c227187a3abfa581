"""Reading and editing a pharmacy's profile: who may read a pending one, staff editing their
own hours but not another pharmacy's nor the delivery capabilities, optimistic locking, and
only an approved pharmacy receiving orders."""

from __future__ import annotations

import uuid
from typing import cast

import pytest

from server.access import scope
from server.core.errors import Conflict, NotFound
from server.pharmacies import service
from tests.helpers import audit_rows, login, sql
from tests.server.pharmacies.conftest import application

NEW_HOURS = {"1": [["07:30", "12:00"], ["13:00", "22:00"]], "6": [["22:00", "06:00"]]}


async def _get(client, headers, pharmacy_id):
    r = await client.get(f"/pharmacies/{pharmacy_id}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


class TestReading:
    async def test_an_approved_pharmacy_is_public_to_any_signed_in_user(self, client, demo,
                                                                        clock):
        for username in ("doctor_wang", "store_baicao"):
            headers = await login(client, demo.account(username), clock)
            p1 = await _get(client, headers, demo.organisations["P1"])
            assert p1["profile"]["opening_hours"]["1"] == [["00:00", "24:00"]]
            assert p1["profile"]["modes"] == ["hospital_delivery", "store_pickup", "courier"]

    async def test_a_pending_one_only_for_administrators(self, client, demo, clock):
        p4 = demo.organisations["P4"]
        doctor = await login(client, demo.account("doctor_wang"), clock)
        assert (await client.get(f"/pharmacies/{p4}", headers=doctor)).status_code == 403
        admin = await login(client, demo.account("admin_group"), clock)
        assert (await _get(client, admin, p4))["status"] == "pending"

    async def test_row_security_keeps_staff_to_their_own_rows(self, db, demo):
        p3 = demo.organisations["P3"]
        rows = sql(db.app, "SELECT DISTINCT pharmacy_id FROM pharmacy_profile",
                   setup=(f"SELECT set_config('rxp.visible_orgs', '{p3}', false)",))
        assert [str(r[0]) for r in rows] == [p3]
        assert sql(db.app, "SELECT count(*) FROM pharmacy_stock",
                   setup=(f"SELECT set_config('rxp.visible_orgs', '{p3}', false)",)) == [(0,)]


class TestStaffEditing:
    async def test_staff_edit_their_own_hours_and_closures(self, client, demo, clock, db):
        staff = await login(client, demo.account("store_kangning"), clock)
        p1 = demo.organisations["P1"]
        before = await _get(client, staff, p1)
        r = await client.put(f"/pharmacies/{p1}/hours", headers=staff, json={
            "version": before["profile"]["version"], "phone": "0571-86119999",
            "opening_hours": NEW_HOURS,
            "closures": [{"on_date": "2027-02-06", "closed": True, "note": "春节"},
                         {"on_date": "2026-10-01", "closed": False,
                          "hours": [["10:00", "16:00"]]}]})
        assert r.status_code == 200, r.text
        after = r.json()
        assert after["phone"] == "0571-86119999"
        assert after["profile"]["opening_hours"]["1"] == NEW_HOURS["1"]
        assert after["profile"]["opening_hours"]["2"] == []
        assert [c["on_date"] for c in after["profile"]["closures"]] == ["2026-10-01",
                                                                         "2027-02-06"]
        assert after["profile"]["version"] == before["profile"]["version"] + 1
        [event] = audit_rows(db.owner, "action = 'pharmacy.hours_update'")
        assert event["entity_id"] == p1

    async def test_the_same_version_twice_conflicts(self, client, demo, clock):
        staff = await login(client, demo.account("store_kangning"), clock)
        p1 = demo.organisations["P1"]
        version = (await _get(client, staff, p1))["profile"]["version"]
        body = {"version": version, "opening_hours": NEW_HOURS, "closures": []}
        assert (await client.put(f"/pharmacies/{p1}/hours", headers=staff,
                                 json=body)).status_code == 200
        again = await client.put(f"/pharmacies/{p1}/hours", headers=staff, json=body)
        assert again.status_code == 409 and again.json()["error"] == "VersionConflict"

    async def test_not_another_pharmacys_hours(self, client, demo, clock):
        staff = await login(client, demo.account("store_kangning"), clock)
        p2 = demo.organisations["P2"]
        version = (await _get(client, staff, p2))["profile"]["version"]
        r = await client.put(f"/pharmacies/{p2}/hours", headers=staff, json={
            "version": version, "opening_hours": NEW_HOURS, "closures": []})
        assert r.status_code == 403

    async def test_not_the_delivery_capabilities(self, client, demo, clock):
        staff = await login(client, demo.account("store_kangning"), clock)
        p1 = demo.organisations["P1"]
        version = (await _get(client, staff, p1))["profile"]["version"]
        r = await client.put(f"/pharmacies/{p1}/capabilities", headers=staff, json={
            "version": version, "latitude": 30.2, "longitude": 120.1, "region_code": "330106",
            "delivery": {"store_pickup": True, "courier_regions": [""]}})
        assert r.status_code == 403

    @pytest.mark.parametrize(("hours", "field"), [
        ({"1": [["08:00", "12:00"], ["11:00", "13:00"]]}, "body.opening_hours"),
        ({"9": [["08:00", "12:00"]]}, "body.opening_hours"),
    ])
    async def test_bad_hours_name_the_field(self, client, demo, clock, hours, field):
        staff = await login(client, demo.account("store_kangning"), clock)
        p1 = demo.organisations["P1"]
        r = await client.put(f"/pharmacies/{p1}/hours", headers=staff, json={
            "version": 1, "opening_hours": hours, "closures": []})
        assert r.status_code == 422
        assert r.json()["fields"][0]["field"] == field

    async def test_a_closure_date_twice(self, client, demo, clock):
        staff = await login(client, demo.account("store_kangning"), clock)
        p1 = demo.organisations["P1"]
        version = (await _get(client, staff, p1))["profile"]["version"]
        day = {"on_date": "2027-02-06", "closed": True}
        r = await client.put(f"/pharmacies/{p1}/hours", headers=staff, json={
            "version": version, "opening_hours": NEW_HOURS, "closures": [day, day]})
        assert r.status_code == 422 and r.json()["field"] == "closures"


class TestAdministratorEditing:
    async def test_admin_sets_location_and_capabilities(self, client, demo, clock, db):
        admin = await login(client, demo.account("admin_group"), clock)
        p3 = demo.organisations["P3"]
        version = (await _get(client, admin, p3))["profile"]["version"]
        r = await client.put(f"/pharmacies/{p3}/capabilities", headers=admin, json={
            "version": version, "latitude": 30.21, "longitude": 120.22, "region_code": "330108",
            "delivery": {"store_pickup": False, "hospital_delivery": True,
                         "delivery_hospital_ids": [demo.organisations["H2"]],
                         "courier_regions": ["33"], "same_day_delivery": True}})
        assert r.status_code == 200, r.text
        profile = r.json()["profile"]
        assert profile["modes"] == ["hospital_delivery", "courier"]
        assert (profile["latitude"], profile["delivery"]["same_day_delivery"]) == (30.21, True)
        [event] = audit_rows(db.owner, "action = 'pharmacy.capabilities_update'")
        assert cast(dict, event["summary"])["region_code"] == "330108"

    async def test_hospital_delivery_without_hospitals(self, client, demo, clock):
        admin = await login(client, demo.account("admin_group"), clock)
        p3 = demo.organisations["P3"]
        r = await client.put(f"/pharmacies/{p3}/capabilities", headers=admin, json={
            "version": 1, "latitude": 30.21, "longitude": 120.22, "region_code": "330108",
            "delivery": {"hospital_delivery": True}})
        assert r.status_code == 422
        assert r.json()["fields"][0]["field"] == "body.delivery"


class TestReceiving:
    async def test_apply_approve_then_receive(self, client, demo, clock, app_session):
        created = await client.post("/pharmacies/applications", json=application())
        pharmacy = created.json()
        pharmacy_id = uuid.UUID(pharmacy["id"])
        await scope.set_visible(app_session, None)
        with pytest.raises(Conflict, match="未通过遴选") as refused:
            await service.require_receiving(app_session, pharmacy_id)
        assert refused.value.extra["field"] == "pharmacy_id"
        await app_session.rollback()
        admin = await login(client, demo.account("admin_group"), clock)
        r = await client.post(f"/pharmacies/{pharmacy_id}/approve", headers=admin,
                              json={"version": pharmacy["version"]})
        assert r.status_code == 200
        org = await service.require_receiving(app_session, pharmacy_id)
        assert org.id == pharmacy_id

    async def test_suspended_and_pending_are_refused(self, db, demo, app_session):
        p2, p4 = uuid.UUID(demo.organisations["P2"]), uuid.UUID(demo.organisations["P4"])
        assert (await service.require_receiving(app_session, p2)).code == "P2"
        with pytest.raises(Conflict, match="未通过遴选"):
            await service.require_receiving(app_session, p4)
        await app_session.rollback()
        sql(db.owner, "UPDATE organisation SET status = 'suspended' WHERE id = %s", (p2,))
        with pytest.raises(Conflict, match="已暂停"):
            await service.require_receiving(app_session, p2)

    async def test_not_a_pharmacy(self, demo, app_session):
        with pytest.raises(NotFound):
            await service.require_receiving(app_session, uuid.UUID(demo.organisations["H1"]))
