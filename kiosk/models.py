"""What the kiosk reads from the patient API, as the kiosk needs it (the server's own schemas stay
on the server: apps never import it). Unknown fields are ignored, so the server may add some."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from pydantic import Field

from common.api.models import Wire


class DeliveryMode(enum.StrEnum):
    HOSPITAL_DELIVERY = "hospital_delivery"  # 院内配送 to the hospital's pickup point
    STORE_PICKUP = "store_pickup"  # 到店自取
    COURIER = "courier"  # 快递到家


class PatientAccess(Wire):
    access_token: str
    expires_in: int
    method: str
    patient_name: str  # masked by the server (张*)


class Status(Wire):
    code: str
    patient_label: str


class PatientLine(Wire):
    line_no: int
    generic_name: str
    specification: str
    quantity: int
    unit: str
    instructions: str | None = None
    amount_fen: int


class DeliveryEvent(Wire):
    code: str
    description: str
    location: str | None = None
    occurred_at: datetime


class Order(Wire):
    id: uuid.UUID
    number: str
    prescription_number: str
    status: Status
    pharmacy_name: str
    mode: str
    mode_label: str
    appointment_at: datetime | None = None
    items_fen: int
    delivery_fee_fen: int
    total_fen: int
    paid: bool
    address: str | None = None
    recipient: str | None = None
    pickup_code: str | None = None
    pickup_qr: str | None = None
    queue_number: str | None = None
    tracking_number: str | None = None
    events: list[DeliveryEvent] = Field(default_factory=list)


class PatientPrescription(Wire):
    id: uuid.UUID
    number: str
    hospital: str
    department: str
    doctor: str
    issued_at: datetime | None = None
    status: Status
    amount_fen: int
    can_choose: bool
    lines: list[PatientLine]
    order: Order | None = None


class PharmacyOption(Wire):
    pharmacy_id: uuid.UUID
    name: str
    address: str | None = None
    phone: str | None = None
    distance_km: float | None = None
    open_now: bool
    hours_today: str | None = None
    stock: str
    delivery_fee_fen: int | None = None
    fee_rule: str | None = None


class Payment(Wire):
    payment_id: uuid.UUID
    order_id: uuid.UUID
    status: str
    amount_fen: int
    fund_fen: int  # 医保统筹
    personal_account_fen: int  # 个人账户
    cash_fen: int  # 自付
    qr_payload: str | None = None
    gateway_trade_no: str | None = None


def yuan(fen: int) -> str:
    return f"¥{fen / 100:.2f}"
