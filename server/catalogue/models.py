"""The circulation catalogue (同质化目录): products, their price versions and status history.

One product is one generic name x specification x package x manufacturer, with one price across
the group. A product enters as a proposal and circulates only once a hospital administrator has
approved it (status `active`); every status change is kept in `catalogue_status_change`, and
every price change is a new `catalogue_product_price` row with the day it takes effect.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    FetchedValue,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.access.roles import DrugClass
from server.core.db import Base, Entity


class ItemType(StrEnum):
    DRUG = "drug"  # 药品
    CONSUMABLE = "consumable"  # 医用耗材
    SPECIAL_MEDICAL_FOOD = "special_medical_food"  # 特殊医学用途配方食品


ITEM_TYPE_LABELS = {
    ItemType.DRUG: "药品",
    ItemType.CONSUMABLE: "医用耗材",
    ItemType.SPECIAL_MEDICAL_FOOD: "特殊医学用途配方食品",
}


class ProductStatus(StrEnum):
    PROPOSED = "proposed"  # 待审批
    ACTIVE = "active"  # 在用（可流转）
    SUSPENDED = "suspended"  # 暂停
    WITHDRAWN = "withdrawn"  # 已撤销（终态）
    REFUSED = "refused"  # 未通过（终态）


PRODUCT_STATUS_LABELS = {
    ProductStatus.PROPOSED: "待审批",
    ProductStatus.ACTIVE: "在用",
    ProductStatus.SUSPENDED: "暂停",
    ProductStatus.WITHDRAWN: "已撤销",
    ProductStatus.REFUSED: "未通过",
}

# Statuses in which a product still occupies its codes (a refused or withdrawn one does not).
OPEN_STATUSES = (ProductStatus.PROPOSED, ProductStatus.ACTIVE, ProductStatus.SUSPENDED)
_OPEN = "status IN ('proposed', 'active', 'suspended')"
_ACTIVE = "status = 'active'"

# A product's own class; the chronic-disease list is a flag of its own (chronic_list).
PRODUCT_DRUG_CLASSES = tuple(c for c in DrugClass if c != DrugClass.CHRONIC)


class CatalogueProduct(Entity, Base):
    __tablename__ = "catalogue_product"

    item_type: Mapped[str] = mapped_column(String(30))
    generic_name: Mapped[str] = mapped_column(String(200))  # 通用名
    brand_name: Mapped[str | None] = mapped_column(String(200))  # 商品名
    specification: Mapped[str] = mapped_column(String(100))  # 规格
    dosage_form: Mapped[str | None] = mapped_column(String(60))  # 剂型
    package: Mapped[str] = mapped_column(String(60))  # 包装，如 24片/盒
    unit: Mapped[str] = mapped_column(String(20))  # 销售单位，如 盒
    manufacturer: Mapped[str] = mapped_column(String(200))  # 生产企业
    approval_number: Mapped[str | None] = mapped_column(String(40))  # 批准文号
    registration_number: Mapped[str | None] = mapped_column(String(60))  # 注册证号（耗材、特医）
    insurance_code: Mapped[str | None] = mapped_column(String(23))  # 医保代码
    standard_code: Mapped[str | None] = mapped_column(String(14))  # 药品本位码
    # What the package's traceability codes say the product is, so a scan of the wrong product
    # is refused: the 7-digit 药品标识码 of domestic codes, the GTIN-14 of GS1 codes.
    trace_prefix: Mapped[str | None] = mapped_column(String(7), index=True)
    gtin: Mapped[str | None] = mapped_column(String(14), index=True)
    atc_code: Mapped[str | None] = mapped_column(String(10))
    drug_class: Mapped[str] = mapped_column(String(30), default=DrugClass.ORDINARY)
    chronic_list: Mapped[bool] = mapped_column(Boolean, default=False)  # 慢病目录
    herbal_pieces: Mapped[bool] = mapped_column(Boolean, default=False)  # 中药饮片
    insurance_restriction: Mapped[str | None] = mapped_column(Text)  # 医保限制
    status: Mapped[str] = mapped_column(String(20), default=ProductStatus.PROPOSED)
    # Search keys (server/catalogue/search.py) and the length results are ordered by, written
    # with the names.
    search_primary: Mapped[str] = mapped_column(Text)
    search_secondary: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)
    name_length: Mapped[int] = mapped_column(SmallInteger)
    # Shipping weight (g) of one sales unit in its box, for courier fees. An insert that leaves
    # it out gets the default of its item type and dosage form from a trigger (migration 0006).
    package_weight_g: Mapped[int] = mapped_column(Integer, server_default=FetchedValue())

    __table_args__ = (
        CheckConstraint(f"status IN ({', '.join(repr(s.value) for s in ProductStatus)})",
                        name="status"),
        CheckConstraint(f"item_type IN ({', '.join(repr(t.value) for t in ItemType)})",
                        name="item_type"),
        CheckConstraint("package_weight_g > 0", name="package_weight"),
        Index("ix_catalogue_product_status", "status"),
        # A code belongs to one open product at a time; refused / withdrawn ones free it.
        Index("uq_catalogue_product_open_standard_code", "standard_code", unique=True,
              postgresql_where=text(_OPEN)),
        # As-you-type search over active products only (the predicates must match the queries':
        # server/catalogue/repository.py writes 'active' as a literal for that).
        *(Index(f"ix_catalogue_product_{column}", column, postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"}, postgresql_where=text(_ACTIVE))
          for column in ("search_text", "search_primary", "search_secondary")),
        # The order of results within a rank, walked when a rank holds too many to sort. It
        # carries every column a search condition reads, so the walk is an index-only scan.
        Index("ix_catalogue_product_search_order", "name_length", "generic_name",
              "specification", "id", postgresql_where=text(_ACTIVE),
              postgresql_include=["search_text", "search_primary", "search_secondary",
                                  "insurance_code", "standard_code", "item_type",
                                  "chronic_list", "herbal_pieces"]),
        Index("ix_catalogue_product_insurance_code_prefix", "insurance_code",
              postgresql_ops={"insurance_code": "text_pattern_ops"},
              postgresql_where=text(_ACTIVE)),
        Index("ix_catalogue_product_standard_code_prefix", "standard_code",
              postgresql_ops={"standard_code": "text_pattern_ops"},
              postgresql_where=text(_ACTIVE)),
    )


class CatalogueProductPrice(Base):
    """One price version: from `effective_from` on, until a later version takes over."""

    __tablename__ = "catalogue_product_price"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("catalogue_product.id"))
    price: Mapped[Decimal] = mapped_column(Numeric(12, 4))  # 元 per sales unit
    effective_from: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    created_by_id: Mapped[uuid.UUID | None]
    created_by_name: Mapped[str] = mapped_column(String(100))

    __table_args__ = (
        UniqueConstraint("product_id", "effective_from"),
        CheckConstraint("price > 0", name="price_positive"),
    )


class CatalogueStatusChange(Base):
    """Who moved a product from which status to which, when and why."""

    __tablename__ = "catalogue_status_change"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("catalogue_product.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    # clock_timestamp(), not now(): several changes in one transaction keep their order.
    changed_at: Mapped[datetime] = mapped_column(server_default=func.clock_timestamp())
    changed_by_id: Mapped[uuid.UUID | None]
    changed_by_name: Mapped[str] = mapped_column(String(100))
