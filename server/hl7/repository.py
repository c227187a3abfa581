"""All SQL of the HL7 interface."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalogue.models import CatalogueProduct, ProductStatus
from server.circulation.models import DispensedPackage, OrderLine
from server.hl7.models import Hl7InboundMessage, Hl7Order
from server.identity.models import IntegrationClient
from server.organisations.models import Organisation
from server.prescriptions.models import PrescriptionLine


async def client(session: AsyncSession, client_id: str
                 ) -> tuple[IntegrationClient, Organisation] | None:
    row = (await session.execute(
        select(IntegrationClient, Organisation)
        .join(Organisation, Organisation.id == IntegrationClient.org_id)
        .where(IntegrationClient.client_id == client_id))).first()
    return None if row is None else (row[0], row[1])


async def inbound(session: AsyncSession, client_id: uuid.UUID,
                  control_id: str) -> Hl7InboundMessage | None:
    return (await session.scalars(
        select(Hl7InboundMessage).where(Hl7InboundMessage.client_id == client_id,
                                        Hl7InboundMessage.control_id == control_id))).first()


async def order_by_placer(session: AsyncSession, client_id: uuid.UUID,
                          placer_group: str) -> Hl7Order | None:
    return (await session.scalars(
        select(Hl7Order).where(Hl7Order.client_id == client_id,
                               Hl7Order.placer_group == placer_group))).first()


async def order_of(session: AsyncSession, prescription_id: uuid.UUID) -> Hl7Order | None:
    return await session.get(Hl7Order, prescription_id)


async def active_product(session: AsyncSession, code: str) -> CatalogueProduct | None:
    """An active catalogue product by its insurance code, its standard code or its id."""
    conditions = [CatalogueProduct.insurance_code == code,
                  CatalogueProduct.standard_code == code]
    try:
        conditions.append(CatalogueProduct.id == uuid.UUID(code))
    except ValueError:
        pass
    return (await session.scalars(
        select(CatalogueProduct).where(or_(*conditions),
                                       CatalogueProduct.status == ProductStatus.ACTIVE)
        .limit(1))).first()


async def dispensing(session: AsyncSession, order_id: uuid.UUID
                     ) -> list[tuple[OrderLine, PrescriptionLine, CatalogueProduct,
                                     Sequence[DispensedPackage]]]:
    """An order's lines with the prescription line, the product and the packages dispensed."""
    rows = (await session.execute(
        select(OrderLine, PrescriptionLine, CatalogueProduct)
        .join(PrescriptionLine, PrescriptionLine.id == OrderLine.prescription_line_id)
        .join(CatalogueProduct, CatalogueProduct.id == OrderLine.product_id)
        .where(OrderLine.order_id == order_id).order_by(OrderLine.line_no))).all()
    packages = (await session.scalars(
        select(DispensedPackage).where(DispensedPackage.order_id == order_id)
        .order_by(DispensedPackage.scanned_at, DispensedPackage.id))).all()
    by_line: dict[uuid.UUID, list[DispensedPackage]] = {}
    for package in packages:
        by_line.setdefault(package.order_line_id, []).append(package)
    return [(line, rx_line, product, by_line.get(line.id, []))
            for line, rx_line, product in rows]
