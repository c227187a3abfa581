"""Dispensing at the pharmacy: every package scanned by its traceability code, batch and expiry
recorded, a dispenser and a checker, partial dispensing and lines not dispensed with a reason.

The prescription's signature is verified whenever the pharmacy reads it to dispense: content
changed after signing (in the database or anywhere else) stops the dispensing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from server.access.roles import Role
from server.catalogue.models import CatalogueProduct
from server.catalogue.service import business_day
from server.circulation import common, repository, tracecodes
from server.circulation.models import CirculationOrder, DispensedPackage, OrderLine, OrderState
from server.core.context import Principal, RequestContext
from server.core.errors import Conflict, NotFound, Unprocessable
from server.core.services import Services
from server.identity.models import StaffUser
from server.insurance import service as insurance
from server.pharmacies.delivery import DeliveryMode
from server.prescriptions.integrity import verify_integrity
from server.prescriptions.lifecycle import Status
from server.prescriptions.models import Prescription

# Where scanning may happen: accepted and not yet finished.
SCANNABLE = frozenset({Status.ACCEPTED, Status.DISPENSING, Status.PARTLY_DISPENSED})


class TraceCodeReused(Conflict):
    default_detail = "该追溯码已被发药，不能重复使用"


@dataclass(frozen=True)
class Scan:
    code: str
    line_id: uuid.UUID | None = None
    batch: str | None = None
    expiry: date | None = None


def _today(svc: Services) -> date:
    return business_day(svc.clock)


async def _start(ctx: RequestContext, svc: Services, rx: Prescription) -> None:
    """The first act of dispensing (a scan, a line not dispensed, completing) starts it."""
    if rx.status == Status.ACCEPTED:
        await common.move(ctx, svc, rx, Status.DISPENSING, role=Role.PHARMACY_STAFF)


async def open_for_dispensing(ctx: RequestContext, svc: Services, actor: Principal,
                              order_id: uuid.UUID) -> tuple[CirculationOrder, Prescription]:
    common.require_pharmacy_staff(actor)
    order = await common.order_for_pharmacy(ctx, actor, order_id)
    rx = await common.prescription_of(ctx, order)
    if order.state != OrderState.ACTIVE or Status(rx.status) not in SCANNABLE:
        raise Conflict("订单当前不能发药（须先接单，且尚未完成发药）", status=rx.status)
    # What is about to be handed out must still be what the doctor signed.
    await verify_integrity(ctx, rx)
    return order, rx


def _line_for(lines: list[OrderLine], products: dict[uuid.UUID, CatalogueProduct],
              code: tracecodes.TraceCode, line_id: uuid.UUID | None) -> OrderLine:
    if line_id is not None:
        line = next((x for x in lines if x.id == line_id), None)
        if line is None:
            raise Unprocessable("订单中没有这一行", field="line_id")
        product = products[line.product_id]
        known = product.trace_prefix if code.format == "domestic" else product.gtin
        if known is not None and known != code.product_key:
            raise Unprocessable(f"扫描的药品与第 {line.line_no} 行「{product.generic_name}」不符",
                                field="code", line_no=line.line_no)
        return line
    matches = [x for x in lines if code.product_key in (products[x.product_id].trace_prefix,
                                                          products[x.product_id].gtin)]
    if matches:
        return next((x for x in matches if x.dispensed < x.quantity), matches[0])
    if len(lines) == 1 and _unknown_product(products[lines[0].product_id], code):
        return lines[0]
    raise Unprocessable("扫描的药品不在本处方中，或须指明处方行", field="code")


def _unknown_product(product: CatalogueProduct, code: tracecodes.TraceCode) -> bool:
    known = product.trace_prefix if code.format == "domestic" else product.gtin
    return known is None


async def scan(ctx: RequestContext, svc: Services, actor: Principal, order_id: uuid.UUID,
               data: Scan) -> DispensedPackage:
    order, rx = await open_for_dispensing(ctx, svc, actor, order_id)
    try:
        code = tracecodes.parse(data.code)
    except tracecodes.InvalidTraceCode as exc:
        raise Unprocessable(str(exc), field="code") from None
    lines = list(await repository.lines(ctx.session, order.id))
    products = {p.id: p for p in (await ctx.session.scalars(select(CatalogueProduct).where(
        CatalogueProduct.id.in_([x.product_id for x in lines])))).all()}
    line = _line_for(lines, products, code, data.line_id)
    if line.not_dispensed_reason is not None:
        raise Conflict(f"第 {line.line_no} 行已登记为未发药", line_no=line.line_no)
    batch = (data.batch or code.batch or "").strip()
    expiry = data.expiry or code.expiry
    if not batch:
        raise Unprocessable("请填写批号", field="batch")
    if expiry is None:
        raise Unprocessable("请填写有效期", field="expiry")
    if code.batch and data.batch and code.batch != data.batch.strip():
        raise Unprocessable("填写的批号与追溯码中的批号不一致", field="batch")
    if expiry < _today(svc):
        raise Unprocessable(f"该批次已于 {expiry.isoformat()} 过期，不能发药", field="expiry")
    if line.dispensed >= line.quantity:
        raise Conflict(f"第 {line.line_no} 行已扫满 {line.quantity} 件", line_no=line.line_no)
    await _start(ctx, svc, rx)
    package_id = await repository.add_package(ctx.session, {
        "trace_code": code.code, "code_format": code.format, "raw_scan": data.code[:120],
        "order_id": order.id, "order_line_id": line.id, "org_id": order.org_id,
        "pharmacy_id": order.pharmacy_id, "product_id": line.product_id, "batch": batch,
        "expiry": expiry, "scanned_by_id": actor.id, "scanned_by": actor.name,
        "workstation": ctx.workstation, "scanned_at": svc.clock.now()})
    if package_id is None:
        # A package sold twice is resale, a swap or a counterfeit: a security event.
        previous = await repository.package_by_code(ctx.session, code.code)
        ctx.note("dispense.trace_code_reused", "trace_code", code.code, security_event=True,
                 order=order.number, first_order_id=str(previous.order_id) if previous else None)
        raise TraceCodeReused(code=code.code)
    if await repository.count_line(ctx.session, line.id) is None:
        raise Conflict(f"第 {line.line_no} 行已扫满 {line.quantity} 件", line_no=line.line_no)
    package = await ctx.session.get(DispensedPackage, package_id)
    assert package is not None
    ctx.note("dispense.scan", "order", order.id, number=order.number, code=code.code,
             line_no=line.line_no, batch=batch, expiry=expiry.isoformat())
    return package


async def unscan(ctx: RequestContext, svc: Services, actor: Principal, order_id: uuid.UUID,
                 package_id: uuid.UUID) -> None:
    """Take a mis-scanned package off the order before dispensing is completed."""
    order, _ = await open_for_dispensing(ctx, svc, actor, order_id)
    package = await ctx.session.get(DispensedPackage, package_id)
    if package is None or package.order_id != order.id:
        raise NotFound("本订单没有这个已扫描的包装")
    await ctx.session.delete(package)
    await repository.uncount_line(ctx.session, package.order_line_id)
    ctx.note("dispense.unscan", "order", order.id, number=order.number, code=package.trace_code)


async def not_dispensed(ctx: RequestContext, svc: Services, actor: Principal,
                        order_id: uuid.UUID, line_id: uuid.UUID, reason: str) -> OrderLine:
    """This line (or its remaining quantity) will not be dispensed, and why."""
    order, rx = await open_for_dispensing(ctx, svc, actor, order_id)
    line = await ctx.session.get(OrderLine, line_id)
    if line is None or line.order_id != order.id:
        raise NotFound("订单中没有这一行")
    await _start(ctx, svc, rx)
    line.not_dispensed_reason = reason
    ctx.note("dispense.not_dispensed", "order", order.id, number=order.number,
             line_no=line.line_no, reason=reason, remaining=line.quantity - line.dispensed)
    return line


async def _checker(ctx: RequestContext, actor: Principal, username: str) -> StaffUser:
    checker = (await ctx.session.scalars(select(StaffUser).where(
        StaffUser.username == username))).first()
    if (checker is None or checker.org_id != actor.org_id or checker.status != "active"
            or Role.PHARMACY_STAFF.value not in checker.roles):
        raise Unprocessable("核对人须为本药店在职人员", field="checker")
    if checker.id == actor.id:
        raise Unprocessable("调配人与核对人不能为同一人", field="checker")
    return checker


async def complete(ctx: RequestContext, svc: Services, actor: Principal, order_id: uuid.UUID,
                   *, checker_username: str) -> CirculationOrder:
    """Dispensing done and checked: every line full or explained. Pickup orders become ready
    for pickup; courier and hospital-delivery orders wait for dispatch."""
    order, rx = await open_for_dispensing(ctx, svc, actor, order_id)
    checker = await _checker(ctx, actor, checker_username)
    lines = list(await repository.lines(ctx.session, order.id))
    open_lines = [x.line_no for x in lines
                  if x.dispensed < x.quantity and x.not_dispensed_reason is None]
    if open_lines:
        raise Unprocessable(f"第 {'、'.join(map(str, open_lines))} 行尚未扫码完成，"
                            "请继续扫码或登记未发药原因", field="lines", line_numbers=open_lines)
    await _start(ctx, svc, rx)
    now = svc.clock.now()
    order.dispenser_id, order.checker_id, order.dispensed_at = actor.id, checker.id, now
    dispensed = sum(x.dispensed for x in lines)
    short_fen = sum((x.quantity - x.dispensed) * x.unit_price_fen for x in lines)
    role = Role.PHARMACY_STAFF
    if dispensed == 0:
        await common.move(ctx, svc, rx, Status.NOT_DISPENSED, role=role,
                          reason="；".join(x.not_dispensed_reason or "" for x in lines), now=now)
        order.state, order.ended_at, order.end_reason = OrderState.COMPLETED, now, "未发药"
        await common.refund(ctx, svc, order, rx, "药店未发药，全额退款")
        await common.tell_patient(ctx, svc, order, rx, "not_dispensed", items="全部药品",
                                  reason="；".join(x.not_dispensed_reason or "" for x in lines))
    else:
        await insurance.write_off(ctx, svc, order, pharmacist=checker.display_name,
                                  dispenser=actor.name)
        if short_fen and rx.status != Status.PARTLY_DISPENSED:
            await common.move(ctx, svc, rx, Status.PARTLY_DISPENSED, role=role, now=now,
                              reason="部分发药")
        if short_fen:
            await common.refund_shortfall(ctx, svc, order, rx, short_fen)
        if order.mode == DeliveryMode.STORE_PICKUP:
            await common.move(ctx, svc, rx, Status.READY_FOR_PICKUP, role=role, now=now)
            await common.tell_patient(ctx, svc, order, rx, "ready_for_pickup",
                                      pickup_code=common.pickup_code_of(svc, order) or "",
                                      queue_number=order.queue_number or "到店后取号")
    await ctx.session.flush()
    await common.announce(ctx, rx, order, type="order.dispensed", short_fen=short_fen)
    ctx.note("dispense.complete", "order", order.id, number=order.number,
             dispenser=actor.name, checker=checker.display_name, packages=dispensed,
             short_fen=short_fen)
    return order
