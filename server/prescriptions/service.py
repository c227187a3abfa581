"""The doctor's side of a prescription: drafts, live checks, signing, submission, voiding,
reissuing; and the integrity check every later reader (review, dispensing) goes through.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from common.signing import canonical_bytes
from server.access.roles import Role
from server.catalogue import repository as catalogue_repository
from server.catalogue.models import CatalogueProduct, ProductStatus
from server.checks.frequency import doses_per_day
from server.clinical.service import CHINA, PatientContext, patient_context
from server.core.context import Principal, RequestContext
from server.core.errors import NotFound, NotPermitted, Unprocessable, VersionConflict
from server.core.services import Services
from server.events.service import publish
from server.knowledge.service import snapshot
from server.organisations.models import Organisation, OrganisationKind
from server.platform_settings.registry import PrescriptionLimits
from server.platform_settings.service import load as load_settings
from server.prescriptions import checking, hooks, repository, review_service
from server.prescriptions.integrity import signing_document
from server.prescriptions.lifecycle import EDITABLE, VOIDABLE, Status
from server.prescriptions.models import Prescription, PrescriptionLine, ReviewTask
from server.prescriptions.quantity import packages_needed
from server.prescriptions.rules import check_rules
from server.prescriptions.schemas import DraftIn, DraftUpdate, LineIn, SubmitIn
from server.signatures.service import verify_document

CENT = Decimal("0.01")


class SubmissionBlocked(Unprocessable):
    default_detail = "存在禁忌（黑灯）问题，处方不能提交"


class OverrideRequired(Unprocessable):
    default_detail = "存在需要说明理由的警示，请填写继续开具的理由"


# -- building lines ---------------------------------------------------------------------------

async def _lines(ctx: RequestContext, svc: Services, prescription_id: uuid.UUID,
                 org_id: uuid.UUID, given: Sequence[LineIn]
                 ) -> tuple[list[PrescriptionLine], dict[Any, CatalogueProduct]]:
    today = svc.clock.now().astimezone(CHINA).date()
    found = await catalogue_repository.with_prices(
        ctx.session, [line.product_id for line in given], today)
    products = {product_id: pair[0] for product_id, pair in found.items()}
    built = []
    for number, line in enumerate(given, start=1):
        product, price = found.get(line.product_id, (None, None))
        if product is None or product.status == ProductStatus.PROPOSED:
            raise Unprocessable(f"第{number}行：药品不在流转目录中",
                                field=f"lines.{number}.product_id")
        if price is None:
            raise Unprocessable(f"第{number}行：{product.generic_name} 没有有效价格",
                                field=f"lines.{number}.product_id")
        per_day = doses_per_day(line.frequency) or Decimal(1)  # prn: one dose a day at least
        quantity = packages_needed(dose=line.dose, dose_unit=line.dose_unit,
                                   doses_per_day=per_day, days=line.days,
                                   specification=product.specification, package=product.package,
                                   sales_unit=product.unit, line_no=number)
        unit_price = Decimal(str(price))
        built.append(PrescriptionLine(
            prescription_id=prescription_id, org_id=org_id, line_no=number,
            product_id=product.id, item_type=product.item_type,
            generic_name=product.generic_name, specification=product.specification,
            drug_class=product.drug_class, dose=line.dose, dose_unit=line.dose_unit,
            route=line.route, frequency=line.frequency, days=line.days, quantity=quantity,
            unit=product.unit, unit_price=unit_price,
            amount=(unit_price * quantity).quantize(CENT, ROUND_HALF_UP),
            instructions=line.instructions, skin_test=line.skin_test))
    return built, products


def _require_doctor(actor: Principal) -> None:
    if Role.DOCTOR not in actor.roles or actor.department_id is None:
        raise NotPermitted("只有有科室的医生可以开具处方")


async def _owned(ctx: RequestContext, actor: Principal, prescription_id: uuid.UUID,
                 *, for_update: bool = True) -> Prescription:
    rx = await repository.get(ctx.session, prescription_id, for_update=for_update)
    if rx is None:
        raise NotFound("处方不存在")
    if rx.doctor_id != actor.id:
        raise NotPermitted("只能修改自己开具的处方")
    return rx


def _check_version(rx: Prescription, version: int) -> None:
    if rx.version != version:
        raise VersionConflict(current_version=rx.version)


def _diagnoses(data: DraftIn | DraftUpdate) -> list[dict[str, str]]:
    return [d.model_dump() for d in data.diagnoses]


def _apply_header(rx: Prescription, data: DraftIn | DraftUpdate,
                  lines: list[PrescriptionLine], products: dict[Any, CatalogueProduct]) -> None:
    rx.visit_type = data.visit_type
    rx.diagnoses = _diagnoses(data)
    rx.validity_days = data.validity_days
    rx.notes = data.notes
    rx.extended_supply_reason = data.extended_supply_reason
    rx.herbal = bool(lines) and all(products[line.product_id].herbal_pieces for line in lines)
    rx.total_amount = sum((line.amount for line in lines), Decimal("0"))


# -- drafts -----------------------------------------------------------------------------------

async def create_draft(ctx: RequestContext, svc: Services, actor: Principal,
                       data: DraftIn) -> Prescription:
    _require_doctor(actor)
    assert actor.org_id is not None and actor.department_id is not None
    await patient_context(ctx, data.patient_id)  # NotFound when the patient is out of scope
    now = svc.clock.now()
    rx = Prescription(
        id=uuid.uuid4(), org_id=actor.org_id, department_id=actor.department_id,
        doctor_id=actor.id, patient_id=data.patient_id, status=Status.DRAFT.value,
        number=await repository.next_number(ctx.session, now.astimezone(CHINA).strftime("%Y%m%d")),
        diagnoses=[], visit_type=data.visit_type, status_changed_at=now)
    lines, products = await _lines(ctx, svc, rx.id, rx.org_id, data.lines)
    _apply_header(rx, data, lines, products)
    ctx.session.add(rx)
    await ctx.session.flush()
    ctx.session.add_all(lines)
    await ctx.session.flush()
    ctx.note("prescription.create_draft", "prescription", rx.id, number=rx.number,
             patient_id=str(rx.patient_id), lines=len(lines))
    return rx


async def update_draft(ctx: RequestContext, svc: Services, actor: Principal,
                       prescription_id: uuid.UUID, data: DraftUpdate) -> Prescription:
    rx = await _owned(ctx, actor, prescription_id)
    _check_version(rx, data.version)
    if rx.status not in EDITABLE:
        raise Unprocessable("只有草稿或被驳回的处方可以修改", current_status=rx.status)
    lines, products = await _lines(ctx, svc, rx.id, rx.org_id, data.lines)
    await repository.replace_lines(ctx.session, rx.id, lines)
    _apply_header(rx, data, lines, products)
    await ctx.session.flush()
    ctx.note("prescription.update_draft", "prescription", rx.id, number=rx.number,
             lines=len(lines))
    return rx


# -- checks -----------------------------------------------------------------------------------

async def _rule_hits(ctx: RequestContext, actor: Principal, *, visit_type: str,
                     validity_days: int, extended_supply_reason: str | None,
                     diagnoses: list[dict[str, str]], lines: Sequence[PrescriptionLine],
                     products: dict[Any, CatalogueProduct]) -> list[checking.Hit]:
    limits = await load_settings(ctx.session, PrescriptionLimits)
    org = await ctx.session.get(Organisation, actor.org_id)
    title = actor.attributes.get("title")
    allowed = await repository.allowed_classes(ctx.session, actor.department_id, title)
    data = checking.rule_input(
        visit_type=visit_type, validity_days=validity_days,
        extended_supply_reason=extended_supply_reason, diagnoses=diagnoses, lines=lines,
        products=products, doctor_title=title,
        primary_care=org is not None and org.kind == OrganisationKind.CLINIC,
        allowed_classes=allowed)
    return checking.from_rules(check_rules(data, limits))


async def _all_hits(ctx: RequestContext, svc: Services, actor: Principal, *,
                    context: PatientContext, visit_type: str, validity_days: int,
                    extended_supply_reason: str | None, diagnoses: list[dict[str, str]],
                    lines: Sequence[PrescriptionLine],
                    products: dict[Any, CatalogueProduct]) -> list[checking.Hit]:
    hits = await _rule_hits(ctx, actor, visit_type=visit_type, validity_days=validity_days,
                            extended_supply_reason=extended_supply_reason, diagnoses=diagnoses,
                            lines=lines, products=products)
    knowledge = await snapshot(ctx.session)
    hits += checking.engine_hits(context, diagnoses, lines, products, knowledge)
    return hits


async def check_body(ctx: RequestContext, svc: Services, actor: Principal,
                     data: DraftIn) -> checking.CheckOutcome:
    """Warnings while prescribing: every check on content not saved yet."""
    _require_doctor(actor)
    assert actor.org_id is not None
    context = await patient_context(ctx, data.patient_id)
    lines, products = await _lines(ctx, svc, uuid.uuid4(), actor.org_id, data.lines)
    hits = await _all_hits(ctx, svc, actor, context=context, visit_type=data.visit_type,
                           validity_days=data.validity_days,
                           extended_supply_reason=data.extended_supply_reason,
                           diagnoses=_diagnoses(data), lines=lines, products=products)
    return checking.CheckOutcome(hits)


# -- signing ----------------------------------------------------------------------------------

async def document_to_sign(ctx: RequestContext, actor: Principal,
                           prescription_id: uuid.UUID) -> tuple[dict[str, Any], bytes]:
    rx = await _owned(ctx, actor, prescription_id, for_update=False)
    document = signing_document(rx, await repository.lines(ctx.session, rx.id), rx.revision + 1)
    return document, canonical_bytes(document)


# -- submit -----------------------------------------------------------------------------------

def _expiry(now: datetime, validity_days: int) -> datetime:
    """Valid through the end of the last day of validity, in China's calendar; in UTC, as every
    time the API gives out."""
    last_day = now.astimezone(CHINA).date() + timedelta(days=validity_days - 1)
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=CHINA).astimezone(UTC)


def _apply_overrides(hits: list[checking.Hit], body: SubmitIn, actor: Principal,
                     now: datetime) -> None:
    reasons = {o.key: o.reason for o in body.overrides}
    missing = []
    for hit in hits:
        if not hit.needs_override:
            continue
        reason = reasons.get(hit.key)
        if reason is None:
            missing.append({"key": hit.key, "level": hit.level, "message": hit.message})
            continue
        hit.override_reason, hit.overridden_by, hit.overridden_at = reason, actor.name, now
    if missing:
        raise OverrideRequired(issues=missing)


@dataclass(frozen=True)
class Written:
    """What a call has just written besides the prescription row, for the answer to show
    without reading it back."""

    lines: Sequence[PrescriptionLine]
    issues: Sequence[checking.Hit]
    task: ReviewTask


async def submit(ctx: RequestContext, svc: Services, actor: Principal,
                 prescription_id: uuid.UUID, body: SubmitIn) -> tuple[Prescription, Written]:
    rx = await _owned(ctx, actor, prescription_id)
    _check_version(rx, body.version)
    if rx.status not in EDITABLE:
        raise Unprocessable("只有草稿或被驳回的处方可以提交", current_status=rx.status)
    now = svc.clock.now()
    lines = list(await repository.lines(ctx.session, rx.id))
    products = await repository.products(ctx.session, [line.product_id for line in lines])
    context = await patient_context(ctx, rx.patient_id, today=now.astimezone(CHINA).date())
    hits = await _all_hits(ctx, svc, actor, context=context, visit_type=rx.visit_type,
                           validity_days=rx.validity_days,
                           extended_supply_reason=rx.extended_supply_reason,
                           diagnoses=rx.diagnoses, lines=lines, products=products)
    blocking = [h for h in hits if h.level == checking.BLOCKS]
    if blocking:
        raise SubmissionBlocked(issues=[{"key": h.key, "message": h.message} for h in blocking])
    _apply_overrides(hits, body, actor, now)

    revision = rx.revision + 1
    verified = await verify_document(
        ctx.session, user_id=actor.id, document=signing_document(rx, lines, revision),
        signature=body.signature, algorithm=body.algorithm, at=now)
    rx.signature = base64.b64decode(body.signature)
    rx.signature_algorithm = verified.algorithm
    rx.certificate_id = verified.certificate_id
    rx.signed_digest = hashlib.sha256(
        canonical_bytes(signing_document(rx, lines, revision))).digest()
    rx.signed_at = now
    rx.revision = revision
    rx.issued_at = now
    rx.expires_at = _expiry(now, rx.validity_days)

    # The hospital's rational-drug-use system: "not checked" is recorded, never read as passed.
    rational = await svc.rational_use.check(
        checking.check_request(context, rx.diagnoses, lines, products))
    hits += checking.from_rational_use(rational)
    ctx.session.add_all(checking.as_rows(hits, prescription_id=rx.id, org_id=rx.org_id,
                                         revision=revision))
    rx.worst_level = checking.worst_level([h.level for h in hits])
    # Signed, checked and queued for review in one write (one UPDATE of the prescription,
    # compare-and-set on its version); the history keeps the three steps.
    repository.advance(ctx.session, rx, [
        (Status.SUBMITTED, None),
        (Status.AUTO_CHECKED, None if rational.checked else rational.reason),
        (Status.UNDER_REVIEW, None)], by=repository.By.of(ctx, Role.DOCTOR.value), now=now)
    task = await review_service.open_task(ctx, svc, rx, lines, now=now)
    await publish(ctx, type="prescription.status", org_id=rx.org_id, entity_type="prescription",
                  entity_id=rx.id, user_ids=[rx.doctor_id],
                  payload={"id": str(rx.id), "number": rx.number, "status": rx.status})
    ctx.note("prescription.submit", "prescription", rx.id, number=rx.number, revision=revision,
             certificate_id=str(verified.certificate_id), worst_level=rx.worst_level,
             overrides=[h.key for h in hits if h.override_reason],
             review_task=str(task.id), rational_use_checked=rational.checked)
    return rx, Written(lines, sorted(hits, key=lambda h: -h.level), task)


# -- void and reissue -------------------------------------------------------------------------

async def void(ctx: RequestContext, svc: Services, actor: Principal, prescription_id: uuid.UUID,
               *, version: int, reason: str) -> Prescription:
    rx = await _owned(ctx, actor, prescription_id)
    _check_version(rx, version)
    if rx.status not in VOIDABLE:
        raise Unprocessable("处方已进入调配或已结束，不能作废", current_status=rx.status)
    now = svc.clock.now()
    await repository.transition(ctx.session, rx, Status.VOIDED,
                                by=repository.By.of(ctx, Role.DOCTOR.value), reason=reason,
                                now=now)
    rx.void_reason = reason
    await review_service.cancel_open_task(ctx, rx)
    await hooks.voided(ctx, svc, rx, reason)
    await publish(ctx, type="prescription.status", org_id=rx.org_id, entity_type="prescription",
                  entity_id=rx.id, user_ids=[rx.doctor_id],
                  payload={"id": str(rx.id), "number": rx.number, "status": rx.status})
    ctx.note("prescription.void", "prescription", rx.id, number=rx.number, reason=reason)
    return rx


async def reissue(ctx: RequestContext, svc: Services, actor: Principal,
                  prescription_id: uuid.UUID, *, version: int, reason: str) -> Prescription:
    """重开: a new draft with the same content, linked to the old one, which is voided."""
    old = await _owned(ctx, actor, prescription_id)
    old_lines = await repository.lines(ctx.session, old.id)
    await void(ctx, svc, actor, prescription_id, version=version, reason=f"重开：{reason}")
    data = DraftIn(
        patient_id=old.patient_id, visit_type=old.visit_type,
        diagnoses=old.diagnoses,
        validity_days=old.validity_days, notes=old.notes,
        extended_supply_reason=old.extended_supply_reason,
        lines=[LineIn(product_id=line.product_id, dose=line.dose, dose_unit=line.dose_unit,
                      route=line.route, frequency=line.frequency, days=line.days,
                      instructions=line.instructions, skin_test=line.skin_test)
               for line in old_lines])
    new = await create_draft(ctx, svc, actor, data)
    new.supersedes_id = old.id
    await ctx.session.flush()
    ctx.note("prescription.reissue", "prescription", new.id, number=new.number,
             supersedes=old.number, reason=reason)
    return new


# -- reading ----------------------------------------------------------------------------------

async def readable(ctx: RequestContext, actor: Principal,
                   prescription_id: uuid.UUID) -> Prescription:
    """A prescription the actor may read: its doctor, or staff of the issuing organisation
    (row-level security scopes the row itself)."""
    rx = await repository.get(ctx.session, prescription_id)
    if rx is None:
        raise NotFound("处方不存在")
    if Role.DOCTOR in actor.roles and not actor.roles & {Role.PHARMACIST, Role.HOSPITAL_ADMIN,
                                                         Role.AUDITOR} \
            and rx.doctor_id != actor.id and rx.department_id != actor.department_id:
        raise NotPermitted("只能查看本人或本科室的处方")
    return rx
