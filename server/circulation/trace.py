"""The trace (追溯) of a prescription or of one package: every node from prescribing to the
patient's hands, each with its operator, organisation, workstation, time and data
(../shared/DOMAIN.md section 6). Exported as JSON (the API) and as a printable PDF.
"""

from __future__ import annotations

import io
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select

from server.access import scope
from server.audit.models import AuditEvent
from server.catalogue.service import CHINA
from server.circulation import common, repository, tracecodes, views
from server.circulation.models import OrderState
from server.circulation.schemas import StatusOut, TraceNode, TraceOut
from server.core.context import Principal, RequestContext
from server.core.errors import AppError, NotFound
from server.identity.models import StaffUser
from server.payments import service as payments
from server.prescriptions import repository as rx_repository
from server.prescriptions.integrity import verify_integrity
from server.prescriptions.lifecycle import STATUS_LABELS, Status
from server.prescriptions.models import Prescription, ReviewTask
from server.signatures.models import SigningCertificate

NOT_VISIBLE = "没有这张处方，或无权查看"
# Who acted when no person did: the server's own jobs, the courier's systems.
UNNAMED = {"system": "系统（定时任务）", "carrier": "承运商（物流系统）",
           "checks": "系统（规则引擎、合理用药系统）"}


def _node(kind: str, label: str, at: datetime | None, *, operator: str | None = None,
          role: str | None = None, organisation: str | None = None,
          workstation: str | None = None, **data: Any) -> TraceNode:
    return TraceNode(kind=kind, label=label, at=at, operator=operator, operator_role=role,
                     organisation=organisation, workstation=workstation,
                     data={k: v for k, v in data.items() if v is not None})


