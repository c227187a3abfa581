"""Courier tariffs over HTTP: a change is a new version from its date (history kept), the quote
follows the version in effect, and a CSV import is all or nothing with the bad rows listed."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from server.delivery.service import business_day
from tests.helpers import audit_rows, login, sql

RULES = [{"region_prefix": "", "region_name": "全国", "first_weight_g": 1000,
          "first_fee_fen": 2500, "step_weight_g": 1000, "step_fee_fen": 1500},
         {"region_prefix": "33", "region_name": "浙江省内", "first_weight_g": 1000,
          "first_fee_fen": 1300, "step_weight_g": 500, "step_fee_fen": 150}]
HEADER = ("carrier_code,carrier_name,effective_from,region_prefix,region_name,first_weight_g,"
          "first_fee_fen,step_weight_g,step_fee_fen,distance_bands\n")


def _versions(db) -> object:
    return sql(db.owner, "SELECT count(*) FROM courier_tariff")[0][0]


class TestVersions:
    async def test_a_new_version_takes_effect_from_its_date(self, client, demo, clock, db):
        admin = await login(client, demo.account("admin_group"), clock)
        tomorrow = business_day(clock.now()) + timedelta(days=1)
        r = await client.put("/tariffs/SF", headers=admin, json={
            "version": 1, "carrier_name": "顺丰速运", "effective_from": str(tomorrow),
            "note": "2026 年调价", "rules": RULES})
        assert r.status_code == 201, r.text
        assert r.json()["tariff_version"] == 2
        params = {"region_code": "330206", "weight_g": 2000, "carrier_code": "SF"}
        today = await client.get("/tariffs/quote", params=params, headers=admin)
        assert (today.json()["tariff_version"], today.json()["fee_fen"]) == (1, 1200 + 200)
        history = await client.get("/tariffs/SF", headers=admin)
        assert [v["tariff_version"] for v in history.json()] == [1, 2]
        [event] = audit_rows(db.owner, "action = 'tariff.create'")
        assert cast(dict, event["summary"])["tariff_version"] == 2

        clock.advance(days=1)
        admin = await login(client, demo.account("admin_group"), clock)
        later = await client.get("/tariffs/quote", params=params, headers=admin)
        # 浙江省内 of version 2: 首重 1000 g ¥13.00, 1000 g more = 2 steps of 500 g × ¥1.50.
        assert (later.json()["tariff_version"], later.json()["fee_fen"]) == (2, 1300 + 2 * 150)
        assert later.json()["rule"] == "浙江省内：首重1000克13.00元，续重2×1.50元（每500克）"
        current = await client.get("/tariffs", headers=admin)
        assert {(t["carrier_code"], t["tariff_version"]) for t in current.json()} == {
            ("SF", 2), ("JD", 1)}

    async def test_dates_versions_and_rights(self, client, demo, clock):
        admin = await login(client, demo.account("admin_group"), clock)
        today = business_day(clock.now())
        body = {"version": 1, "carrier_name": "顺丰速运", "rules": RULES}
        past = await client.put("/tariffs/SF", headers=admin,
                                json={**body, "effective_from": str(today - timedelta(days=1))})
        assert past.status_code == 422 and past.json()["field"] == "effective_from"
        stale = await client.put("/tariffs/SF", headers=admin,
                                 json={**body, "version": 0, "effective_from": str(today)})
        assert stale.status_code == 409 and stale.json()["error"] == "VersionConflict"
        twice = await client.put("/tariffs/SF", headers=admin, json={
            **body, "effective_from": str(today), "rules": RULES + RULES[:1]})
        assert twice.status_code == 422
        doctor = await login(client, demo.account("doctor_wang"), clock)
        refused = await client.put("/tariffs/SF", headers=doctor,
                                   json={**body, "effective_from": str(today)})
        assert refused.status_code == 403
        new_carrier = await client.put("/tariffs/YTO", headers=admin, json={
            **body, "version": 0, "carrier_name": "圆通速递", "effective_from": str(today)})
        assert new_carrier.status_code == 201 and new_carrier.json()["tariff_version"] == 1


class TestImport:
    async def test_a_good_file(self, client, demo, clock, db):
        admin = await login(client, demo.account("admin_group"), clock)
        day = business_day(clock.now()) + timedelta(days=3)
        csv_text = HEADER + (
            f"SF,顺丰速运,{day},,全国,1000,2400,1000,1400,\n"
            f"SF,顺丰速运,{day},3301,杭州同城,1000,1000,1000,200,3:600;5:800\n"
            f"ZTO,中通快递,{day},,全国,1000,1200,1000,600,\n")
        dry = await client.post("/tariffs/import", params={"dry_run": "true"}, headers={
            **admin, "Content-Type": "text/csv"}, content=csv_text.encode())
        assert dry.status_code == 200, dry.text
        assert dry.json()["imported"] is False and _versions(db) == 2
        r = await client.post("/tariffs/import", headers={**admin, "Content-Type": "text/csv"},
                              content=csv_text.encode())
        assert r.status_code == 200, r.text
        assert r.json()["imported"] is True
        assert {(v["carrier_code"], v["tariff_version"], v["rules"])
                for v in r.json()["versions"]} == {("SF", 2, 2), ("ZTO", 1, 1)}
        bands = sql(db.owner, "SELECT r.distance_bands FROM courier_tariff_rule r JOIN"
                              " courier_tariff t ON t.id = r.tariff_id WHERE t.carrier_code ="
                              " 'SF' AND t.tariff_version = 2 AND r.region_prefix = '3301'")
        assert bands == [([{"up_to_km": 3.0, "fee_fen": 600}, {"up_to_km": 5.0,
                                                                 "fee_fen": 800}],)]

    async def test_a_bad_row_changes_nothing_and_is_listed(self, client, demo, clock, db):
        admin = await login(client, demo.account("admin_group"), clock)
        day = business_day(clock.now()) + timedelta(days=3)
        csv_text = HEADER + (
            f"SF,顺丰速运,{day},,全国,1000,2400,1000,1400,\n"
            f"SF,顺丰速运,{day},33,浙江省内,1000,-5,1000,200,\n"
            f"SF,顺丰速运,{day},,全国,1000,2400,1000,1400,\n"
            f"SF,顺丰速运,{day},3301,杭州同城,1000,1000,1000,200,3km\n"
            f"ZTO,中通快递,{day},,全国,1000,1200,1000,600,\n")
        before = _versions(db)
        r = await client.post("/tariffs/import", headers={**admin, "Content-Type": "text/csv"},
                              content=csv_text.encode())
        assert r.status_code == 422, r.text
        rows = [(e["row"], e["field"]) for e in r.json()["rows"]]
        assert rows == [(3, "first_fee_fen"), (4, "region_prefix"), (5, "distance_bands")]
        assert "第 2 行" in r.json()["rows"][1]["reason"]
        assert "3、4、5" in r.json()["detail"]
        assert _versions(db) == before

    async def test_a_past_date_and_a_missing_column(self, client, demo, clock, db):
        admin = await login(client, demo.account("admin_group"), clock)
        past = business_day(clock.now()) - timedelta(days=1)
        r = await client.post("/tariffs/import", headers={**admin, "Content-Type": "text/csv"},
                              content=(HEADER + f"JD,京东快递,{past},,全国,1000,1,1000,1,\n"
                                       ).encode())
        assert r.status_code == 422 and r.json()["rows"][0]["field"] == "effective_from"
        r = await client.post("/tariffs/import", headers={**admin, "Content-Type": "text/csv"},
                              content=b"carrier_code,region_prefix\nJD,33\n")
        assert r.status_code == 422 and "缺少列" in r.json()["detail"]

    async def test_a_file_that_is_not_csv_is_refused_not_500(self, client, demo, clock):
        """Found by the fuzz drill: a line break inside an unquoted field was a 500."""
        admin = await login(client, demo.account("admin_group"), clock)
        r = await client.post("/tariffs/import", headers={**admin, "Content-Type": "text/csv"},
                              content="7渏_;\r\u0086\u0005".encode())
        assert r.status_code == 422 and r.json()["fields"][0]["field"] == "body", r.text
        assert "CSV 格式有误" in r.json()["detail"]
        at = await client.get("/tariffs", headers=admin, params={"at": "0.0"})
        assert at.status_code == 422 and "at" in at.json()["fields"][0]["field"]
        r = await client.post("/tariffs/import", headers={**admin, "Content-Type": "text/csv"},
                              content=b"\xff\xfe\x00")
        assert r.status_code == 422 and r.json()["field"] == "body"
