"""Request and response bodies of the pharmacies API.

Formats are checked here (codes, hours, coordinates), so a bad value answers 422 naming the
field; rules that need the database (does that hospital exist, is the licence taken) are the
service's.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from server.pharmacies import codes, hours
from server.pharmacies.delivery import DeliveryMode

CreditCode = Annotated[str, Field(max_length=30), AfterValidator(codes.credit_code)]
LicenceNumber = Annotated[str, Field(max_length=30), AfterValidator(codes.licence_number)]
RegionCode = Annotated[str, Field(max_length=10), AfterValidator(codes.region_code)]
RegionPrefix = Annotated[str, Field(max_length=10), AfterValidator(codes.region_prefix)]
Phone = Annotated[str, Field(max_length=40, pattern=r"^[0-9\-+ ]{5,40}$")]
Latitude = Annotated[float, Field(ge=-90, le=90, description="纬度（WGS-84）")]
Longitude = Annotated[float, Field(ge=-180, le=180, description="经度（WGS-84）")]
Reason = Annotated[str, Field(max_length=500)]
Week = Annotated[dict[str, list[list[str]]], AfterValidator(hours.check_week)]
DayIntervals = Annotated[list[list[str]], AfterValidator(hours.check_intervals)]

WEEK_DESCRIPTION = ('每周营业时间：键为星期 "1"（周一）到 "7"（周日），值为时段列表，'
                    '如 [["08:00", "12:00"], ["14:00", "21:00"]]；跨夜如 [["22:00", "06:00"]]，'
                    '全天为 [["00:00", "24:00"]]')


class Closure(BaseModel):
    """A date with no opening, or with special hours (节假日)."""

    model_config = ConfigDict(extra="forbid", from_attributes=True, str_strip_whitespace=True)
    on_date: date = Field(description="日期")
    closed: bool = Field(description="全天休息")
    hours: DayIntervals | None = Field(None, max_length=6,
                                       description="特殊营业时段（不休息时必填）")
    note: str | None = Field(None, max_length=100, description="说明，如 春节")

    @model_validator(mode="after")
    def _hours_when_open(self) -> Closure:
        if self.closed and self.hours:
            raise ValueError("休息日不填营业时段")
        if not self.closed and not self.hours:
            raise ValueError("不休息的特殊日期须填写营业时段")
        return self


class DeliveryCapabilities(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)
    store_pickup: bool = Field(True, description="到店自提")
    hospital_delivery: bool = Field(False, description="配送到院内")
    delivery_hospital_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50,
                                                   description="配送到院内的医院")
    courier_regions: list[RegionPrefix] = Field(
        default_factory=list, max_length=200,
        description="快递可达地区的行政区划代码前缀（空字符串为全国）；为空表示不提供快递")
    same_day_delivery: bool = Field(False, description="当日达")

    @model_validator(mode="after")
    def _hospitals(self) -> DeliveryCapabilities:
        if self.hospital_delivery and not self.delivery_hospital_ids:
            raise ValueError("开通配送到院内须指定医院（delivery_hospital_ids）")
        if not self.hospital_delivery and self.delivery_hospital_ids:
            raise ValueError("未开通配送到院内时不能指定医院")
        if len(set(self.courier_regions)) != len(self.courier_regions):
            raise ValueError("快递地区前缀重复")
        return self


class PharmacyApplication(BaseModel):
    """A retail pharmacy applying to join the circulation (遴选申请)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=2, max_length=200, description="药店名称")
    licence_number: LicenceNumber = Field(description="药品经营许可证编号")
    credit_code: CreditCode = Field(description="统一社会信用代码（18 位）")
    address: str = Field(min_length=5, max_length=300, description="地址")
    phone: Phone = Field(description="电话")
    contact_person: str = Field(min_length=2, max_length=50, description="联系人")
    latitude: Latitude
    longitude: Longitude
    region_code: RegionCode = Field(description="所在地行政区划代码（6 位）")
    opening_hours: Week = Field(description=WEEK_DESCRIPTION)
    closures: list[Closure] = Field(default_factory=list, max_length=366)
    delivery: DeliveryCapabilities = Field(default_factory=DeliveryCapabilities)


class StatusChangeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    version: int = Field(ge=1, description="读取时的版本号（乐观锁）")
    reason: Reason | None = Field(None, description="原因；拒绝、暂停、恢复时必填")


class HoursUpdate(BaseModel):
    """What a pharmacy's own staff may change: phone, weekly hours, closures."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    version: int = Field(ge=1, description="药店资料的版本号（乐观锁）")
    phone: Phone | None = None
    opening_hours: Week = Field(description=WEEK_DESCRIPTION)
    closures: list[Closure] = Field(default_factory=list, max_length=366,
                                    description="休息日与特殊营业日（整体替换）")


class CapabilitiesUpdate(BaseModel):
    """What only the hospital sets: location and delivery capabilities."""

    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, description="药店资料的版本号（乐观锁）")
    latitude: Latitude
    longitude: Longitude
    region_code: RegionCode
    delivery: DeliveryCapabilities


class StaffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    display_name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=256)


class ProfileOut(BaseModel):
    version: int
    licence_number: str
    credit_code: str
    contact_person: str
    latitude: float
    longitude: float
    region_code: str
    opening_hours: dict[str, list[list[str]]]
    closures: list[Closure]
    delivery: DeliveryCapabilities
    modes: list[DeliveryMode]


class PharmacyOut(BaseModel):
    id: uuid.UUID
    version: int = Field(description="机构版本号（审批、暂停时的乐观锁）")
    code: str
    name: str
    status: str
    status_label: str
    address: str | None
    phone: str | None
    profile: ProfileOut | None


class PharmacyPage(BaseModel):
    items: list[PharmacyOut]
    total: int


class StatusChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    from_status: str | None
    to_status: str
    reason: str | None
    changed_at: datetime
    changed_by_id: uuid.UUID | None
    changed_by_name: str


class StockRow(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    product_id: uuid.UUID | None = Field(None, description="目录品种 id")
    code: str | None = Field(None, min_length=1, max_length=40,
                             description="或：药品本位码（14 位）")
    quantity: int = Field(ge=0, le=1_000_000, description="可售数量（销售单位）")

    @model_validator(mode="after")
    def _one_key(self) -> StockRow:
        if (self.product_id is None) == (self.code is None):
            raise ValueError("product_id 与 code 须且只能填一个")
        return self


class StockReport(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[StockRow] = Field(min_length=1, max_length=5000)


class StockEntryOut(BaseModel):
    product_id: uuid.UUID
    generic_name: str
    specification: str
    unit: str
    quantity: int
    reported_at: datetime
    stale: bool = Field(description="超过设定时长未更新，视为未知")


class StockOut(BaseModel):
    items: list[StockEntryOut]
    stale_after_hours: int


class PharmacyOptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    pharmacy_id: uuid.UUID
    name: str
    address: str | None
    phone: str | None
    distance_km: float | None
    open_now: bool
    today_hours: str
    next_open: datetime | None
    stock: str
    modes: list[DeliveryMode]
    same_day_delivery: bool
