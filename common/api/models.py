"""The API's JSON as client-side pydantic models.

These mirror the server's request and response bodies (server/*/schemas.py and the review
router) without importing them: the apps never import the server. Response models ignore fields
they do not know, so a newer server does not break an older app. Request models carry the types
only; the bounds and the Chinese messages are the server's, which answers 422 naming the field
(`common.api.errors.ValidationFailed`), so the rules live in one place.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

VisitType = Literal["outpatient", "emergency", "inpatient", "chronic"]


class Wire(BaseModel):
    """A response body: unknown fields are ignored (forward compatible)."""

    model_config = ConfigDict(extra="ignore")


class Request(BaseModel):
    """A request body: a typo in a field name fails here, before it reaches the server."""

    model_config = ConfigDict(extra="forbid")


# -- authentication ----------------------------------------------------------------------------

class LoginRequest(Request):
    username: str
    password: str
    totp_code: str | None = None


class RefreshRequest(Request):
    refresh_token: str


class TokenResponse(Wire):
    access_token: str
    refresh_token: str | None = None
    token_type: str = "bearer"  # noqa: S105
    expires_in: int


class LaunchRequest(Request):
    launch_token: str


class LaunchResponse(TokenResponse):
    """A launch token's session (from the HIS), and the patient to open."""

    username: str
    patient_id: uuid.UUID


class Me(Wire):
    kind: str
    id: uuid.UUID
    name: str
    roles: list[str]
    permissions: list[str]
    org_id: uuid.UUID | None
    department_id: uuid.UUID | None


# -- catalogue ---------------------------------------------------------------------------------

class Product(Wire):
    id: uuid.UUID
    version: int
    item_type: str
    generic_name: str
    brand_name: str | None = None
    specification: str
    dosage_form: str | None = None
    package: str
    unit: str
    manufacturer: str
    approval_number: str | None = None
    registration_number: str | None = None
    insurance_code: str | None = None
    standard_code: str | None = None
    atc_code: str | None = None
    drug_class: str
    chronic_list: bool
    herbal_pieces: bool
    insurance_restriction: str | None = None
    status: str


class SearchHit(Product):
    current_price: Decimal | None = None


class SearchPage(Wire):
    items: list[SearchHit]
    total: int
    total_exact: bool
    limit: int
    offset: int
    served_by: str


# -- patients and their clinical context -------------------------------------------------------

class Patient(Wire):
    """Masked per role by the server (`view` "masked"), unless read in full."""

    id: uuid.UUID
    version: int
    org_id: uuid.UUID
    view: str
    name: str
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None
    insurance_card: str | None = None
    hospital_card: str | None = None
    sex: str | None = None
    birth_date: date | None = None
    age: int | None = None
    weight_kg: Decimal | None = None
    pregnant: bool
    lactating: bool
    created_at: datetime
    updated_at: datetime


class PatientPage(Wire):
    items: list[Patient]
    total: int
    limit: int
    offset: int


class ClinicalRecord(Wire):
    id: uuid.UUID
    version: int
    patient_id: uuid.UUID
    source: str
    recorded_at: datetime
    recorded_by: str


class Diagnosis(ClinicalRecord):
    icd10: str
    name: str
    active: bool
    resolved_at: datetime | None = None


class Allergy(ClinicalRecord):
    allergen_class: str | None = None
    allergen_class_label: str | None = None
    allergen: str
    reaction: str | None = None
    severity: str
    active: bool
    inactivated_at: datetime | None = None
    inactivated_reason: str | None = None


class Medication(ClinicalRecord):
    generic_name: str
    atc_code: str | None = None
    product_id: uuid.UUID | None = None
    dose: str | None = None
    started_on: date
    ended_on: date | None = None
    source_ref: str | None = None


class PatientContext(Wire):
    """What the doctor's app shows on opening a patient, in one answer."""

    patient: Patient
    diagnoses: list[Diagnosis]
    allergies: list[Allergy]
    current_medications: list[Medication]
    past_medications: list[Medication]


# -- prescriptions -----------------------------------------------------------------------------

class DiagnosisIn(Request):
    code: str
    name: str


