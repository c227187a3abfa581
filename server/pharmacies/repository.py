"""All SQL of pharmacies. Row-level security applies to every table here but `organisation`:
callers set the scope (server/access/scope.py) before reading another pharmacy's rows."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalogue.models import OPEN_STATUSES, CatalogueProduct
from server.organisations.models import Organisation, OrganisationKind, OrganisationStatus
from server.pharmacies.models import (
    PharmacyClosure,
    PharmacyProfile,
    PharmacyStatusChange,
    PharmacyStock,
)


async def pharmacy(session: AsyncSession, pharmacy_id: uuid.UUID) -> Organisation | None:
    org = await session.get(Organisation, pharmacy_id)
    return org if org is not None and org.kind == OrganisationKind.PHARMACY else None


async def group_root(session: AsyncSession) -> Organisation | None:
    return (await session.scalars(select(Organisation).where(
        Organisation.kind == OrganisationKind.GROUP, Organisation.parent_id.is_(None)))).first()


async def hospital_ids(session: AsyncSession, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Those of `ids` that are hospitals."""
    found = await session.scalars(select(Organisation.id).where(
        Organisation.id.in_(list(ids)), Organisation.kind == OrganisationKind.HOSPITAL))
    return set(found.all())


async def credential_holder(session: AsyncSession, *, licence_number: str,
                            credit_code: str) -> str | None:
    """Which of the two identifiers another pharmacy already holds (the field name), if any."""
    row = (await session.execute(select(PharmacyProfile.licence_number,
                                        PharmacyProfile.credit_code).where(
        or_(PharmacyProfile.licence_number == licence_number,
            PharmacyProfile.credit_code == credit_code)).limit(1))).first()
    if row is None:
        return None
    return "credit_code" if row.credit_code == credit_code else "licence_number"


async def profile(session: AsyncSession, pharmacy_id: uuid.UUID) -> PharmacyProfile | None:
    return (await session.scalars(select(PharmacyProfile).where(
        PharmacyProfile.pharmacy_id == pharmacy_id))).first()


async def closures(session: AsyncSession, pharmacy_ids: Sequence[uuid.UUID], *,
                   since: date | None = None, until: date | None = None
                   ) -> Sequence[PharmacyClosure]:
    stmt = select(PharmacyClosure).where(PharmacyClosure.pharmacy_id.in_(pharmacy_ids))
    if since is not None:
        stmt = stmt.where(PharmacyClosure.on_date >= since)
    if until is not None:
        stmt = stmt.where(PharmacyClosure.on_date <= until)
    return (await session.scalars(stmt.order_by(PharmacyClosure.on_date))).all()


async def replace_closures(session: AsyncSession, pharmacy_id: uuid.UUID,
                           rows: Iterable[PharmacyClosure]) -> None:
    await session.execute(delete(PharmacyClosure).where(
        PharmacyClosure.pharmacy_id == pharmacy_id))
    session.add_all(list(rows))


async def status_history(session: AsyncSession, pharmacy_id: uuid.UUID
                         ) -> Sequence[PharmacyStatusChange]:
    return (await session.scalars(select(PharmacyStatusChange).where(
        PharmacyStatusChange.pharmacy_id == pharmacy_id).order_by(
        PharmacyStatusChange.changed_at, PharmacyStatusChange.id))).all()


async def list_pharmacies(session: AsyncSession, *, status: str | None, limit: int,
                          offset: int) -> tuple[list[tuple[Organisation, PharmacyProfile | None]],
                                                int]:
    stmt = select(Organisation, PharmacyProfile).outerjoin(
        PharmacyProfile, PharmacyProfile.pharmacy_id == Organisation.id).where(
        Organisation.kind == OrganisationKind.PHARMACY)
    if status:
        stmt = stmt.where(Organisation.status == status)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = (await session.execute(
        stmt.order_by(Organisation.code).limit(limit).offset(offset))).all()
    return [(org, found) for org, found in rows], total


async def receiving_with_profiles(session: AsyncSession
                                  ) -> Sequence[tuple[Organisation, PharmacyProfile]]:
    """Approved pharmacies and their profiles (the ones a patient may choose)."""
    rows = (await session.execute(select(Organisation, PharmacyProfile).join(
        PharmacyProfile, PharmacyProfile.pharmacy_id == Organisation.id).where(
        Organisation.kind == OrganisationKind.PHARMACY,
        Organisation.status == OrganisationStatus.ACTIVE))).all()
    return [(org, found) for org, found in rows]


async def stock_entries(session: AsyncSession, pharmacy_ids: Sequence[uuid.UUID],
                        product_ids: Sequence[uuid.UUID]) -> Sequence[PharmacyStock]:
    return (await session.scalars(select(PharmacyStock).where(
        PharmacyStock.pharmacy_id.in_(pharmacy_ids),
        PharmacyStock.product_id.in_(product_ids)))).all()


async def stock_of(session: AsyncSession, pharmacy_id: uuid.UUID
                   ) -> Sequence[tuple[PharmacyStock, CatalogueProduct]]:
    rows = (await session.execute(select(PharmacyStock, CatalogueProduct).join(
        CatalogueProduct, CatalogueProduct.id == PharmacyStock.product_id).where(
        PharmacyStock.pharmacy_id == pharmacy_id).order_by(
        CatalogueProduct.generic_name, CatalogueProduct.specification))).all()
    return [(entry, product) for entry, product in rows]


async def upsert_stock(session: AsyncSession, pharmacy_id: uuid.UUID,
                       quantities: dict[uuid.UUID, int], *, at: datetime,
                       by: uuid.UUID | None) -> None:
    stmt = insert(PharmacyStock).values([
        {"pharmacy_id": pharmacy_id, "product_id": product_id, "quantity": quantity,
         "reported_at": at, "reported_by_id": by}
        for product_id, quantity in quantities.items()])
    await session.execute(stmt.on_conflict_do_update(
        index_elements=[PharmacyStock.pharmacy_id, PharmacyStock.product_id],
        set_={"quantity": stmt.excluded.quantity, "reported_at": stmt.excluded.reported_at,
              "reported_by_id": stmt.excluded.reported_by_id}))


async def products_by_id(session: AsyncSession, ids: Iterable[uuid.UUID]
                         ) -> dict[uuid.UUID, CatalogueProduct]:
    rows = await session.scalars(select(CatalogueProduct).where(
        CatalogueProduct.id.in_(list(ids))))
    return {p.id: p for p in rows.all()}


async def products_by_standard_code(session: AsyncSession, product_codes: Iterable[str]
                                    ) -> dict[str, CatalogueProduct]:
    """Open products by 药品本位码 (one open product per code: a unique index says so)."""
    rows = await session.scalars(select(CatalogueProduct).where(
        CatalogueProduct.standard_code.in_(list(product_codes)),
        CatalogueProduct.status.in_(OPEN_STATUSES)))
    return {p.standard_code: p for p in rows.all() if p.standard_code}
