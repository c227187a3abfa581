"""All SQL of the FHIR API. Row-level security scopes every query to the client's
organisations, so a filter forgotten here still shows nothing the client may not see."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, any_, false, func, literal, or_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.models import AuditEvent
from server.catalogue.models import CatalogueProduct, ProductStatus
from server.circulation.models import CirculationOrder, DispensedPackage, OrderLine
from server.fhir.models import FhirIdentifier
from server.fhir.search import DateRange, Search
from server.identity.models import StaffUser
from server.organisations.models import Organisation
from server.prescriptions.models import (
    Prescription,
    PrescriptionIssue,
    PrescriptionLine,
    ReviewTask,
)

# A query of any row shape (SQLAlchemy 2.1's Select is variadic).
Query = Select[*tuple[Any, ...]]

# Staff who appear as FHIR Practitioners (administrators do not).
PRACTITIONER_ROLES = ("doctor", "pharmacist", "pharmacy_staff")
# Products that were never approved are not part of the catalogue.
LISTED = (ProductStatus.ACTIVE, ProductStatus.SUSPENDED, ProductStatus.WITHDRAWN)


async def page(session: AsyncSession, query: Query, search: Search
               ) -> tuple[Sequence[Any], int]:
    total = (await session.execute(
        select(func.count()).select_from(query.order_by(None).subquery()))).scalar_one()
    if search.count == 0:
        return [], total
    rows = (await session.execute(query.limit(search.count).offset(search.offset))).all()
    return rows, total


def in_range(column: Any, ranges: list[DateRange]) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for r in ranges:
        if r.start is not None:
            conditions.append(column >= r.start)
        if r.end is not None:
            conditions.append(column < r.end)
    return conditions


def any_of(values: Sequence[Any], condition: Any) -> ColumnElement[bool]:
    return or_(*(condition(v) for v in values)) if values else false()


# -- directory ---------------------------------------------------------------------------------

def practitioners() -> Query:
    return (select(StaffUser)
            .where(or_(*(literal(role) == any_(StaffUser.roles) for role in PRACTITIONER_ROLES)))
            .order_by(StaffUser.username))


def organisations() -> Query:
    return select(Organisation).order_by(Organisation.path)


def medications() -> Query:
    return (select(CatalogueProduct).where(CatalogueProduct.status.in_(LISTED))
            .order_by(CatalogueProduct.generic_name, CatalogueProduct.id))


async def staff(session: AsyncSession, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Display names of the staff among `user_ids` the client may see."""
    if not user_ids:
        return {}
    rows = await session.execute(select(StaffUser.id, StaffUser.display_name)
                                 .where(StaffUser.id.in_(set(user_ids))))
    return {row.id: row.display_name for row in rows}