class LineIn(Request):
    product_id: uuid.UUID
    dose: Decimal
    dose_unit: str
    route: str
    frequency: str
    days: int
    instructions: str | None = None
    skin_test: bool = False


class DraftIn(Request):
    """A new draft, and the body of the warnings-while-prescribing check."""

    patient_id: uuid.UUID
    visit_type: VisitType = "outpatient"
    diagnoses: list[DiagnosisIn]
    validity_days: int = 1
    notes: str | None = None
    extended_supply_reason: str | None = None
    lines: list[LineIn]


class DraftUpdate(Request):
    version: int
    visit_type: VisitType = "outpatient"
    diagnoses: list[DiagnosisIn]
    validity_days: int = 1
    notes: str | None = None
    extended_supply_reason: str | None = None
    lines: list[LineIn]


class Issue(Wire):
    """One hit of the checks (a FHIR DetectedIssue): `key` is what an override names."""

    key: str
    source: str
    kind: str
    level: int
    severity: str
    lines: list[int]
    message: str
    advice: str | None = None
    rule_id: str | None = None
    needs_override: bool = False
    override_reason: str | None = None
    overridden_by: str | None = None
    overridden_at: datetime | None = None


class CheckResult(Wire):
    issues: list[Issue]
    blocking: bool
    worst_level: int | None = None


class Line(Wire):
    line_no: int
    product_id: uuid.UUID
    item_type: str
    generic_name: str
    specification: str
    drug_class: str
    dose: Decimal
    dose_unit: str
    route: str
    frequency: str
    days: int
    quantity: int
    unit: str
    unit_price: Decimal
    amount: Decimal
    instructions: str | None = None
    skin_test: bool


class Transition(Wire):
    from_status: str | None = None
    to_status: str
    at: datetime
    actor_name: str | None = None
    actor_role: str | None = None
    workstation: str | None = None
    reason: str | None = None


class Signature(Wire):
    algorithm: str
    certificate_id: uuid.UUID | None = None
    signed_at: datetime | None = None
    revision: int


class Prescription(Wire):
    id: uuid.UUID
    number: str
    version: int
    status: str
    status_label: str
    patient_id: uuid.UUID
    doctor_id: uuid.UUID
    org_id: uuid.UUID
    department_id: uuid.UUID
    visit_type: str
    diagnoses: list[dict[str, Any]]
    validity_days: int
    notes: str | None = None
    extended_supply_reason: str | None = None
    herbal: bool
    total_amount: Decimal
    worst_level: int | None = None
    revision: int
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    supersedes_id: uuid.UUID | None = None
    void_reason: str | None = None
    created_at: datetime
    lines: list[Line]
    issues: list[Issue] = Field(default_factory=list)
    transitions: list[Transition] = Field(default_factory=list)
    signature: Signature | None = None
    review: dict[str, Any] | None = None


class PrescriptionSummary(Wire):
    id: uuid.UUID
    number: str
    version: int
    status: str
    status_label: str
    patient_id: uuid.UUID
    patient_name: str | None = None
    visit_type: str
    total_amount: Decimal
    worst_level: int | None = None
    created_at: datetime
    issued_at: datetime | None = None


class PrescriptionPage(Wire):
    items: list[PrescriptionSummary]
    total: int
    total_exact: bool = True


class SigningDocument(Wire):
    """The exact content to sign (`common.signing.sign_document(key, document)`)."""

    document: dict[str, Any]
    canonical_base64: str
    sha256: str


class Override(Request):
    key: str
    reason: str


class SubmitIn(Request):
    version: int
    signature: str
    algorithm: str
    overrides: list[Override] = Field(default_factory=list)


class ReasonIn(Request):
    version: int
    reason: str


class TemplateIn(Request):
    name: str
    scope: Literal["personal", "department"] = "personal"
    diagnoses: list[DiagnosisIn] = Field(default_factory=list)
    lines: list[LineIn]


class Template(Wire):
    id: uuid.UUID
    version: int
    name: str
    scope: str
    owner_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    diagnoses: list[dict[str, Any]]
    lines: list[dict[str, Any]]


