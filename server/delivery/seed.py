"""Demo courier tariffs in the style of the carriers' public price lists (近似公开报价，仅供演示).

Idempotent: a carrier that has any version keeps what it has.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.delivery.models import CourierTariff, CourierTariffRule

SEED_FROM = date(2025, 1, 1)  # in the past: seeded tariffs are in effect whenever the seed runs
SEED_BY = "系统管理员（演示数据）"

# carrier code, name, rules: (prefix, region name, first g, first fen, step g, step fen, bands)
Rule = tuple[str, str, int, int, int, int, list[tuple[float, int]]]
TARIFFS: list[tuple[str, str, list[Rule]]] = [
    ("SF", "顺丰速运", [
        ("", "全国", 1000, 2300, 1000, 1300, []),
        ("31", "江浙沪", 1000, 1400, 1000, 500, []),
        ("32", "江浙沪", 1000, 1400, 1000, 500, []),
        ("33", "浙江省内", 1000, 1200, 1000, 200, []),
        ("3301", "杭州同城", 1000, 1000, 1000, 200, [(3, 600), (5, 800)]),
    ]),
    ("JD", "京东快递", [
        ("", "全国", 1000, 1800, 1000, 800, []),
        ("31", "江浙沪", 1000, 1300, 1000, 400, []),
        ("32", "江浙沪", 1000, 1300, 1000, 400, []),
        ("33", "浙江省内", 1000, 1000, 1000, 300, []),
    ]),
]


async def seed_tariffs(session: AsyncSession) -> None:
    for code, name, rules in TARIFFS:
        if (await session.scalars(select(CourierTariff).where(
                CourierTariff.carrier_code == code).limit(1))).first() is not None:
            continue
        tariff = CourierTariff(carrier_code=code, carrier_name=name, tariff_version=1,
                               effective_from=SEED_FROM, note="演示数据",
                               created_by_name=SEED_BY)
        session.add(tariff)
        await session.flush()
        session.add_all(CourierTariffRule(
            tariff_id=tariff.id, region_prefix=prefix, region_name=region, first_weight_g=fw,
            first_fee_fen=ff, step_weight_g=sw, step_fee_fen=sf,
            distance_bands=[{"up_to_km": km, "fee_fen": fee} for km, fee in bands])
            for prefix, region, fw, ff, sw, sf, bands in rules)
    await session.flush()
