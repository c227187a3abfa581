"""Courier fees from the carriers' published tariffs, and the weight of a shipment.

The fee of a parcel: the rule of the longest region prefix that the destination starts with
('330106' district > '3301' city > '33' province > '' everywhere); the first weight's fee (or,
for a same-city delivery whose distance is known and within a band, that band's fee) plus one
step fee for every started step of weight beyond the first weight.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server.core.errors import NotFound, Unprocessable
from server.delivery import repository
from server.delivery.models import CourierTariff, CourierTariffRule
from server.pharmacies.codes import region_code as check_region_code
from server.pharmacies.hours import CHINA
from server.platform_settings.registry import CourierShipping
from server.platform_settings.service import load


@dataclass(frozen=True)
class FeeQuote:
    carrier_code: str
    carrier_name: str
    fee_fen: int
    tariff_version: int
    # How the fee was computed, in Chinese, e.g. "浙江省内：首重1000克12.00元，续重2×2.00元".
    rule: str
    region_prefix: str = ""
    effective_from: date | None = None


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}元"


def business_day(at: datetime) -> date:
    """The calendar day in China, the day a tariff version is compared with."""
    return at.astimezone(CHINA).date()


def best_rule(rules: Sequence[CourierTariffRule], region_code: str) -> CourierTariffRule | None:
    matching = [r for r in rules if region_code.startswith(r.region_prefix)]
    return max(matching, key=lambda r: len(r.region_prefix), default=None)


def fee_for(rule: CourierTariffRule, *, weight_g: int,
            distance_km: float | None) -> tuple[int, str]:
    """(fee in fen, the computation in words) for one parcel under `rule`."""
    band = None
    if distance_km is not None:
        band = next((b for b in sorted(rule.distance_bands, key=lambda b: b["up_to_km"])
                     if distance_km <= b["up_to_km"]), None)
    if band is not None:
        fee = int(band["fee_fen"])
        text = (f"{rule.region_name}：同城{band['up_to_km']:g}公里内{yuan(fee)}"
                f"（含首重{rule.first_weight_g}克）")
    else:
        fee = rule.first_fee_fen
        text = f"{rule.region_name}：首重{rule.first_weight_g}克{yuan(fee)}"
    steps = math.ceil(max(0, weight_g - rule.first_weight_g) / rule.step_weight_g)
    if steps:
        fee += steps * rule.step_fee_fen
        text += f"，续重{steps}×{yuan(rule.step_fee_fen)}（每{rule.step_weight_g}克）"
    return fee, text


def _quote(tariff: CourierTariff, rule: CourierTariffRule, *, weight_g: int,
           distance_km: float | None) -> FeeQuote:
    fee, text = fee_for(rule, weight_g=weight_g, distance_km=distance_km)
    return FeeQuote(carrier_code=tariff.carrier_code, carrier_name=tariff.carrier_name,
                    fee_fen=fee, tariff_version=tariff.tariff_version, rule=text,
                    region_prefix=rule.region_prefix, effective_from=tariff.effective_from)


async def quote_courier_fee(session: AsyncSession, *, region_code: str, weight_g: int,
                            distance_km: float | None, at: datetime,
                            carrier_code: str | None = None) -> FeeQuote:
    """The fee to send `weight_g` grams to `region_code` at `at`, by the tariff version then in
    effect: of `carrier_code`, or of the cheapest carrier serving the region when None."""
    try:
        region_code = check_region_code(region_code)
    except ValueError as exc:
        raise Unprocessable(str(exc), field="region_code") from None
    if weight_g <= 0:
        raise Unprocessable("重量应大于 0 克", field="weight_g")
    if distance_km is not None and distance_km < 0:
        raise Unprocessable("距离不能为负", field="distance_km")
    tariffs = await repository.in_effect(session, business_day(at), carrier_code)
    if not tariffs:
        raise NotFound("该承运商没有生效的运费标准" if carrier_code else "没有生效的快递运费标准")
    rules_of = await repository.rules(session, [t.id for t in tariffs])
    quotes = []
    for tariff in tariffs:
        rule = best_rule(rules_of.get(tariff.id, []), region_code)
        if rule is not None:
            quotes.append(_quote(tariff, rule, weight_g=weight_g, distance_km=distance_km))
    if not quotes:
        raise Unprocessable("该地区不在快递服务范围内", field="region_code")
    return min(quotes, key=lambda q: (q.fee_fen, q.carrier_code))


async def shipment_weight_g(session: AsyncSession,
                            product_quantities: dict[uuid.UUID, int]) -> int:
    """The parcel's weight: each product's package weight times its quantity, plus the packing
    allowance (platform setting `courier_shipping`)."""
    weights = await repository.package_weights(session, product_quantities)
    missing = set(product_quantities) - set(weights)
    if missing:
        raise Unprocessable(f"目录中没有品种 {', '.join(sorted(map(str, missing)))}",
                            field="product_quantities")
    if any(q < 0 for q in product_quantities.values()):
        raise Unprocessable("数量不能为负", field="product_quantities")
    allowance = (await load(session, CourierShipping)).packing_allowance_g
    return allowance + sum(weights[p] * q for p, q in product_quantities.items())
