"""Demo profiles of the demo pharmacies (P1–P3 approved, P4 pending) and a stock feed for P1
and P2. Coordinates are real places in Hangzhou; licence numbers and credit codes are made up
in the right format (the credit code's check character is computed), not real ones.

Idempotent: a pharmacy that has a profile keeps it; stock is refreshed to "reported now".
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalogue.models import CatalogueProduct, ProductStatus
from server.organisations.models import Organisation
from server.pharmacies.codes import make_credit_code
from server.pharmacies.models import (
    PharmacyClosure,
    PharmacyProfile,
    PharmacyStatusChange,
    PharmacyStock,
)

WEEKDAYS = ("1", "2", "3", "4", "5")
ALL_DAY = {d: [["00:00", "24:00"]] for d in "1234567"}
SEED_BY = "医院管理员（演示数据）"

PROFILES: dict[str, dict[str, Any]] = {
    # 西湖区 文三路: open around the clock; delivers to both hospitals and by courier.
    "P1": dict(licence="浙DA57100118", credit="91330106MA2CK0118", contact="吴芳",
               lat="30.277560", lon="120.140810", region="330106", hours=ALL_DAY,
               store_pickup=True, hospitals=["H1", "H2"], courier=["33", "31", "32"],
               same_day=True, closures=[]),
    # 上城区 解放路: shop hours, a lunch-less weekday, shorter weekends, closed at Spring Festival.
    "P2": dict(licence="浙DA57100256", credit="91330102MA2CK0256", contact="郑凯",
               lat="30.254960", lon="120.178560", region="330102",
               hours={**{d: [["08:00", "21:00"]] for d in WEEKDAYS},
                      "6": [["09:00", "18:00"]], "7": [["09:00", "18:00"]]},
               store_pickup=True, hospitals=["H1"], courier=["3301"], same_day=False,
               closures=[(date(2026, 2, 17), True, None, "春节"),
                         (date(2027, 2, 6), True, None, "春节"),
                         (date(2026, 10, 1), False, [["10:00", "16:00"]], "国庆节")]),
    # 滨江区 江南大道: a lunch break, Saturday mornings, closed Sundays; courier nationwide.
    "P3": dict(licence="浙DA57100397", credit="91330108MA2CK0397", contact="冯丽",
               lat="30.208470", lon="120.211990", region="330108",
               hours={**{d: [["08:30", "12:00"], ["13:30", "20:00"]] for d in WEEKDAYS},
                      "6": [["09:00", "12:30"]]},
               store_pickup=True, hospitals=[], courier=[""], same_day=False, closures=[]),
    # 萧山区 (新城): applied, waiting for the hospital's decision.
    "P4": dict(licence="浙DA57100433", credit="91330109MA2CK0433", contact="钱明",
               lat="30.165230", lon="120.264580", region="330109",
               hours={d: [["08:00", "20:00"]] for d in "1234567"},
               store_pickup=True, hospitals=[], courier=[], same_day=False, closures=[]),
}
STOCKED = ("P1", "P2")
STOCK_PRODUCTS = 36


async def seed_pharmacy_profiles(session: AsyncSession, orgs: dict[str, Organisation]) -> None:
    for code, spec in PROFILES.items():
        org = orgs[code]
        if (await session.scalars(select(PharmacyProfile).where(
                PharmacyProfile.pharmacy_id == org.id))).first() is not None:
            continue
        hospitals = [orgs[h].id for h in spec["hospitals"]]
        session.add(PharmacyProfile(
            pharmacy_id=org.id, licence_number=spec["licence"],
            credit_code=make_credit_code(spec["credit"]), contact_person=spec["contact"],
            latitude=Decimal(spec["lat"]), longitude=Decimal(spec["lon"]),
            region_code=spec["region"], opening_hours=spec["hours"],
            store_pickup=spec["store_pickup"], hospital_delivery=bool(hospitals),
            delivery_hospital_ids=hospitals, courier_regions=spec["courier"],
            same_day_delivery=spec["same_day"]))
        for on_date, closed, special, note in spec["closures"]:
            session.add(PharmacyClosure(pharmacy_id=org.id, on_date=on_date, closed=closed,
                                        hours=special, note=note))
        session.add(PharmacyStatusChange(pharmacy_id=org.id, from_status=None,
                                         to_status="pending", reason="提交遴选申请",
                                         changed_by_name=f"{spec['contact']}（申请人）"))
        if org.status == "active":
            session.add(PharmacyStatusChange(pharmacy_id=org.id, from_status="pending",
                                             to_status="active", reason="演示数据：已通过遴选",
                                             changed_by_name=SEED_BY))
    await session.flush()


async def seed_pharmacy_stock(session: AsyncSession, orgs: dict[str, Organisation]) -> None:
    """A few dozen common products (not herbal pieces) at P1 and P2, reported now; a few are
    out of stock at P2 so the choice screen has something to show."""
    products = (await session.scalars(select(CatalogueProduct.id).where(
        CatalogueProduct.status == ProductStatus.ACTIVE,
        CatalogueProduct.herbal_pieces.is_(False)).order_by(
        CatalogueProduct.generic_name, CatalogueProduct.id).limit(STOCK_PRODUCTS))).all()
    now = datetime.now(UTC)
    rows = []
    for n, code in enumerate(STOCKED):
        for i, product_id in enumerate(products):
            quantity = 0 if n == 1 and i % 7 == 3 else 5 + (i * 13 + n * 29) % 60
            rows.append({"pharmacy_id": orgs[code].id, "product_id": product_id,
                         "quantity": quantity, "reported_at": now, "reported_by_id": None})
    if rows:
        stmt = insert(PharmacyStock).values(rows)
        await session.execute(stmt.on_conflict_do_update(
            index_elements=[PharmacyStock.pharmacy_id, PharmacyStock.product_id],
            set_={"quantity": stmt.excluded.quantity, "reported_at": stmt.excluded.reported_at}))
    await session.flush()
