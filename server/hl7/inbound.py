"""Answering what the HIS sends over MLLP: one frame in, one acknowledgement out, never an
exception.

The sending system is identified by MSH-3 (the HIS's integration client id) and MSH-4 (its
hospital's code); the listener then acts with that HIS's scope, as its HTTP calls would. A
message is stored with its answer under (HIS, MSH-10) in the transaction that acts on it, and
the row is written first: a repeat, even one arriving while the first is still being handled,
waits for it and gets the same bytes back, and nothing is created twice.

An RDE^O11 with order control OP becomes a draft prescription of the doctor named in ORC-12,
for that doctor to check, sign and submit in the prescribing app (the platform never signs on
a doctor's behalf: docs/integrations-hl7.md).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hl7apy.parser import parse_message
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.access import scope
from server.access.roles import Role, client_permissions, permissions_for
from server.audit import repository as audit_repository
from server.core.context import Principal, RequestContext
from server.core.errors import AppError
from server.core.services import Services
from server.events.service import publish
from server.hl7 import ack, encoding, repository
from server.hl7.ack import Answer, Problem
from server.hl7.models import Hl7InboundMessage, Hl7Order
from server.hl7.orders import LineRequest, OrderRejected, OrderRequest, read_order
from server.identity import repository as identity_repository
from server.identity.models import ClientKind, IntegrationClient, UserStatus
from server.organisations.models import Organisation
from server.patients import identity as patient_identity
from server.patients import repository as patients_repository
from server.patients.models import Patient
from server.patients.service import clean_card, clean_id_number
from server.prescriptions import service as prescriptions
from server.prescriptions.models import Prescription
from server.prescriptions.schemas import DraftIn, LineIn

log = logging.getLogger(__name__)

# PID-3.5 identifier type -> the patient field it is matched against. A type we do not know
# (or none) is tried as the hospital's own card number, the identifier HIS send most.
IDENTIFIER_FIELDS = {"MR": "hospital_card", "PI": "hospital_card", "PT": "hospital_card",
                     "NI": "id_number", "NNCHN": "id_number", "ID": "id_number",
                     "HC": "insurance_card", "SS": "insurance_card"}


@dataclass(frozen=True)
class Header:
    control_id: str
    sender: str
    facility: str
    message_type: str  # e.g. RDE^O11
    trigger: str


async def answer(svc: Services, raw: bytes, *, peer: str | None = None) -> bytes:
    """The acknowledgement (unframed bytes) for one received frame."""
    charset = encoding.Charset("", "utf-8")
    request = ack.Request()
    try:
        try:
            text, charset = encoding.decode(raw)
        except encoding.EncodingProblem as exc:
            return _render(request, Answer("AR", [Problem("MSH", exc.text, code=exc.code,
                                                          field=18)]), charset, svc)
        request = ack.Request(charset=charset.name)
        text = text.replace("\r\n", "\r").replace("\n", "\r").strip("\r") + "\r"
        try:
            message = await asyncio.to_thread(parse_message, text, find_groups=True)
        except Exception as exc:  # hl7apy raises many kinds for what is not HL7
            return _render(request, Answer("AR", [_unreadable(exc)]), charset, svc)
        header = _header(message)
        request = ack.Request(control_id=header.control_id, sender=header.sender,
                              facility=header.facility, charset=charset.name,
                              trigger=header.trigger,
                              processing_id=_er7(message.msh.msh_11)[:1] or "P")
        if not header.control_id:
            return _render(request, Answer("AR", [Problem("MSH", "缺少消息控制号（MSH-10）",
                                                          field=10)]), charset, svc)
        return await _answer_message(svc, message, header, request, charset,
                                     hashlib.sha256(raw).digest(), peer)
    except Exception:
        # An internal failure (the database away): AR, not stored, so the HIS's retry of the
        # same message is handled afresh.
        log.exception("HL7 message could not be handled")
        return _render(request, Answer("AR", [Problem("MSH", "服务器内部错误，请稍后重发",
                                                      code="207")]), charset, svc)


def _er7(value: Any) -> str:
    return str(value.to_er7()).strip() if hasattr(value, "to_er7") else str(value or "")


def _unreadable(exc: Exception) -> Problem:
    name = type(exc).__name__
    if name == "UnsupportedVersion":
        return Problem("MSH", "不支持的 HL7 版本（MSH-12）", code="203", field=12)
    return Problem("MSH", "不是有效的 HL7 v2 消息（须以 MSH 段开头）", code="100")


def _header(message: Any) -> Header:
    msh = message.msh
    msh9 = _er7(msh.msh_9).split("^")
    kind, trigger = [*msh9, "", ""][:2]
    return Header(control_id=_er7(msh.msh_10)[:199], sender=_er7(msh.msh_3).split("^")[0],
                  facility=_er7(msh.msh_4).split("^")[0], message_type=f"{kind}^{trigger}",
                  trigger=trigger.upper())


def _render(request: ack.Request, result: Answer, charset: encoding.Charset,
            svc: Services) -> bytes:
    text = ack.build(request, result, now=svc.clock.now())
    return text.encode(charset.codec, errors="replace")


async def _answer_message(svc: Services, message: Any, header: Header, request: ack.Request,
                          charset: encoding.Charset, digest: bytes, peer: str | None) -> bytes:
    for attempt in range(2):
        async with svc.db.session() as session:
            try:
                async with session.begin():
                    return await _handle(svc, session, message, header, request, charset,
                                         digest, peer)
            except IntegrityError:
                # The same control id handled concurrently (its row committed first), or,
                # rarer, the same placer number: handled again, it now finds the stored answer.
                if attempt:
                    raise
    raise AssertionError("unreachable")


async def _handle(svc: Services, session: AsyncSession, message: Any, header: Header,
                  request: ack.Request, charset: encoding.Charset, digest: bytes,
                  peer: str | None) -> bytes:
    await scope.system_scope(session)
    found = await repository.client(session, header.sender)
    his = _his(found, header)
    if isinstance(his, Problem):
        return _render(request, Answer("AR", [his]), charset, svc)
    client, hospital = his
    stored = await repository.inbound(session, client.id, header.control_id)
    if stored is not None and stored.ack is not None:
        if stored.digest != digest:
            log.warning("HIS %s reused control id %s for other content; answered as before",
                        client.client_id, header.control_id)
        return stored.ack
    now = svc.clock.now()
    row = Hl7InboundMessage(id=uuid.uuid4(), client_id=client.id,
                            control_id=header.control_id, message_type=header.message_type[:20],
                            digest=digest, received_at=now)
    session.add(row)
    await session.flush()  # a concurrent repeat now waits for this transaction
    his_principal = Principal(
        kind="client", id=client.id, name=client.name, roles=frozenset({f"client:{client.kind}"}),
        permissions=client_permissions(client.kind), org_id=client.org_id,
        visible_org_ids=await scope.subtree(session, client.org_id),
        attributes={"client_kind": client.kind, "client_id": client.client_id})
    ctx = RequestContext(session=session, method="HL7", path=header.message_type, ip=peer,
                         workstation=client.client_id[:100], request_id=uuid.uuid4().hex,
                         principal=his_principal)
    await scope.apply(session, his_principal)
    if header.message_type.upper() != "RDE^O11":
        kind = header.message_type.split("^")[0].upper()
        result = Answer("AR", [Problem(
            "MSH", f"不支持的消息类型「{header.message_type}」（只接收 RDE^O11）",
            code="201" if kind == "RDE" else "200", field=9)])
        rx = None
    else:
        result, rx = await _order(ctx, svc, message, client, hospital)
    row.ack_code = result.code
    row.ack = _render(request, result, charset, svc)
    row.prescription_id = rx.id if rx is not None else None
    await scope.system_scope(session)
    await session.flush()
    await audit_repository.append(session, {
        "occurred_at": datetime.now(UTC), "actor_kind": "client", "actor_id": client.id,
        "actor_name": client.name[:100], "actor_role": f"client:{client.kind}"[:40],
        "org_id": client.org_id, "ip": peer, "workstation": client.client_id[:100],
        "request_id": ctx.request_id, "action": "hl7.receive",
        "entity_type": "prescription" if rx is not None else "hl7_message",
        "entity_id": str(rx.id) if rx is not None else str(row.id),
        "outcome": "success" if result.code == "AA" else "failure",
        "summary": {"message_type": header.message_type, "control_id": header.control_id,
                    "ack": result.code, **({"number": rx.number} if rx is not None else {}),
                    **({"errors": [f"{p.label} {p.text}" for p in result.problems]}
                       if result.problems else {})},
    })
    return row.ack


def _his(found: tuple[IntegrationClient, Organisation] | None,
         header: Header) -> tuple[IntegrationClient, Organisation] | Problem:
    if found is None or found[0].kind != ClientKind.HIS or found[0].status != UserStatus.ACTIVE:
        return Problem("MSH", f"未登记的发送系统「{header.sender}」（MSH-3 应为 HIS 的客户端编号）",
                       code="204", field=3)
    if header.facility and header.facility != found[1].code:
        return Problem("MSH", f"发送机构「{header.facility}」与该 HIS 所属医院不符（MSH-4）",
                       code="204", field=4)
    return found


async def _order(ctx: RequestContext, svc: Services, message: Any, client: IntegrationClient,
                 hospital: Organisation) -> tuple[Answer, Prescription | None]:
    try:
        request = read_order(message)
    except OrderRejected as exc:
        return Answer("AE", exc.problems), None
    session = ctx.session
    if await repository.order_by_placer(session, client.id, request.placer_group) is not None:
        return Answer("AE", [Problem("ORC", f"医嘱组号「{request.placer_group}」已接收过",
                                     code="205", field=4)]), None
    try:
        async with session.begin_nested():
            rx = await _create(ctx, svc, request, client, hospital)
    except _Refused as exc:
        return Answer("AE", exc.problems), None
    lines = {line.occurrence: line for line in request.lines}
    placed = [(lines[n].placer_number, f"{rx.number}-{n}", request.placer_group)
              for n in sorted(lines)]
    return Answer("AA", text=f"已创建处方草稿 {rx.number}，待医生签名提交",
                  orders=placed), rx


class _Refused(Exception):
    def __init__(self, *problems: Problem) -> None:
        super().__init__("; ".join(p.text for p in problems))
        self.problems = list(problems)


async def _create(ctx: RequestContext, svc: Services, request: OrderRequest,
                  client: IntegrationClient, hospital: Organisation) -> Prescription:
    session = ctx.session
    doctor = await _doctor(ctx, request.doctor_username)
    patient, kind = await _patient(session, svc, request)
    products = []
    for line in request.lines:
        product = await repository.active_product(session, line.product_code)
        if product is None:
            raise _Refused(Problem("RXE", f"流转目录中没有在用药品「{line.product_code}」",
                                   code="204", field=2, occurrence=line.occurrence))
        products.append(product.id)
    try:
        data = DraftIn(
            patient_id=patient.id, visit_type=request.visit_type,
            diagnoses=request.diagnoses,
            notes=f"HIS 医嘱 {request.placer_group}"[:500],
            lines=[_line(line, product) for line, product in zip(request.lines, products,
                                                                  strict=True)])
    except ValidationError as exc:
        raise _Refused(*_validation_problems(exc, request.lines)) from None
    try:
        rx = await prescriptions.create_draft(ctx, svc, doctor, data)
    except AppError as exc:
        raise _Refused(_service_problem(exc, request.lines)) from None
    session.add(Hl7Order(
        prescription_id=rx.id, client_id=client.id, sender=client.client_id,
        facility=hospital.code, placer_group=request.placer_group,
        placer_numbers=[line.placer_number for line in request.lines], patient_id_type=kind,
        visit_number=request.visit_number, created_at=svc.clock.now()))
    await session.flush()
    await publish(ctx, type="prescription.status", org_id=rx.org_id, entity_type="prescription",
                  entity_id=rx.id, user_ids=[rx.doctor_id],
                  payload={"id": str(rx.id), "number": rx.number, "status": rx.status,
                           "origin": "his"})
    return rx


def _line(line: LineRequest, product_id: uuid.UUID) -> LineIn:
    return LineIn(product_id=product_id, dose=line.dose, dose_unit=line.dose_unit,
                  route=line.route, frequency=line.frequency, days=line.days,
                  instructions=line.instructions)


async def _doctor(ctx: RequestContext, username: str) -> Principal:
    # Under the HIS's scope: another hospital's staff are simply not there.
    user = await identity_repository.user_by_username(ctx.session, username)
    if user is None:
        raise _Refused(Problem("ORC", f"本院没有用户「{username}」（ORC-12 应为医生的平台用户名）",
                               code="204", field=12))
    if Role.DOCTOR not in user.roles or user.department_id is None:
        raise _Refused(Problem("ORC", f"「{username}」不是有科室的医生", code="204", field=12))
    if user.status == UserStatus.FROZEN:
        raise _Refused(Problem("ORC", f"医生「{username}」的账号已冻结", code="204", field=12))
    return Principal(
        kind="user", id=user.id, name=user.display_name, roles=frozenset(user.roles),
        permissions=permissions_for(user.roles), org_id=user.org_id,
        department_id=user.department_id,
        visible_org_ids=await scope.subtree(ctx.session, user.org_id),
        attributes={"username": user.username, "title": user.professional_title,
                    "pharmacist_level": user.pharmacist_level})


async def _patient(session: AsyncSession, svc: Services,
                   request: OrderRequest) -> tuple[Patient, str]:
    today = svc.clock.now().date()
    for identifier in request.identifiers:
        field = IDENTIFIER_FIELDS.get(identifier.kind, "hospital_card")
        try:
            value = (clean_id_number(identifier.value, today=today) if field == "id_number"
                     else clean_card(identifier.value, field=field))
        except AppError:
            continue
        patient = await patients_repository.by_blind_index(
            session, field, patient_identity.blind_index(svc.cipher, field, value))
        if patient is None:
            continue
        if request.patient_name:
            name = patient_identity.open_identity(svc.cipher, patient).name
            if name.replace(" ", "") != request.patient_name.replace(" ", ""):
                raise _Refused(Problem("PID", "患者姓名与平台登记的不一致（PID-5）",
                                       code="204", field=5))
        return patient, identifier.kind or "MR"
    raise _Refused(Problem("PID", "本院没有登记该患者（PID-3）", code="204", field=3))


def _validation_problems(exc: ValidationError, lines: list[LineRequest]) -> list[Problem]:
    problems = []
    for error in exc.errors():
        where = error.get("loc", ())
        message = str(error.get("msg", "数据不正确"))
        if len(where) >= 2 and where[0] == "lines" and isinstance(where[1], int) \
                and where[1] < len(lines):
            problems.append(Problem("RXE", f"第{where[1] + 1}条医嘱：{message}", code="102",
                                    occurrence=lines[where[1]].occurrence))
        elif where and where[0] == "lines":
            problems.append(Problem("ORC", f"医嘱条数不符合要求：{message}", code="102"))
        elif where and where[0] == "diagnoses":
            problems.append(Problem("RXE", f"诊断：{message}", code="102", field=27))
        else:
            problems.append(Problem("RXE", message, code="102"))
    return problems


def _service_problem(exc: AppError, lines: list[LineRequest]) -> Problem:
    where = str(exc.extra.get("field") or "")
    parts = where.split(".")
    if len(parts) >= 2 and parts[0] == "lines" and parts[1].isdigit() \
            and 1 <= int(parts[1]) <= len(lines):
        return Problem("RXE", exc.detail, code="207", field=2,
                       occurrence=lines[int(parts[1]) - 1].occurrence)
    if where == "patient_id":
        return Problem("PID", exc.detail, code="204", field=3)
    return Problem("ORC", exc.detail, code="207")
