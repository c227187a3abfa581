"""Courier fees: the longest region prefix wins, first weight plus started steps, same-city
distance bands, the version in effect on the day, the cheapest carrier; and shipment weights."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from server.core.errors import NotFound, Unprocessable
from server.delivery.models import CourierTariffRule
from server.delivery.service import best_rule, fee_for, quote_courier_fee, shipment_weight_g
from tests.helpers import sql

NOW = datetime(2026, 5, 6, 3, 0, tzinfo=UTC)


def rule(prefix: str, first_g=1000, first=1200, step_g=1000, step=200, bands=()):
    return CourierTariffRule(region_prefix=prefix, region_name=f"区域{prefix or '全国'}",
                             first_weight_g=first_g, first_fee_fen=first, step_weight_g=step_g,
                             step_fee_fen=step,
                             distance_bands=[{"up_to_km": k, "fee_fen": f} for k, f in bands])


RULES = (rule(""), rule("33"), rule("3301"), rule("330106"), rule("31"))


class TestRules:
    @pytest.mark.parametrize(("region", "prefix"), [
        ("330106", "330106"), ("330108", "3301"), ("330206", "33"), ("310101", "31"),
        ("440106", "")])
    def test_longest_prefix_wins(self, region, prefix):
        found = best_rule(RULES, region)
        assert found is not None and found.region_prefix == prefix

    def test_no_rule_without_a_catch_all(self):
        assert best_rule([rule("33")], "440106") is None

    @pytest.mark.parametrize(("weight", "fee", "steps"), [
        (1, 1200, 0), (1000, 1200, 0), (1001, 1400, 1), (2000, 1400, 1), (2001, 1600, 2),
        (5500, 2200, 5)])
    def test_first_weight_and_started_steps(self, weight, fee, steps):
        got, text = fee_for(rule("33"), weight_g=weight, distance_km=None)
        assert got == fee
        assert text.startswith("区域33：首重1000克12.00元")
        assert (f"续重{steps}×2.00元" in text) == bool(steps)

    def test_distance_bands(self):
        city = rule("3301", first=1000, bands=[(3, 600), (5, 800)])
        assert fee_for(city, weight_g=800, distance_km=2.9)[0] == 600
        assert fee_for(city, weight_g=800, distance_km=3.0)[0] == 600
        assert fee_for(city, weight_g=800, distance_km=4.2)[0] == 800
        fee, text = fee_for(city, weight_g=2500, distance_km=4.2)
        assert (fee, text) == (800 + 2 * 200, "区域3301：同城5公里内8.00元（含首重1000克），"
                                              "续重2×2.00元（每1000克）")
        assert fee_for(city, weight_g=800, distance_km=5.1)[0] == 1000  # beyond: first weight
        assert fee_for(city, weight_g=800, distance_km=None)[0] == 1000


class TestSeededTariff:
    """Hand-computed from the demo tariffs (server/delivery/seed.py)."""

    async def test_sf_within_hangzhou(self, app_session):
        quote = await quote_courier_fee(app_session, region_code="330106", weight_g=2500,
                                        distance_km=None, at=NOW, carrier_code="SF")
        # 杭州同城 (prefix 3301): 首重 1000 g ¥10.00, 1500 g more = 2 steps of 1000 g × ¥2.00.
        assert quote.fee_fen == 1000 + 2 * 200
        assert quote.rule == "杭州同城：首重1000克10.00元，续重2×2.00元（每1000克）"
        assert (quote.carrier_code, quote.carrier_name, quote.tariff_version) == (
            "SF", "顺丰速运", 1)

    async def test_sf_same_city_band(self, app_session):
        quote = await quote_courier_fee(app_session, region_code="330106", weight_g=2500,
                                        distance_km=4.0, at=NOW, carrier_code="SF")
        assert quote.fee_fen == 800 + 2 * 200  # the 5 km band replaces the first weight

    @pytest.mark.parametrize(("region", "fee"), [
        ("330206", 1200 + 2 * 200),  # 宁波: 浙江省内
        ("320102", 1400 + 2 * 500),  # 南京: 江浙沪
        ("440106", 2300 + 2 * 1300),  # 广州: 全国
    ])
    async def test_sf_by_region(self, app_session, region, fee):
        quote = await quote_courier_fee(app_session, region_code=region, weight_g=3000,
                                        distance_km=None, at=NOW, carrier_code="SF")
        assert quote.fee_fen == fee

    async def test_the_cheapest_carrier_when_none_is_named(self, app_session):
        hangzhou = await quote_courier_fee(app_session, region_code="330106", weight_g=2500,
                                           distance_km=None, at=NOW)
        assert (hangzhou.carrier_code, hangzhou.fee_fen) == ("SF", 1400)  # JD: 1000 + 2×300
        guangzhou = await quote_courier_fee(app_session, region_code="440106", weight_g=2500,
                                            distance_km=None, at=NOW)
        assert (guangzhou.carrier_code, guangzhou.fee_fen) == ("JD", 1800 + 2 * 800)

    async def test_before_any_tariff_and_bad_input(self, app_session):
        with pytest.raises(NotFound):
            await quote_courier_fee(app_session, region_code="330106", weight_g=100,
                                    distance_km=None, at=datetime(2024, 1, 1, tzinfo=UTC))
        with pytest.raises(Unprocessable) as bad:
            await quote_courier_fee(app_session, region_code="3301", weight_g=100,
                                    distance_km=None, at=NOW)
        assert bad.value.extra["field"] == "region_code"
        with pytest.raises(NotFound):
            await quote_courier_fee(app_session, region_code="330106", weight_g=100,
                                    distance_km=None, at=NOW, carrier_code="EMS")


class TestShipmentWeight:
    def _product(self, db, where: str) -> uuid.UUID:
        found = sql(db.owner, f"SELECT id FROM catalogue_product WHERE {where} LIMIT 1")  # noqa: S608
        return uuid.UUID(str(found[0][0]))

    async def test_package_weights_by_kind_plus_packing(self, db, app_session):
        tablet = self._product(db, "dosage_form = '片剂'")
        injection = self._product(db, "dosage_form = '注射剂'")
        consumable = self._product(db, "item_type = 'consumable'")
        herbal = self._product(db, "herbal_pieces")
        weight = await shipment_weight_g(app_session, {tablet: 2, injection: 1, consumable: 3,
                                                       herbal: 150})
        # packing 200 g + tablets 2×60 + injection 250 + consumables 3×150 + 150 g of herbs.
        assert weight == 200 + 2 * 60 + 250 + 3 * 150 + 150

    async def test_a_set_weight_wins_and_the_column_is_required(self, db, app_session):
        tablet = self._product(db, "dosage_form = '片剂'")
        sql(db.owner, "UPDATE catalogue_product SET package_weight_g = 95 WHERE id = %s",
            (tablet,))
        assert await shipment_weight_g(app_session, {tablet: 1}) == 200 + 95

    async def test_unknown_product(self, app_session):
        with pytest.raises(Unprocessable) as error:
            await shipment_weight_g(app_session, {uuid.uuid4(): 1})
        assert error.value.extra["field"] == "product_quantities"


def test_business_day_is_chinas():
    from server.delivery.service import business_day
    assert business_day(datetime(2026, 5, 6, 17, 0, tzinfo=UTC)) == date(2026, 5, 7)
