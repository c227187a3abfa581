"""All SQL of courier tariffs and shipment weights."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalogue.models import CatalogueProduct
from server.delivery.models import CourierTariff, CourierTariffRule


async def versions(session: AsyncSession, carrier_code: str | None = None
                   ) -> Sequence[CourierTariff]:
    stmt = select(CourierTariff)
    if carrier_code is not None:
        stmt = stmt.where(CourierTariff.carrier_code == carrier_code)
    return (await session.scalars(stmt.order_by(CourierTariff.carrier_code,
                                                CourierTariff.tariff_version))).all()


async def latest(session: AsyncSession, carrier_code: str) -> CourierTariff | None:
    return (await session.scalars(select(CourierTariff).where(
        CourierTariff.carrier_code == carrier_code).order_by(
        CourierTariff.tariff_version.desc()).limit(1))).first()


async def in_effect(session: AsyncSession, day: date,
                    carrier_code: str | None = None) -> Sequence[CourierTariff]:
    """Each carrier's version in effect on `day` (the latest that started by then)."""
    stmt = select(CourierTariff).where(CourierTariff.effective_from <= day)
    if carrier_code is not None:
        stmt = stmt.where(CourierTariff.carrier_code == carrier_code)
    stmt = stmt.ext(distinct_on(CourierTariff.carrier_code)).order_by(
        CourierTariff.carrier_code, CourierTariff.effective_from.desc())
    return (await session.scalars(stmt)).all()


async def rules(session: AsyncSession, tariff_ids: Iterable[uuid.UUID]
                ) -> dict[uuid.UUID, list[CourierTariffRule]]:
    found: dict[uuid.UUID, list[CourierTariffRule]] = {}
    rows = await session.scalars(select(CourierTariffRule).where(
        CourierTariffRule.tariff_id.in_(list(tariff_ids))).order_by(
        func.length(CourierTariffRule.region_prefix), CourierTariffRule.region_prefix))
    for rule in rows.all():
        found.setdefault(rule.tariff_id, []).append(rule)
    return found


async def package_weights(session: AsyncSession, product_ids: Iterable[uuid.UUID]
                          ) -> dict[uuid.UUID, int]:
    rows = await session.execute(select(CatalogueProduct.id, CatalogueProduct.package_weight_g)
                                 .where(CatalogueProduct.id.in_(list(product_ids))))
    return {row.id: row.package_weight_g for row in rows}
