"""SQL of the insurance claims, and the order facts a claim is made of."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalogue.models import CatalogueProduct
from server.circulation.models import DispensedPackage, OrderLine
from server.insurance.models import InsuranceClaim


async def for_order(session: AsyncSession, order_id: uuid.UUID, *,
                    lock: bool = False) -> InsuranceClaim | None:
    query = select(InsuranceClaim).where(InsuranceClaim.order_id == order_id)
    if lock:
        query = query.with_for_update()
    claim: InsuranceClaim | None = await session.scalar(query)
    return claim


async def order_lines(session: AsyncSession,
                      order_id: uuid.UUID) -> Sequence[tuple[OrderLine, CatalogueProduct]]:
    rows = await session.execute(
        select(OrderLine, CatalogueProduct)
        .join(CatalogueProduct, CatalogueProduct.id == OrderLine.product_id)
        .where(OrderLine.order_id == order_id).order_by(OrderLine.line_no))
    return [(line, product) for line, product in rows]


async def packages(session: AsyncSession, order_id: uuid.UUID) -> Sequence[DispensedPackage]:
    return (await session.scalars(
        select(DispensedPackage).where(DispensedPackage.order_id == order_id)
        .order_by(DispensedPackage.scanned_at))).all()
