"""The review screen without Qt: what it shows of a task (patient, lines, hits, the
rational-drug-use system's answer, drug reference data) and the decision flow (a fresh document
from the server, signed here, sent once).

Decisions are never queued offline: the signed document binds the decision to the exact
prescription revision the server holds now, so it must come fresh from the server and go back
at once. A pharmacist who is offline is told to wait for the connection.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from client_pharmacist.queue import severity
from client_pharmacist.signing_key import SigningKeyStore
from common.api import ApiClient, errors
from common.api.models import (
    Annotation,
    Issue,
    Line,
    PatientContext,
    Product,
    ReviewTask,
    ReviewTaskDetail,
    SigningDocument,
)

RATIONAL_USE = "rational_use"
DecisionKind = Literal["approved", "rejected"]


@dataclass(frozen=True)
class PatientView:
    """What the patient banner shows (masked by the server for pharmacists)."""

    name: str
    sex: str | None
    birth_date: date | None
    id_number: str | None
    weight_kg: Decimal | None
    pregnant: bool
    lactating: bool
    allergies: tuple[str, ...] | None  # None: not recorded
    diagnoses: tuple[str, ...]  # of this prescription
    current_medications: tuple[str, ...]


@dataclass(frozen=True)
class HitView:
    level: int
    message: str
    advice: str
    subject: str  # the lines it is about, e.g. "第1行 阿司匹林肠溶片"
    source: str
    override_reason: str | None = None
    overridden_by: str | None = None


@dataclass(frozen=True)
class DrugReference:
    """The catalogue's entry for a line's product (what the hospital has, not a monograph)."""

    line_no: int
    generic_name: str
    brand_name: str | None
    specification: str
    dosage_form: str | None
    manufacturer: str
    approval_number: str | None
    atc_code: str | None
    drug_class: str
    chronic_list: bool
    insurance_restriction: str | None


@dataclass(frozen=True)
class ReviewView:
    task: ReviewTask
    number: str
    visit_type: str
    doctor_notes: str | None
    total_amount: Decimal
    signature_valid: bool
    patient: PatientView
    lines: tuple[Line, ...]
    checks: tuple[HitView, ...]  # our rules and rule engine, worst first
    rational_use: tuple[HitView, ...]  # the hospital's system, worst first
    rational_use_level: int  # the worst line's answer; 0 when every line was blue
    references: tuple[DrugReference, ...]
    annotations: tuple[Annotation, ...]
    # The time limit on the workstation's clock, anchored like the queue's (its answer's time
    # plus the seconds the server says are left), not the server's due_at read on a clock
    # that may be off.
    deadline: datetime
    line_levels: Mapping[int, int] = field(default_factory=dict)  # worst hit per line


def _subject(issue: Issue, names: Mapping[int, str]) -> str:
    return "、".join(f"第{n}行 {names.get(n, '')}".strip() for n in issue.lines)


def hit_view(issue: Issue, names: Mapping[int, str]) -> HitView:
    return HitView(level=issue.level, message=issue.message, advice=issue.advice or "",
                   subject=_subject(issue, names), source=issue.source,
                   override_reason=issue.override_reason, overridden_by=issue.overridden_by)


def worst_first(hits: Sequence[HitView]) -> tuple[HitView, ...]:
    return tuple(sorted(hits, key=lambda h: -severity(h.level)))


def patient_view(context: PatientContext | None, diagnoses: Sequence[Mapping[str, object]]
                 ) -> PatientView:
    shown_diagnoses = tuple(f"{d.get('name', '')}（{d.get('code', '')}）" for d in diagnoses)
    if context is None:
        return PatientView(name="—", sex=None, birth_date=None, id_number=None, weight_kg=None,
                           pregnant=False, lactating=False, allergies=None,
                           diagnoses=shown_diagnoses, current_medications=())
    p = context.patient
    active = [a for a in context.allergies if a.active]
    # No allergy record at all reads as "not recorded", never as "no known allergies".
    allergies = tuple(f"{a.allergen}（{a.reaction}）" if a.reaction else a.allergen
                      for a in active) if context.allergies else None
    meds = tuple(f"{m.generic_name} {m.dose}".strip() if m.dose else m.generic_name
                 for m in context.current_medications)
    return PatientView(name=p.name, sex=p.sex, birth_date=p.birth_date, id_number=p.id_number,
                       weight_kg=p.weight_kg, pregnant=p.pregnant, lactating=p.lactating,
                       allergies=allergies, diagnoses=shown_diagnoses, current_medications=meds)


def reference(line: Line, product: Product) -> DrugReference:
    return DrugReference(
        line_no=line.line_no, generic_name=product.generic_name, brand_name=product.brand_name,
        specification=product.specification, dosage_form=product.dosage_form,
        manufacturer=product.manufacturer, approval_number=product.approval_number,
        atc_code=product.atc_code, drug_class=product.drug_class,
        chronic_list=product.chronic_list, insurance_restriction=product.insurance_restriction)


def review_view(detail: ReviewTaskDetail, context: PatientContext | None,
                products: Mapping[uuid.UUID, Product], received_at: datetime) -> ReviewView:
    rx = detail.prescription
    names = {line.line_no: line.generic_name for line in rx.lines}
    hits = [hit_view(issue, names) for issue in rx.issues]
    rational = [h for h in hits if h.source == RATIONAL_USE]
    line_levels: dict[int, int] = {}
    for issue in rx.issues:
        for n in issue.lines:
            if n not in line_levels or severity(issue.level) > severity(line_levels[n]):
                line_levels[n] = issue.level
    worst_rational = max((h.level for h in rational), key=severity, default=0)
    return ReviewView(
        task=detail.task, number=rx.number, visit_type=rx.visit_type, doctor_notes=rx.notes,
        total_amount=rx.total_amount, signature_valid=detail.signature_valid,
        patient=patient_view(context, rx.diagnoses), lines=tuple(rx.lines),
        checks=worst_first([h for h in hits if h.source != RATIONAL_USE]),
        rational_use=worst_first(rational), rational_use_level=worst_rational,
        references=tuple(reference(line, products[line.product_id]) for line in rx.lines
                         if line.product_id in products),
        annotations=tuple(detail.annotations),
        deadline=received_at + timedelta(seconds=detail.seconds_left), line_levels=line_levels)


def load_review(api: ApiClient, task_id: uuid.UUID,
                clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> ReviewView:
    """Everything the review screen shows, in one call (run it on a worker thread).

    The patient's context and the catalogue entries are extras: a refusal or a gap there
    leaves their part empty rather than the whole screen.
    """
    detail = api.review_task(task_id)
    received_at = clock()
    rx = detail.prescription
    try:
        context: PatientContext | None = api.patient_context(rx.patient_id, past_limit=0)
    except (errors.NotPermitted, errors.NotFound):
        context = None
    products: dict[uuid.UUID, Product] = {}
    for line in rx.lines:
        if line.product_id not in products:
            try:
                products[line.product_id] = api.catalogue_product(line.product_id)
            except (errors.NotPermitted, errors.NotFound):
                pass
    return review_view(detail, context, products, received_at)


# -- deciding ------------------------------------------------------------------------------------

class DecisionProblem(StrEnum):
    NO_REASON = "no_reason"
    SHORT_TEXT = "short_text"


REASON_TEXT_MIN = 2  # the server's bound (RejectIn.reason_text)


@dataclass(frozen=True)
class Decision:
    kind: DecisionKind
    reason_code: str | None = None
    reason_text: str | None = None

    def problems(self) -> list[DecisionProblem]:
        """What the form must fix first (a rejection needs a coded reason and a text)."""
        if self.kind == "approved":
            return []
        found = []
        if not self.reason_code:
            found.append(DecisionProblem.NO_REASON)
        if len((self.reason_text or "").strip()) < REASON_TEXT_MIN:
            found.append(DecisionProblem.SHORT_TEXT)
        return found


def prepare(api: ApiClient, task_id: uuid.UUID, decision: Decision) -> SigningDocument:
    """The exact document to sign, fresh from the server."""
    return api.decision_document(task_id, decision.kind, reason_code=decision.reason_code,
                                 reason_text=(decision.reason_text or "").strip() or None)


def sign_and_send(api: ApiClient, keys: SigningKeyStore, task: ReviewTask, decision: Decision,
                  document: SigningDocument) -> ReviewTask:
    """Sign what the pharmacist confirmed and send it, once (a retry reuses the key)."""
    signature, algorithm = keys.sign(document.document)
    if decision.kind == "approved":
        return api.approve(task.id, version=task.version, signature=signature,
                           algorithm=algorithm)
    return api.reject(task.id, version=task.version, signature=signature, algorithm=algorithm,
                      reason_code=decision.reason_code or "",
                      reason_text=(decision.reason_text or "").strip())


class FailureKind(StrEnum):
    TAKEN = "taken"  # another pharmacist decided it first, or it changed: reload
    OFFLINE = "offline"  # not sent; decisions are not queued
    NO_CERTIFICATE = "no_certificate"  # the key is not registered (yet)
    SIGNATURE = "signature"  # the prescription or the signature does not verify
    NOT_PERMITTED = "not_permitted"
    SESSION = "session"  # locked or logged out
    REFUSED = "refused"  # any other refusal, in the server's words


def classify(exc: BaseException) -> FailureKind:
    if isinstance(exc, errors.Conflict | errors.NotFound):
        return FailureKind.TAKEN
    if isinstance(exc, errors.ServerUnavailable):
        return FailureKind.OFFLINE
    if isinstance(exc, errors.NoCertificate):
        return FailureKind.NO_CERTIFICATE
    if isinstance(exc, errors.SignatureInvalid):
        return FailureKind.SIGNATURE
    if isinstance(exc, errors.NotPermitted):
        return FailureKind.NOT_PERMITTED
    if isinstance(exc, errors.NotAuthenticated):
        return FailureKind.SESSION
    return FailureKind.REFUSED
