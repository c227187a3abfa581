"""The stock feed: pharmacy staff report quantities (upsert, by product id or 本位码), bad rows
are named and nothing is stored, other pharmacies' staff are refused, old reports read stale."""

from __future__ import annotations

import uuid
from typing import cast

import pytest

from tests.helpers import audit_rows, login, sql


@pytest.fixture
def products(db):
    rows = sql(db.owner, "SELECT id, standard_code FROM catalogue_product WHERE status = 'active'"
                         " AND standard_code IS NOT NULL ORDER BY standard_code LIMIT 3")
    return [(str(r[0]), r[1]) for r in rows]


def _count(db, pharmacy):
    return sql(db.owner, "SELECT count(*) FROM pharmacy_stock WHERE pharmacy_id = %s",
               (pharmacy,))[0][0]


class TestReport:
    async def test_staff_report_by_id_and_by_code(self, client, demo, clock, db, products):
        staff = await login(client, demo.account("store_baicao"), clock)
        p3 = demo.organisations["P3"]
        (a, _), (_, code_b) = products[0], products[1]
        r = await client.put(f"/pharmacies/{p3}/stock", headers=staff, json={"items": [
            {"product_id": a, "quantity": 12}, {"code": code_b, "quantity": 0}]})
        assert r.status_code == 200, r.text
        got = {i["product_id"]: (i["quantity"], i["stale"]) for i in r.json()["items"]}
        assert got[a] == (12, False) and got[products[1][0]] == (0, False)
        again = await client.put(f"/pharmacies/{p3}/stock", headers=staff, json={"items": [
            {"product_id": a, "quantity": 3}]})
        assert {i["product_id"]: i["quantity"] for i in again.json()["items"]}[a] == 3
        assert _count(db, p3) == 2  # upsert, the other row kept
        events = audit_rows(db.owner, "action = 'pharmacy.stock_report'")
        assert [cast(dict, e["summary"])["rows"] for e in events] == [2, 1]

    async def test_bad_rows_are_named_and_nothing_is_stored(self, client, demo, clock, db,
                                                           products):
        staff = await login(client, demo.account("store_baicao"), clock)
        p3 = demo.organisations["P3"]
        (a, code_a) = products[0]
        r = await client.put(f"/pharmacies/{p3}/stock", headers=staff, json={"items": [
            {"product_id": a, "quantity": 1},
            {"product_id": str(uuid.uuid4()), "quantity": 1},
            {"code": "86999999999999", "quantity": 1},
            {"code": code_a, "quantity": 4}]})
        assert r.status_code == 422
        fields = [(f["field"], f["message"]) for f in r.json()["fields"]]
        assert [f for f, _ in fields] == ["items.1.product_id", "items.2.code", "items.3.code"]
        assert fields[0][1].startswith("第 2 行") and "第 1 行" in fields[2][1]
        assert _count(db, p3) == 0

    @pytest.mark.parametrize(("row", "field"), [
        ({"quantity": -1}, "body.items.0.quantity"),
        ({"quantity": "many"}, "body.items.0.quantity"),
        ({"code": "86900000000000", "quantity": 1}, "body.items.0"),
    ])
    async def test_malformed_rows(self, client, demo, clock, products, row, field):
        staff = await login(client, demo.account("store_baicao"), clock)
        r = await client.put(f"/pharmacies/{demo.organisations['P3']}/stock", headers=staff,
                             json={"items": [{"product_id": products[0][0], **row}]})
        assert r.status_code == 422
        assert r.json()["fields"][0]["field"] == field

    async def test_the_list_is_bounded(self, client, demo, clock, products):
        admin = await login(client, demo.account("admin_group"), clock)
        r = await client.put("/settings/pharmacy_stock_feed", headers=admin, json={
            "version": 0, "value": {"max_rows_per_report": 2}})
        assert r.status_code == 200
        staff = await login(client, demo.account("store_baicao"), clock)
        r = await client.put(f"/pharmacies/{demo.organisations['P3']}/stock", headers=staff,
                             json={"items": [{"product_id": p, "quantity": 1}
                                             for p, _ in products]})
        assert r.status_code == 422 and r.json()["field"] == "items"

    async def test_only_the_pharmacys_own_staff(self, client, demo, clock, products):
        body = {"items": [{"product_id": products[0][0], "quantity": 1}]}
        p3 = demo.organisations["P3"]
        for username in ("store_kangning", "admin_group", "doctor_wang"):
            headers = await login(client, demo.account(username), clock)
            r = await client.put(f"/pharmacies/{p3}/stock", headers=headers, json=body)
            assert r.status_code == 403, username


class TestRead:
    async def test_old_reports_read_stale(self, client, demo, clock):
        staff = await login(client, demo.account("store_kangning"), clock)
        p1 = demo.organisations["P1"]
        r = await client.get(f"/pharmacies/{p1}/stock", headers=staff)
        assert r.status_code == 200
        assert len(r.json()["items"]) == 36 and not any(i["stale"] for i in r.json()["items"])
        clock.advance(hours=25)
        staff = await login(client, demo.account("store_kangning"), clock)
        r = await client.get(f"/pharmacies/{p1}/stock", headers=staff)
        assert all(i["stale"] for i in r.json()["items"])
        assert r.json()["stale_after_hours"] == 24

    async def test_administrators_read_other_staff_do_not(self, client, demo, clock):
        p1 = demo.organisations["P1"]
        admin = await login(client, demo.account("admin_group"), clock)
        assert (await client.get(f"/pharmacies/{p1}/stock", headers=admin)).status_code == 200
        other = await login(client, demo.account("store_yimin"), clock)
        assert (await client.get(f"/pharmacies/{p1}/stock", headers=other)).status_code == 403