# -- signing certificates ----------------------------------------------------------------------

class Certificate(Wire):
    """A public key registered for a user (the private key never leaves the workstation)."""

    id: uuid.UUID
    user_id: uuid.UUID
    algorithm: str
    fingerprint: str
    registered_at: datetime
    valid_from: datetime
    valid_until: datetime | None = None
    status: str


# -- pharmacist review -------------------------------------------------------------------------

class ReviewTask(Wire):
    id: uuid.UUID
    version: int
    prescription_id: uuid.UUID
    status: str
    revision: int
    drug_classes: list[str]
    worst_level: int | None = None
    assigned_to_id: uuid.UUID | None = None
    assigned_at: datetime | None = None
    due_at: datetime
    escalated_at: datetime | None = None
    decision: str | None = None
    reason_code: str | None = None
    reason_text: str | None = None
    decided_at: datetime | None = None
    spot_check: str | None = None


class QueueItem(Wire):
    task: ReviewTask
    prescription_number: str
    visit_type: str
    overdue: bool
    seconds_left: int


class QueuePage(Wire):
    items: list[QueueItem]
    total: int


class Annotation(Wire):
    id: uuid.UUID
    text: str
    line_no: int | None = None
    author_name: str | None = None
    at: datetime | None = None


class ReviewTaskDetail(Wire):
    task: ReviewTask
    prescription: Prescription
    seconds_left: int
    signature_valid: bool
    # "approved" -> the document to sign for an approval (a rejection's: decision_document()).
    decision_documents: dict[str, dict[str, Any]]
    annotations: list[Annotation] = Field(default_factory=list)


class HistoryItem(Wire):
    task: ReviewTask
    prescription_number: str
    visit_type: str
    seconds_to_decision: int


class HistoryPage(Wire):
    items: list[HistoryItem]
    total: int


class OpenTaskItem(QueueItem):
    """A task of the hospital's queue as a senior pharmacist sees it."""

    assigned_to_name: str | None = None


class OpenTaskPage(Wire):
    items: list[OpenTaskItem]
    total: int


class SpotCheckItem(Wire):
    task: ReviewTask
    prescription_number: str
    visit_type: str
    decided_by_name: str


class SpotCheckPage(Wire):
    items: list[SpotCheckItem]
    total: int


class Pharmacist(Wire):
    id: uuid.UUID
    name: str
    pharmacist_level: str | None = None
    on_duty: bool
    open_tasks: int


class ReviewStats(Wire):
    """Quality figures over decided tasks; rates are fractions (None: nothing to divide)."""

    decided: int
    approved: int
    rejected: int
    approval_rate: float | None = None
    rejection_rate: float | None = None
    spot_checked: int
    errors: int
    error_rate: float | None = None
    avg_seconds_to_decision: float | None = None
    p90_seconds_to_decision: float | None = None
    served_by: str | None = None


class DecisionDocumentIn(Request):
    decision: Literal["approved", "rejected"]
    reason_code: str | None = None
    reason_text: str | None = None


class DecisionIn(Request):
    version: int
    signature: str
    algorithm: str


class RejectIn(DecisionIn):
    reason_code: str
    reason_text: str


class AnnotationIn(Request):
    text: str
    line_no: int | None = None


class DutyIn(Request):
    on_duty: bool


class Duty(Wire):
    on_duty: bool
    tasks_moved: int


class DutyState(Wire):
    on_duty: bool
    changed_at: datetime | None = None


class ReassignIn(Request):
    to_user_id: uuid.UUID


class SpotCheckIn(Request):
    result: Literal["correct", "error"]
    note: str | None = None


# -- live events -------------------------------------------------------------------------------

class LiveEvent(Wire):
    """One event of `/events/stream` (or of the polling twin `/events`)."""

    id: int
    type: str
    created_at: datetime
    org_id: uuid.UUID
    entity_type: str | None = None
    entity_id: str | None = None
    payload: dict[str, Any]


class LiveEventPage(Wire):
    items: list[LiveEvent]
    last_id: int
    # Events after the `after` asked for were pruned: reload what is shown (as on `resync`).
    resync: bool = False
