"""Demo traceability identities: real products carry a 7-digit 药品标识码 and a GTIN assigned
by their manufacturers; the seeded catalogue gets stand-ins, deterministic by 本位码, so the
demo and the tests can print codes the dispensing checks recognise."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalogue.models import CatalogueProduct
from server.circulation.tracecodes import gtin_check_digit


def gtin_for(index: int) -> str:
    first13 = f"0690{index:09d}"
    return first13 + gtin_check_digit(first13)


def trace_prefix_for(index: int) -> str:
    return f"81{index:05d}"


async def assign_trace_identities(session: AsyncSession) -> int:
    products = (await session.scalars(
        select(CatalogueProduct).where(CatalogueProduct.trace_prefix.is_(None))
        .order_by(CatalogueProduct.standard_code, CatalogueProduct.generic_name,
                  CatalogueProduct.specification))).all()
    taken = len((await session.scalars(select(CatalogueProduct.id).where(
        CatalogueProduct.trace_prefix.is_not(None)))).all())
    for offset, product in enumerate(products, start=taken + 1):
        product.trace_prefix, product.gtin = trace_prefix_for(offset), gtin_for(offset)
    await session.flush()
    return len(products)


def domestic_code(trace_prefix: str, serial: int) -> str:
    """The 20-digit code of package number `serial` of the product with that 药品标识码 (demo,
    benchmarks and tests print such codes)."""
    return f"{trace_prefix}{serial:013d}"
