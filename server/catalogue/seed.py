"""Loading the seed catalogue (server/catalogue/data/catalogue.csv) into a database.

Seeded products go in directly as active, with a current price and one status-history row
saying where they came from; the approval workflow is for products added afterwards. Every row
passes the same code checks as a proposal. Idempotent: a row whose 本位码, or whose generic name,
specification and manufacturer, is already in the catalogue is skipped.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalogue.models import (
    CatalogueProduct,
    CatalogueProductPrice,
    CatalogueStatusChange,
    ProductStatus,
)
from server.catalogue.schemas import ProductProposal
from server.catalogue.service import check_proposal, set_search_keys

SEED_FILE = Path(__file__).resolve().parent / "data" / "catalogue.csv"
# A fixed day in the past: seeded prices are current whenever the seed runs.
SEED_PRICES_FROM = date(2025, 1, 1)
SEED_REASON = "同质化目录初始导入"


def read_seed(path: Path = SEED_FILE) -> Iterator[ProductProposal]:
    """The rows of the seed file as validated proposals (a bad row fails loudly)."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        for number, row in enumerate(csv.DictReader(lines), start=1):
            values: dict[str, Any] = {k: (v.strip() or None) for k, v in row.items()}
            values["chronic_list"] = values["chronic_list"] == "1"
            values["herbal_pieces"] = values["herbal_pieces"] == "1"
            values["price"] = Decimal(values["price"])
            try:
                proposal = ProductProposal.model_validate(values)
                check_proposal(proposal)
            except Exception as exc:
                raise ValueError(f"{path.name} 第 {number} 条数据无效：{exc}") from exc
            yield proposal


async def seed_catalogue(session: AsyncSession, *, approved_by_name: str,
                         path: Path = SEED_FILE) -> int:
    """Insert the seed products not yet in the catalogue; returns how many were inserted.
    The caller commits."""
    existing = (await session.execute(select(
        CatalogueProduct.standard_code, CatalogueProduct.generic_name,
        CatalogueProduct.specification, CatalogueProduct.manufacturer))).all()
    known_codes = {r.standard_code for r in existing if r.standard_code}
    known_products = {(r.generic_name, r.specification, r.manufacturer) for r in existing}
    inserted = 0
    for proposal in read_seed(path):
        identity = (proposal.generic_name, proposal.specification, proposal.manufacturer)
        if proposal.standard_code in known_codes or identity in known_products:
            continue
        product = CatalogueProduct(
            id=uuid.uuid4(), status=ProductStatus.ACTIVE,
            **proposal.model_dump(exclude={"price", "effective_from", "reason"}))
        set_search_keys(product)
        session.add_all([
            product,
            CatalogueProductPrice(product_id=product.id, price=proposal.price,
                                  effective_from=SEED_PRICES_FROM, note=SEED_REASON,
                                  created_by_name=approved_by_name),
            CatalogueStatusChange(product_id=product.id, from_status=None,
                                  to_status=ProductStatus.ACTIVE, reason=SEED_REASON,
                                  changed_by_name=approved_by_name),
        ])
        if proposal.standard_code:
            known_codes.add(proposal.standard_code)
        known_products.add(identity)
        inserted += 1
    await session.flush()
    return inserted
