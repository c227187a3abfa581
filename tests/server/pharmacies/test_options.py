"""The pharmacies a patient is offered: filtering by mode, region and hospital, open ones first,
stock status from the feed (stale = unknown), then distance; read across organisations whatever
the caller's own scope."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from server.access import scope
from server.core.errors import Unprocessable
from server.pharmacies import service
from server.pharmacies.delivery import DeliveryMode
from server.pharmacies.hours import CHINA
from tests.helpers import login, sql

MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=CHINA)
SUNDAY_10 = datetime(2026, 3, 8, 10, 0, tzinfo=CHINA)
NEAR_P3 = (30.2080, 120.2125)  # 滨江, by P3


@pytest.fixture
def ids(demo):
    return {code: uuid.UUID(i) for code, i in demo.organisations.items()}


@pytest.fixture
async def doctor_scope(app_session, ids):
    """The scope a doctor of H1 has: H1 and its departments, no pharmacy."""
    await scope.set_visible(app_session, await scope.subtree(app_session, ids["H1"]))
    return app_session


async def _options(session, ids, mode, at=MONDAY_10, products=None, **kw):
    return await service.options(session, hospital_id=kw.pop("hospital", ids["H1"]), mode=mode,
                                 at=at, product_quantities=products or {}, **kw)


def _codes(options, ids):
    names = {v: k for k, v in ids.items()}
    return [names[o.pharmacy_id] for o in options]


def _two_products(db) -> list[object]:
    rows = sql(db.owner, "SELECT id FROM catalogue_product WHERE status = 'active'"
                         " AND NOT herbal_pieces ORDER BY standard_code LIMIT 2")
    return [r[0] for r in rows]


def _stock(db, pharmacy, product, quantity, reported_at):
    sql(db.owner, "INSERT INTO pharmacy_stock (pharmacy_id, product_id, quantity, reported_at)"
                  " VALUES (%s, %s, %s, %s) ON CONFLICT (pharmacy_id, product_id) DO UPDATE"
                  " SET quantity = EXCLUDED.quantity, reported_at = EXCLUDED.reported_at",
        (pharmacy, product, quantity, reported_at))


class TestFiltering:
    async def test_store_pickup_offers_the_approved_pharmacies(self, doctor_scope, ids):
        found = await _options(doctor_scope, ids, DeliveryMode.STORE_PICKUP)
        assert set(_codes(found, ids)) == {"P1", "P2", "P3"}  # P4 is pending

    async def test_hospital_delivery_by_hospital(self, doctor_scope, ids):
        h1 = await _options(doctor_scope, ids, DeliveryMode.HOSPITAL_DELIVERY)
        assert set(_codes(h1, ids)) == {"P1", "P2"}
        h2 = await _options(doctor_scope, ids, DeliveryMode.HOSPITAL_DELIVERY,
                            hospital=ids["H2"])
        assert _codes(h2, ids) == ["P1"]

    @pytest.mark.parametrize(("region", "expected"), [
        ("330106", {"P1", "P2", "P3"}),  # 杭州: '33', '3301' and everywhere
        ("310101", {"P1", "P3"}),  # 上海: '31' and everywhere
        ("440106", {"P3"}),  # 广州: only the one delivering everywhere
    ])
    async def test_courier_by_region_prefix(self, doctor_scope, ids, region, expected):
        found = await _options(doctor_scope, ids, DeliveryMode.COURIER, region_code=region)
        assert set(_codes(found, ids)) == expected

    async def test_courier_needs_a_region(self, doctor_scope, ids):
        with pytest.raises(Unprocessable) as error:
            await _options(doctor_scope, ids, DeliveryMode.COURIER)
        assert error.value.extra["field"] == "region_code"

    async def test_a_suspended_pharmacy_is_not_offered(self, db, doctor_scope, ids):
        sql(db.owner, "UPDATE organisation SET status = 'suspended' WHERE id = %s", (ids["P2"],))
        found = await _options(doctor_scope, ids, DeliveryMode.STORE_PICKUP)
        assert set(_codes(found, ids)) == {"P1", "P3"}

    async def test_the_callers_scope_is_restored(self, doctor_scope, ids):
        await _options(doctor_scope, ids, DeliveryMode.STORE_PICKUP)
        from sqlalchemy import text
        visible = (await doctor_scope.execute(
            text("SELECT current_setting('rxp.visible_orgs')"))).scalar_one()
        assert str(ids["P1"]) not in visible and str(ids["H1"]) in visible


class TestOrder:
    async def test_nearest_first_when_all_are_open(self, doctor_scope, ids):
        found = await _options(doctor_scope, ids, DeliveryMode.STORE_PICKUP, origin=NEAR_P3)
        assert _codes(found, ids) == ["P3", "P2", "P1"]
        assert all(o.open_now for o in found)
        assert found[0].distance_km < 0.5 < found[1].distance_km < found[2].distance_km
        assert found[0].today_hours == "08:30–12:00、13:30–20:00"

    async def test_open_ones_first(self, doctor_scope, ids):
        found = await _options(doctor_scope, ids, DeliveryMode.STORE_PICKUP, at=SUNDAY_10,
                               origin=NEAR_P3)
        assert _codes(found, ids) == ["P2", "P1", "P3"]  # P3 is closed on Sundays
        closed = found[-1]
        assert (closed.open_now, closed.today_hours) == (False, "休息")
        assert closed.next_open == datetime(2026, 3, 9, 8, 30, tzinfo=CHINA)
        assert found[0].next_open is None

    async def test_without_an_origin_there_is_no_distance(self, doctor_scope, ids):
        found = await _options(doctor_scope, ids, DeliveryMode.STORE_PICKUP)
        assert {o.distance_km for o in found} == {None}

    async def test_a_holiday_closure_counts(self, db, doctor_scope, ids):
        sql(db.owner, "INSERT INTO pharmacy_closure (id, pharmacy_id, on_date, closed, note)"
                      " VALUES (gen_random_uuid(), %s, '2026-03-02', true, '盘点')", (ids["P2"],))
        found = await _options(doctor_scope, ids, DeliveryMode.STORE_PICKUP, origin=NEAR_P3)
        assert _codes(found, ids) == ["P3", "P1", "P2"]
        assert found[-1].next_open == datetime(2026, 3, 3, 8, 0, tzinfo=CHINA)


class TestStock:
    async def test_stock_status_from_the_feed(self, db, doctor_scope, ids):
        a, b = _two_products(db)
        fresh = MONDAY_10 - timedelta(hours=1)
        for product in (a, b):
            _stock(db, ids["P1"], product, 10, fresh)
        _stock(db, ids["P2"], a, 10, fresh)
        _stock(db, ids["P2"], b, 0, fresh)
        sql(db.owner, "DELETE FROM pharmacy_stock WHERE pharmacy_id = %s", (ids["P3"],))
        found = await _options(doctor_scope, ids, DeliveryMode.STORE_PICKUP, origin=NEAR_P3,
                               products={a: 2, b: 1})
        assert [(c, o.stock) for c, o in zip(_codes(found, ids), found, strict=True)] == [
            ("P1", "in_stock"), ("P2", "partial"), ("P3", "unknown")]
        only_b = await _options(doctor_scope, ids, DeliveryMode.STORE_PICKUP, products={b: 1})
        assert {c: o.stock for c, o in zip(_codes(only_b, ids), only_b, strict=True)}[
            "P2"] == "out_of_stock"
        too_many = await _options(doctor_scope, ids, DeliveryMode.STORE_PICKUP,
                                  products={a: 11})
        assert {o.stock for o in too_many if o.pharmacy_id != ids["P3"]} == {"out_of_stock"}

    async def test_stale_stock_is_unknown(self, db, doctor_scope, ids):
        a, b = _two_products(db)
        for product in (a, b):
            _stock(db, ids["P1"], product, 10, MONDAY_10 - timedelta(hours=25))
            _stock(db, ids["P2"], product, 10, MONDAY_10 - timedelta(hours=23))
        found = await _options(doctor_scope, ids, DeliveryMode.STORE_PICKUP,
                               products={a: 1, b: 1})
        stock = {c: o.stock for c, o in zip(_codes(found, ids), found, strict=True)}
        assert (stock["P1"], stock["P2"]) == ("unknown", "in_stock")
        assert _codes(found, ids)[0] == "P2"
        longer = await _options(doctor_scope, ids, DeliveryMode.STORE_PICKUP,
                                products={a: 1, b: 1}, stale_after=timedelta(hours=48))
        assert {o.stock for o in longer if o.pharmacy_id == ids["P1"]} == {"in_stock"}

    async def test_the_stale_age_is_a_setting(self, client, demo, clock, db, ids):
        a, _ = _two_products(db)
        _stock(db, ids["P1"], a, 10, clock.now() - timedelta(hours=30))
        admin = await login(client, demo.account("admin_group"), clock)
        doctor = await login(client, demo.account("doctor_wang"), clock)
        params = {"hospital_id": str(ids["H1"]), "mode": "store_pickup", "product_id": str(a)}

        async def p1_stock() -> str:
            r = await client.get("/pharmacies/options", params=params, headers=doctor)
            assert r.status_code == 200, r.text
            return next(o["stock"] for o in r.json() if o["pharmacy_id"] == str(ids["P1"]))

        assert await p1_stock() == "unknown"
        r = await client.put("/settings/pharmacy_stock_feed", headers=admin, json={
            "version": 0, "value": {"stale_after_hours": 48}})
        assert r.status_code == 200, r.text
        assert await p1_stock() == "in_stock"


class TestRoute:
    async def test_staff_apps_get_options(self, client, demo, clock, ids):
        doctor = await login(client, demo.account("doctor_wang"), clock)
        r = await client.get("/pharmacies/options", headers=doctor, params={
            "hospital_id": str(ids["H1"]), "mode": "courier", "region_code": "310101",
            "lat": 31.23, "lon": 121.47})
        assert r.status_code == 200, r.text
        body = r.json()
        assert {o["name"] for o in body} == {"康宁大药房（人民路店）", "百草堂药房（滨江店）"}
        assert all(o["distance_km"] > 100 for o in body)

    @pytest.mark.parametrize(("params", "field"), [
        ({"mode": "courier"}, "region_code"),
        ({"mode": "courier", "region_code": "12345"}, "region_code"),
        ({"mode": "store_pickup", "lat": 30.2}, "lon"),
        ({"mode": "drone"}, "query.mode"),
    ])
    async def test_bad_queries_name_the_field(self, client, demo, clock, ids, params, field):
        doctor = await login(client, demo.account("doctor_wang"), clock)
        r = await client.get("/pharmacies/options", headers=doctor,
                             params={"hospital_id": str(ids["H1"]), **params})
        assert r.status_code == 422
        assert r.json()["fields"][0]["field"] == field
