"""Request and response bodies of circulation: the patient API, the pharmacy counter, trace."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from server.pharmacies.delivery import DeliveryMode

REGION_CODE = r"^[1-8][0-9]{5}$"
MOBILE = r"^1[3-9][0-9]{9}$"


class AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    region_code: str = Field(pattern=REGION_CODE, description="收货地区的 6 位行政区划代码")
    detail: str = Field(min_length=4, max_length=200, description="详细地址")
    recipient: str = Field(min_length=1, max_length=50, description="收货人")
    phone: str = Field(pattern=MOBILE, description="收货人手机号")


class ChoiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pharmacy_id: uuid.UUID
    mode: DeliveryMode
    appointment_at: AwareDatetime | None = Field(None, description="预约取药或配送时间（带时区）")
    address: AddressIn | None = Field(None, description="快递配送时必填")
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)


class PaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: Literal["online"] = "online"


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=2, max_length=300)


class ScanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=120, description="扫描得到的追溯码（原样）")
    line_id: uuid.UUID | None = Field(None, description="对应的订单行；不填时按追溯码识别")
    batch: str | None = Field(None, min_length=1, max_length=40, description="批号")
    expiry: date | None = Field(None, description="有效期至")


class CompleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    checker: str = Field(min_length=1, max_length=64, description="核对人用户名")


class HandoverIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pickup_code: str = Field(min_length=4, max_length=80, description="取药码或二维码内容")
    signature_png_base64: str | None = Field(None, max_length=400_000,
                                             description="患者签名图片（PNG，base64）")


class OfflinePaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    receipt_no: str = Field(min_length=1, max_length=40, description="收款凭证号")


class TrackingEventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tracking_number: str = Field(min_length=4, max_length=40)
    event_id: str = Field(min_length=1, max_length=80)
    code: str = Field(min_length=1, max_length=30)
    occurred_at: datetime
    location: str | None = Field(None, max_length=200)


class OrderLineOut(BaseModel):
    id: uuid.UUID
    line_no: int
    product_id: uuid.UUID
    generic_name: str
    specification: str
    unit: str
    quantity: int
    dispensed: int
    unit_price_fen: int
    not_dispensed_reason: str | None


class PackageOut(BaseModel):
    id: uuid.UUID
    line_id: uuid.UUID
    trace_code: str
    code_format: str
    batch: str
    expiry: date
    scanned_by: str
    scanned_at: datetime


class DeliveryEventOut(BaseModel):
    source: str
    code: str
    description: str
    location: str | None
    occurred_at: datetime


class StatusOut(BaseModel):
    code: str
    label: str
    patient_label: str
    nhs: str


class OrderOut(BaseModel):
    id: uuid.UUID
    number: str
    version: int
    prescription_id: uuid.UUID
    prescription_number: str
    status: StatusOut
    state: str
    pharmacy_id: uuid.UUID
    pharmacy_name: str
    mode: str
    mode_label: str
    appointment_at: datetime | None
    lock_expires_at: datetime
    accepted_at: datetime | None
    items_fen: int
    delivery_fee_fen: int
    total_fen: int
    fee_rule: str | None
    paid: bool
    patient_name: str = Field(description="脱敏姓名")
    patient_phone: str | None = Field(description="脱敏手机号")
    region_code: str | None
    address: str | None = Field(description="快递订单给药店的是完整地址（发货需要），其余脱敏")
    recipient: str | None
    recipient_phone: str | None
    pickup_code: str | None = Field(None, description="仅患者本人可见")
    pickup_qr: str | None = None
    queue_number: str | None
    carrier_code: str | None
    tracking_number: str | None
    outbound_number: str | None
    dispensed_at: datetime | None
    handed_over_at: datetime | None
    end_reason: str | None
    lines: list[OrderLineOut]
    packages: list[PackageOut]
    events: list[DeliveryEventOut]


class OrderSummary(BaseModel):
    id: uuid.UUID
    number: str
    prescription_number: str
    status: StatusOut
    state: str
    mode: str
    total_fen: int
    paid: bool
    lock_expires_at: datetime
    accepted_at: datetime | None
    created_at: datetime


class PharmacyOptionOut(BaseModel):
    pharmacy_id: uuid.UUID
    name: str
    address: str | None
    phone: str | None
    distance_km: float | None
    open_now: bool
    hours_today: str | None
    next_open: datetime | None
    stock: str
    delivery_fee_fen: int | None = Field(None, description="快递费（按承运商公布的资费表）")
    fee_rule: str | None = None


class PatientLineOut(BaseModel):
    line_no: int
    generic_name: str
    specification: str
    quantity: int
    unit: str
    instructions: str | None
    amount_fen: int


class PatientPrescriptionOut(BaseModel):
    id: uuid.UUID
    number: str
    hospital: str
    department: str
    doctor: str
    issued_at: datetime | None
    expires_at: datetime | None
    status: StatusOut
    amount_fen: int
    can_choose: bool
    lines: list[PatientLineOut]
    order: OrderOut | None


class PaymentOut(BaseModel):
    payment_id: uuid.UUID
    order_id: uuid.UUID
    status: str
    amount_fen: int
    fund_fen: int
    personal_account_fen: int
    cash_fen: int
    qr_payload: str | None
    gateway_trade_no: str | None
    expires_at: datetime | None


class QueueNumberOut(BaseModel):
    order_id: uuid.UUID
    queue_number: str


class CalledOut(BaseModel):
    called: str | None


class DaySummaryOut(BaseModel):
    day: date
    orders_accepted: int
    amount_fen: int
    codes_scanned: int


class TraceNode(BaseModel):
    kind: str
    label: str
    at: datetime | None
    operator: str | None
    operator_role: str | None
    organisation: str | None
    workstation: str | None
    data: dict[str, Any]


class TraceOut(BaseModel):
    prescription_id: uuid.UUID
    prescription_number: str
    status: StatusOut
    nodes: list[TraceNode]
    focus_code: str | None = None