async def _names(ctx: RequestContext,
                 ids: set[uuid.UUID | None]) -> dict[uuid.UUID | None, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    # The trace names every operator, whichever organisation they work for (a doctor reads
    # the pharmacy staff who dispensed, the pharmacy the doctor who signed): names only.
    async with scope.widened(ctx.session):
        rows = (await ctx.session.execute(select(StaffUser.id, StaffUser.display_name)
                                          .where(StaffUser.id.in_(wanted)))).all()
    return {row[0]: row[1] for row in rows}


async def _workstations(ctx: RequestContext, entity_ids: list[str]) -> dict[str, str]:
    """The workstation each audited action came from (first occurrence)."""
    rows = (await ctx.session.execute(
        select(AuditEvent.action, AuditEvent.workstation)
        .where(AuditEvent.entity_id.in_(entity_ids), AuditEvent.outcome == "success")
        .order_by(AuditEvent.seq))).all()
    found: dict[str, str] = {}
    for action, workstation in rows:
        if workstation:
            found.setdefault(action, workstation)
    return found


async def prescription_trace(ctx: RequestContext, rx: Prescription, *,
                             focus_code: str | None = None) -> TraceOut:
    session = ctx.session
    orders = list(await repository.orders_of(session, rx.id))
    orgs = await views.org_names(session, {rx.org_id, *(o.pharmacy_id for o in orders)})
    hospital = orgs.get(rx.org_id)
    tasks = (await session.scalars(select(ReviewTask).where(ReviewTask.prescription_id == rx.id)
                                   .order_by(ReviewTask.created_at))).all()
    names = await _names(ctx, {rx.doctor_id, *(t.decided_by_id for t in tasks),
                               *(o.accepted_by_id for o in orders),
                               *(o.dispenser_id for o in orders),
                               *(o.checker_id for o in orders)})
    places = await _workstations(ctx, [str(rx.id), *(str(o.id) for o in orders)])
    nodes: list[TraceNode] = []
    pharmacy_of_role = {o.id: orgs.get(o.pharmacy_id) for o in orders}
    active_pharmacy = next(iter(pharmacy_of_role.values()), None) if orders else None
    transitions = await rx_repository.transitions(session, rx.id)
    # The patient acts under the masked name their proof of identity carries.
    patient = next((t.actor_name for t in transitions
                    if t.actor_role == "patient" and t.actor_name), "患者")
    for t in transitions:
        organisation = (active_pharmacy if t.actor_role == "pharmacy_staff"
                        else hospital if t.actor_role in ("doctor", "pharmacist") else None)
        nodes.append(_node("status", f"状态：{STATUS_LABELS[Status(t.to_status)]}", t.at,
                           operator=t.actor_name or UNNAMED.get(t.actor_role or "", "系统"),
                           role=t.actor_role, organisation=organisation,
                           workstation=t.workstation, from_status=t.from_status,
                           to_status=t.to_status, reason=t.reason))
    if rx.signed_at is not None:
        certificate = (await session.get(SigningCertificate, rx.certificate_id)
                       if rx.certificate_id else None)
        try:
            await verify_integrity(ctx, rx)
            verified = True
        except AppError:
            verified = False
        nodes.append(_node("signature", "医生电子签名", rx.signed_at,
                           operator=names.get(rx.doctor_id), role="doctor",
                           organisation=hospital, workstation=places.get("prescription.submit"),
                           algorithm=rx.signature_algorithm, revision=rx.revision,
                           digest=rx.signed_digest.hex() if rx.signed_digest else None,
                           certificate=certificate.fingerprint if certificate else None,
                           verified_now=verified))
        hits = await rx_repository.issues(session, rx.id, rx.revision)
        nodes.append(_node("checks", "自动审核（规则引擎与合理用药系统）", rx.signed_at,
                           operator=UNNAMED["checks"], role="system", organisation=hospital,
                           hits=[{
                               "source": h.source, "kind": h.kind, "level": h.level,
                               "message": h.message, "lines": h.line_numbers,
                               "override_reason": h.override_reason,
                               "overridden_by": h.overridden_by_name} for h in hits]))
    for task in tasks:
        if task.decided_at is not None:
            nodes.append(_node("review", "药师审核：" + ("通过" if task.decision == "approved"
                                                        else "驳回"),
                               task.decided_at, operator=names.get(task.decided_by_id),
                               role="pharmacist", organisation=hospital,
                               workstation=places.get(f"review.{task.decision}"),
                               decision=task.decision, reason_code=task.reason_code,
                               reason=task.reason_text, signed=task.signature is not None,
                               spot_check=task.spot_check))
    for order in orders:
        pharmacy = orgs.get(order.pharmacy_id)
        nodes.append(_node("choice", f"患者选择药店：{pharmacy}", order.created_at,
                           operator=patient, role="patient", organisation=pharmacy,
                           workstation=places.get("order.create"), order=order.number,
                           mode=order.mode, items_fen=order.items_fen,
                           delivery_fee_fen=order.delivery_fee_fen, fee_rule=order.fee_rule,
                           appointment_at=order.appointment_at))
        payment = await payments.payment_for_order(session, order.id)
        if payment is not None and payment.paid_at is not None:
            payer = (payment.registered_by_name if payment.method == "offline"
                     else f"{patient}（{payment.gateway or '线上支付'}）")
            nodes.append(_node("payment", "支付", payment.paid_at, operator=payer,
                               role="pharmacy_staff" if payment.method == "offline"
                               else "patient", organisation=pharmacy,
                               method=payment.method, amount_fen=payment.amount_fen,
                               fund_fen=payment.fund_fen,
                               personal_account_fen=payment.personal_account_fen,
                               cash_fen=payment.cash_fen, trade_no=payment.out_trade_no,
                               status=payment.status))
        if order.accepted_at is not None:
            nodes.append(_node("acceptance", "药店接单", order.accepted_at,
                               operator=names.get(order.accepted_by_id), role="pharmacy_staff",
                               organisation=pharmacy, workstation=places.get("order.accept")))
        for package in await repository.packages(session, order.id):
            marked = focus_code is not None and package.trace_code == focus_code
            nodes.append(_node("package", "扫码发药" + ("（本追溯码）" if marked else ""),
                               package.scanned_at, operator=package.scanned_by,
                               role="pharmacy_staff", organisation=pharmacy,
                               workstation=package.workstation, trace_code=package.trace_code,
                               batch=package.batch, expiry=package.expiry.isoformat()))
        if order.dispensed_at is not None:
            nodes.append(_node("dispensed", "调配核对完成", order.dispensed_at,
                               operator=names.get(order.dispenser_id), role="pharmacy_staff",
                               organisation=pharmacy,
                               workstation=places.get("dispense.complete"),
                               checker=names.get(order.checker_id)))
        for event in await repository.events(session, [order.id]):
            nodes.append(_node("delivery", event.description, event.occurred_at,
                               operator=event.actor_name or UNNAMED["carrier"],
                               role=event.source,
                               organisation=pharmacy if event.source == "pharmacy" else None,
                               code=event.code, location=event.location))
        if order.ended_at is not None and order.end_reason:
            nodes.append(_node("order_end", f"订单结束：{order.end_reason}", order.ended_at,
                               operator=pharmacy if order.state == "returned" else "系统",
                               organisation=pharmacy, state=order.state))
    nodes.sort(key=lambda n: (n.at is None, n.at or datetime.min))
    current = next((o for o in reversed(orders) if o.state == OrderState.ACTIVE), None)
    return TraceOut(prescription_id=rx.id, prescription_number=rx.number,
                    status=StatusOut(**common.patient_status(rx.status, current)), nodes=nodes,
                    focus_code=focus_code)


async def trace_of_prescription(ctx: RequestContext, actor: Principal,
                                prescription_id: uuid.UUID) -> TraceOut:
    rx = await rx_repository.get(ctx.session, prescription_id)
    if rx is None:
        raise NotFound(NOT_VISIBLE)
    ctx.note("trace.read", "prescription", rx.id, number=rx.number)
    return await prescription_trace(ctx, rx)


async def trace_of_code(ctx: RequestContext, actor: Principal, raw_code: str) -> TraceOut:
    try:
        code = tracecodes.parse(raw_code).code
    except tracecodes.InvalidTraceCode:
        code = raw_code.strip()
    package = await repository.package_by_code(ctx.session, code)
    if package is None:
        raise NotFound("该追溯码没有发药记录")
    order = await repository.get(ctx.session, package.order_id)
    if order is not None and actor.org_id == order.pharmacy_id:
        # The pharmacy that dispensed the package may follow it back to the prescription.
        await common.widen_to(ctx, actor, order.org_id)
    rx = await rx_repository.get(ctx.session, order.prescription_id) if order else None
    if rx is None:
        raise NotFound(NOT_VISIBLE)
    ctx.note("trace.read", "trace_code", code, prescription=rx.number)
    return await prescription_trace(ctx, rx, focus_code=code)


def render_pdf(trace: TraceOut) -> bytes:
    """A printable A4 report; reportlab's built-in STSong-Light CID font carries the Chinese
    glyphs, so nothing depends on fonts installed on the server."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    title = ParagraphStyle("title", fontName="STSong-Light", fontSize=16, leading=22)
    cell = ParagraphStyle("cell", fontName="STSong-Light", fontSize=8, leading=11)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm,
                            title=f"处方追溯 {trace.prescription_number}")
    rows: list[list[Any]] = [[Paragraph(h, cell) for h in
                              ("时间", "环节", "操作人", "机构", "工作站", "数据")]]
    for node in trace.nodes:
        data = "；".join(f"{k}={v}" for k, v in node.data.items())
        rows.append([Paragraph(text, cell) for text in (
            node.at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S") if node.at else "",
            node.label, node.operator or "", node.organisation or "", node.workstation or "",
            _escape(data[:600]))])
    table = Table(rows, colWidths=[28 * mm, 34 * mm, 20 * mm, 28 * mm, 22 * mm, 54 * mm],
                  repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    heading = (f"处方追溯报告 {trace.prescription_number}（{trace.status.label}）"
               + (f" 追溯码 {trace.focus_code}" if trace.focus_code else ""))
    doc.build([Paragraph(_escape(heading), title), table])
    return buffer.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
