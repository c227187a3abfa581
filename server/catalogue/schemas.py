"""Request and response bodies of the catalogue API.

Code formats are checked here (server/catalogue/codes.py), so a bad 医保代码 or 本位码 answers
422 naming the field with a Chinese message. Rules between fields (a drug needs a 批准文号, a
consumable a 注册证号) are the service's.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from server.access.roles import DrugClass
from server.catalogue import codes
from server.catalogue.models import ItemType

InsuranceCode = Annotated[str, Field(max_length=40), AfterValidator(codes.insurance_code)]
StandardCode = Annotated[str, Field(max_length=40), AfterValidator(codes.standard_code)]
ApprovalNumber = Annotated[str, Field(max_length=40), AfterValidator(codes.approval_number)]
RegistrationNumber = Annotated[str, Field(max_length=60),
                               AfterValidator(codes.registration_number)]
AtcCode = Annotated[str, Field(max_length=10), AfterValidator(codes.atc_code)]
# 元 per sales unit; four decimals because herbal pieces are priced per gram.
Price = Annotated[Decimal, Field(gt=0, le=Decimal("1000000"), max_digits=12, decimal_places=4,
                                 description="单价（元/销售单位）")]
Reason = Annotated[str, Field(max_length=500)]


class ProductProposal(BaseModel):
    """A product proposed for the catalogue, with its first price."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    item_type: ItemType = Field(description="品种类型")
    generic_name: str = Field(min_length=1, max_length=200, description="通用名")
    brand_name: str | None = Field(None, min_length=1, max_length=200, description="商品名")
    specification: str = Field(min_length=1, max_length=100, description="规格")
    dosage_form: str | None = Field(None, min_length=1, max_length=60, description="剂型")
    package: str = Field(min_length=1, max_length=60, description="包装，如 24片/盒")
    unit: str = Field(min_length=1, max_length=20, description="销售单位，如 盒")
    manufacturer: str = Field(min_length=2, max_length=200, description="生产企业")
    approval_number: ApprovalNumber | None = Field(None, description="批准文号")
    registration_number: RegistrationNumber | None = Field(None, description="注册证号")
    insurance_code: InsuranceCode | None = Field(None, description="医保代码（23 位）")
    standard_code: StandardCode | None = Field(None, description="药品本位码（14 位）")
    atc_code: AtcCode | None = Field(None, description="ATC 分类代码")
    drug_class: DrugClass = Field(DrugClass.ORDINARY, description="药品管理类别")
    chronic_list: bool = Field(False, description="慢病目录")
    herbal_pieces: bool = Field(False, description="中药饮片")
    insurance_restriction: str | None = Field(None, max_length=500, description="医保限制")
    price: Price
    effective_from: date | None = Field(None, description="价格生效日期；默认今天")
    reason: Reason | None = Field(None, description="申请理由")

    @field_validator("drug_class")
    @classmethod
    def _not_chronic(cls, value: DrugClass) -> DrugClass:
        if value == DrugClass.CHRONIC:
            raise ValueError("慢病目录请用 chronic_list 标记，不是药品管理类别")
        return value


class StatusChangeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    version: int = Field(ge=1, description="读取时的版本号（乐观锁）")
    reason: Reason | None = Field(None, description="原因；拒绝、暂停、恢复、撤销时必填")


class PriceChange(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    price: Price
    effective_from: date | None = Field(None, description="生效日期；默认今天，不能早于今天")
    note: str | None = Field(None, max_length=200, description="调价说明")


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    version: int
    item_type: str
    generic_name: str
    brand_name: str | None
    specification: str
    dosage_form: str | None
    package: str
    unit: str
    manufacturer: str
    approval_number: str | None
    registration_number: str | None
    insurance_code: str | None
    standard_code: str | None
    trace_prefix: str | None = Field(None, description="追溯码中的药品标识码（7 位）")
    gtin: str | None = Field(None, description="GS1 商品条码（GTIN-14）")
    atc_code: str | None
    drug_class: str
    chronic_list: bool
    herbal_pieces: bool
    insurance_restriction: str | None
    status: str


class PriceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    price: Decimal
    effective_from: date
    note: str | None
    created_at: datetime
    created_by_name: str


class StatusChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    from_status: str | None
    to_status: str
    reason: str | None
    changed_at: datetime
    changed_by_name: str


class ProductDetail(ProductOut):
    current_price: Decimal | None = Field(description="今天适用的单价；尚未生效时为空")
    prices: list[PriceOut] = Field(description="价格版本，最新生效日期在前")
    status_history: list[StatusChangeOut] = Field(description="状态变更，最早在前")


class ProductPage(BaseModel):
    items: list[ProductOut]
    total: int


class SearchHit(ProductOut):
    current_price: Decimal | None


class SearchPage(BaseModel):
    items: list[SearchHit]
    total: int = Field(description="匹配总数；total_exact 为 false 时为下限（匹配过多未逐一计数）")
    total_exact: bool
    limit: int
    offset: int
    served_by: str = Field(description="primary 或只读副本名称")

