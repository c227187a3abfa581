"""Prescriptions, their lines, their status history, the issues the checks found, the pharmacist
review tasks, pharmacists' duty and prescription templates.

Rows carry the issuing organisation (`org_id`) so row-level security scopes them like patients.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, Entity


class Prescription(Entity, Base):
    __tablename__ = "prescription"

    number: Mapped[str] = mapped_column(String(24), unique=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    department_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    doctor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"))
    visit_type: Mapped[str] = mapped_column(String(20))
    diagnoses: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    validity_days: Mapped[int] = mapped_column(Integer, default=1)
    notes: Mapped[str | None] = mapped_column(Text)
    # Why more than the usual days' supply (chronic, elderly, long-term prescriptions).
    extended_supply_reason: Mapped[str | None] = mapped_column(Text)
    herbal: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(30), default="draft")
    status_changed_at: Mapped[datetime] = mapped_column(server_default=func.now())
    total_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    # The worst level of the automatic checks at submission (PASS scale), for queue ordering.
    worst_level: Mapped[int | None]
    issued_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revision: Mapped[int] = mapped_column(Integer, default=0)  # times signed
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    signature_algorithm: Mapped[str | None] = mapped_column(String(30))
    certificate_id: Mapped[uuid.UUID | None]
    signed_digest: Mapped[bytes | None] = mapped_column(LargeBinary)  # SHA-256 of what was signed
    signed_at: Mapped[datetime | None]
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("prescription.id"))
    void_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        # The doctor's list and the patient's history, newest first.
        Index("ix_prescription_doctor_recent", "doctor_id", text("created_at DESC")),
        Index("ix_prescription_patient_recent", "patient_id", text("created_at DESC")),
        Index("ix_prescription_status", "status", "org_id"),
    )


class PrescriptionLine(Base):
    __tablename__ = "prescription_line"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    prescription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("prescription.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("catalogue_product.id"))
    # What the doctor saw when prescribing (the catalogue may change later).
    item_type: Mapped[str] = mapped_column(String(30))
    generic_name: Mapped[str] = mapped_column(String(200))
    specification: Mapped[str] = mapped_column(String(100))
    drug_class: Mapped[str] = mapped_column(String(30))
    dose: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    dose_unit: Mapped[str] = mapped_column(String(20))
    route: Mapped[str] = mapped_column(String(30))
    frequency: Mapped[str] = mapped_column(String(10))
    days: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(20))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    instructions: Mapped[str | None] = mapped_column(Text)
    skin_test: Mapped[bool] = mapped_column(Boolean, default=False)


class PrescriptionTransition(Base):
    """The status history: who moved the prescription, when, from where and why."""

    __tablename__ = "prescription_transition"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    prescription_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("prescription.id"), index=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(server_default=func.clock_timestamp())
    actor_id: Mapped[uuid.UUID | None]
    actor_name: Mapped[str | None] = mapped_column(String(100))
    actor_role: Mapped[str | None] = mapped_column(String(40))
    workstation: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)


class PrescriptionIssue(Base):
    """A hit of the automatic checks, stored like a FHIR DetectedIssue, with its override."""

    __tablename__ = "prescription_issue"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    prescription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("prescription.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    revision: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20))  # rules | engine | rational_use
    kind: Mapped[str] = mapped_column(String(30))
    level: Mapped[int] = mapped_column(Integer)
    line_numbers: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    message: Mapped[str] = mapped_column(Text)
    advice: Mapped[str | None] = mapped_column(Text)
    rule_id: Mapped[str | None] = mapped_column(String(100))
    override_reason: Mapped[str | None] = mapped_column(Text)
    overridden_by_id: Mapped[uuid.UUID | None]
    overridden_by_name: Mapped[str | None] = mapped_column(String(100))
    overridden_at: Mapped[datetime | None]


class ReviewTask(Entity, Base):
    """A pharmacist's review of one submission of a prescription."""

    __tablename__ = "review_task"

    prescription_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("prescription.id"), index=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    revision: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | decided | cancelled
    drug_classes: Mapped[list[str]] = mapped_column(ARRAY(String(30)))
    worst_level: Mapped[int | None]
    assigned_to_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    assigned_at: Mapped[datetime | None]
    due_at: Mapped[datetime]
    escalated_at: Mapped[datetime | None]
    decision: Mapped[str | None] = mapped_column(String(20))  # approved | rejected
    reason_code: Mapped[str | None] = mapped_column(String(40))
    reason_text: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[uuid.UUID | None]
    decided_at: Mapped[datetime | None]
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    signature_algorithm: Mapped[str | None] = mapped_column(String(30))
    certificate_id: Mapped[uuid.UUID | None]
    # A senior pharmacist's spot check of an approval: correct | error.
    spot_check: Mapped[str | None] = mapped_column(String(20))
    spot_checked_by_id: Mapped[uuid.UUID | None]
    spot_check_note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        # The pharmacist's queue.
        Index("ix_review_task_queue", "assigned_to_id", "status", "due_at"),
        Index("ix_review_task_open_due", "due_at", postgresql_where=text("status = 'open'")),
    )


class ReviewAnnotation(Base):
    __tablename__ = "review_annotation"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_task.id"), index=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    author_id: Mapped[uuid.UUID]
    author_name: Mapped[str] = mapped_column(String(100))
    line_no: Mapped[int | None]
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(server_default=func.now())


class PharmacistDuty(Base):
    """Whether a pharmacist is on duty (only on-duty pharmacists receive review tasks)."""

    __tablename__ = "pharmacist_duty"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"), primary_key=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    on_duty: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(server_default=func.now())


class PrescriptionTemplate(Entity, Base):
    """Lines saved for reuse: personal (owner) or departmental (department)."""

    __tablename__ = "prescription_template"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    scope: Mapped[str] = mapped_column(String(20))  # personal | department
    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    department_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"),
                                                            index=True)
    name: Mapped[str] = mapped_column(String(100))
    diagnoses: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
