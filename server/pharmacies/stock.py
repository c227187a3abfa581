"""The stock feed (optional per pharmacy): what its staff report it holds, and what that says
about a prescription's products.

A pharmacy that never reports simply has no entries: its stock reads "unknown", as does an entry
older than the configured age (platform setting `pharmacy_stock_feed`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from server.access.roles import Permission
from server.catalogue.models import ProductStatus
from server.core.context import Principal, RequestContext
from server.core.errors import NotPermitted, Unprocessable
from server.pharmacies import repository
from server.pharmacies.schemas import StockEntryOut, StockOut, StockReport
from server.platform_settings.registry import PharmacyStockFeed
from server.platform_settings.service import load

StockStatus = Literal["in_stock", "partial", "out_of_stock", "unknown"]


async def settings(session: AsyncSession) -> PharmacyStockFeed:
    return await load(session, PharmacyStockFeed)


async def stale_after(session: AsyncSession) -> timedelta:
    return timedelta(hours=(await settings(session)).stale_after_hours)


def status(known: Mapping[uuid.UUID, int], wanted: Mapping[uuid.UUID, int]) -> StockStatus:
    """What fresh quantities (`known`, product -> quantity) say about `wanted` (product ->
    quantity needed): everything there; nothing there; some of it; or not known. A known
    shortage outweighs not knowing about the rest (the pharmacy cannot fill it all)."""
    if not wanted:
        return "unknown"
    enough = sum(1 for p, q in wanted.items() if p in known and known[p] >= q)
    short = sum(1 for p, q in wanted.items() if p in known and known[p] < q)
    unknown = len(wanted) - enough - short
    if short == 0:
        return "in_stock" if unknown == 0 else "unknown"
    if enough == 0 and unknown == 0:
        return "out_of_stock"
    return "partial"


def _may_report(actor: Principal, pharmacy_id: uuid.UUID) -> bool:
    return actor.can(Permission.PHARMACY_OWN) and actor.org_id == pharmacy_id


def _may_read(actor: Principal, pharmacy_id: uuid.UUID) -> bool:
    return _may_report(actor, pharmacy_id) or (
        actor.can(Permission.PHARMACY_MANAGE) and actor.sees(pharmacy_id))


async def _pharmacy(ctx: RequestContext, pharmacy_id: uuid.UUID) -> None:
    if await repository.pharmacy(ctx.session, pharmacy_id) is None:
        raise Unprocessable("药店不存在", field="pharmacy_id")


async def report(ctx: RequestContext, actor: Principal, pharmacy_id: uuid.UUID,
                 data: StockReport, *, now: datetime) -> int:
    """Upsert the reported quantities; every bad row is named, and then nothing is stored."""
    if not _may_report(actor, pharmacy_id):
        raise NotPermitted("只能上报本药店的库存")
    await _pharmacy(ctx, pharmacy_id)
    limit = (await settings(ctx.session)).max_rows_per_report
    if len(data.items) > limit:
        raise Unprocessable(f"每次最多上报 {limit} 条，本次 {len(data.items)} 条", field="items")
    by_id = await repository.products_by_id(
        ctx.session, [r.product_id for r in data.items if r.product_id])
    by_code = await repository.products_by_standard_code(
        ctx.session, [r.code for r in data.items if r.code])
    errors: list[dict[str, str]] = []
    quantities: dict[uuid.UUID, int] = {}
    first_row: dict[uuid.UUID, int] = {}
    for index, row in enumerate(data.items):
        field = f"items.{index}." + ("product_id" if row.product_id else "code")
        product = by_id.get(row.product_id) if row.product_id else by_code.get(row.code or "")
        message = None
        if product is None:
            message = "目录中没有该品种" if row.product_id else "目录中没有该本位码的品种"
        elif product.status in (ProductStatus.WITHDRAWN, ProductStatus.REFUSED):
            message = "该品种已撤销或未通过审批，不能上报库存"
        elif product.id in first_row:
            message = f"与第 {first_row[product.id] + 1} 行是同一品种"
        if message is not None:
            errors.append({"field": field, "message": f"第 {index + 1} 行：{message}",
                           "type": "Unprocessable"})
            continue
        assert product is not None
        first_row[product.id] = index
        quantities[product.id] = row.quantity
    if errors:
        raise Unprocessable("；".join(e["message"] for e in errors[:10])
                            + ("……" if len(errors) > 10 else ""), fields=errors)
    await repository.upsert_stock(ctx.session, pharmacy_id, quantities, at=now, by=actor.id)
    ctx.note("pharmacy.stock_report", "organisation", pharmacy_id, rows=len(quantities))
    return len(quantities)


async def read(ctx: RequestContext, actor: Principal, pharmacy_id: uuid.UUID, *,
               now: datetime) -> StockOut:
    if not _may_read(actor, pharmacy_id):
        raise NotPermitted("只能查看本药店的库存")
    await _pharmacy(ctx, pharmacy_id)
    feed = await settings(ctx.session)
    fresh_since = now - timedelta(hours=feed.stale_after_hours)
    rows = await repository.stock_of(ctx.session, pharmacy_id)
    return StockOut(stale_after_hours=feed.stale_after_hours, items=[
        StockEntryOut(product_id=entry.product_id, generic_name=product.generic_name,
                      specification=product.specification, unit=product.unit,
                      quantity=entry.quantity, reported_at=entry.reported_at,
                      stale=entry.reported_at < fresh_since)
        for entry, product in rows])