async def organisation_names(session: AsyncSession,
                             ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await session.execute(select(Organisation.id, Organisation.name)
                                 .where(Organisation.id.in_(set(ids))))
    return {row.id: row.name for row in rows}


# -- prescriptions -----------------------------------------------------------------------------

def request_lines() -> Query:
    """MedicationRequests: one per prescription line, newest prescriptions first."""
    return (select(PrescriptionLine, Prescription)
            .join(Prescription, Prescription.id == PrescriptionLine.prescription_id)
            .order_by(Prescription.created_at.desc(), Prescription.id, PrescriptionLine.line_no))


def prescriptions() -> Query:
    return select(Prescription).order_by(Prescription.created_at.desc(), Prescription.id)


def prescription_identifier(system: str | None, value: str | None) -> ColumnElement[bool]:
    """Prescriptions carrying the identifier: our number, or one a client gave at creation."""
    from server.fhir import systems

    ours = Prescription.number == value if value is not None else Prescription.number.is_not(None)
    theirs = select(FhirIdentifier.prescription_id).where(
        FhirIdentifier.resource_type == "MedicationRequest")
    if system is not None:
        theirs = theirs.where(FhirIdentifier.system == system)
    if value is not None:
        theirs = theirs.where(FhirIdentifier.value == value)
    conditions: list[ColumnElement[bool]] = []
    if system is None or system == systems.PRESCRIPTION_NUMBER:
        conditions.append(ours)
    if system != systems.PRESCRIPTION_NUMBER:
        conditions.append(Prescription.id.in_(theirs))
    return or_(*conditions)


async def client_identifiers(session: AsyncSession, prescription_ids: Sequence[uuid.UUID]
                             ) -> dict[uuid.UUID, list[tuple[str, str]]]:
    found: dict[uuid.UUID, list[tuple[str, str]]] = {}
    if not prescription_ids:
        return found
    rows = await session.execute(
        select(FhirIdentifier.prescription_id, FhirIdentifier.system, FhirIdentifier.value)
        .where(FhirIdentifier.prescription_id.in_(set(prescription_ids)))
        .order_by(FhirIdentifier.created_at))
    for row in rows:
        found.setdefault(row.prescription_id, []).append((row.system, row.value))
    return found


async def issue_rows(session: AsyncSession, prescriptions: Sequence[Prescription]
                     ) -> dict[uuid.UUID, list[PrescriptionIssue]]:
    """The current revision's check hits of each prescription."""
    found: dict[uuid.UUID, list[PrescriptionIssue]] = {}
    if not prescriptions:
        return found
    wanted = or_(*(and_(PrescriptionIssue.prescription_id == rx.id,
                        PrescriptionIssue.revision == rx.revision) for rx in prescriptions))
    for row in (await session.scalars(select(PrescriptionIssue).where(wanted)
                                      .order_by(PrescriptionIssue.id))).all():
        found.setdefault(row.prescription_id, []).append(row)
    return found


async def latest_orders(session: AsyncSession, prescription_ids: Sequence[uuid.UUID]
                        ) -> dict[uuid.UUID, CirculationOrder]:
    """The newest order of each prescription (the live one, or the last that ended)."""
    if not prescription_ids:
        return {}
    rows = (await session.scalars(
        select(CirculationOrder).where(CirculationOrder.prescription_id.in_(set(prescription_ids)))
        .order_by(CirculationOrder.created_at))).all()
    return {order.prescription_id: order for order in rows}  # the newest one stays


def detected_issues() -> Query:
    return (select(PrescriptionIssue, Prescription)
            .join(Prescription, Prescription.id == PrescriptionIssue.prescription_id)
            .where(PrescriptionIssue.revision == Prescription.revision)
            .order_by(Prescription.created_at.desc(), PrescriptionIssue.level.desc(),
                      PrescriptionIssue.id))


def dispensed() -> Query:
    return (select(DispensedPackage, OrderLine, CirculationOrder, Prescription)
            .join(OrderLine, OrderLine.id == DispensedPackage.order_line_id)
            .join(CirculationOrder, CirculationOrder.id == DispensedPackage.order_id)
            .join(Prescription, Prescription.id == CirculationOrder.prescription_id)
            .order_by(DispensedPackage.scanned_at.desc(), DispensedPackage.id))


def decided_reviews() -> Query:
    return (select(ReviewTask, Prescription)
            .join(Prescription, Prescription.id == ReviewTask.prescription_id)
            .where(ReviewTask.signature.is_not(None)))


def prescription_audit() -> Query:
    """Audit events about prescriptions the client may see (the join applies the scope)."""
    return (select(AuditEvent, Prescription.id.label("prescription_id"))
            .join(Prescription, text("audit_event.entity_id = prescription.id::text"))
            .where(AuditEvent.entity_type == "prescription")
            .order_by(AuditEvent.seq.desc()))


# -- identifiers of creates --------------------------------------------------------------------

async def claim_identifier(session: AsyncSession, *, system: str, value: str,
                           client_id: uuid.UUID, org_id: uuid.UUID) -> uuid.UUID | None:
    """Take `system|value` for a new MedicationRequest; None when it is already taken. A
    concurrent twin's uncommitted claim makes this wait for its outcome (unique index)."""
    statement = (insert(FhirIdentifier)
                 .values(id=uuid.uuid4(), resource_type="MedicationRequest", system=system,
                         value=value, client_id=client_id, org_id=org_id, line_no=1)
                 .on_conflict_do_nothing(constraint="uq_fhir_identifier_key")
                 .returning(FhirIdentifier.id))
    return (await session.execute(statement)).scalar_one_or_none()


async def claimed(session: AsyncSession, *, system: str, value: str) -> FhirIdentifier | None:
    return (await session.scalars(select(FhirIdentifier).where(
        FhirIdentifier.resource_type == "MedicationRequest", FhirIdentifier.system == system,
        FhirIdentifier.value == value))).first()


async def attach_identifier(session: AsyncSession, claim_id: uuid.UUID,
                            prescription_id: uuid.UUID) -> None:
    row = await session.get(FhirIdentifier, claim_id)
    assert row is not None
    row.prescription_id = prescription_id
    await session.flush()
