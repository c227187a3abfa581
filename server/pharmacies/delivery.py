"""How a patient receives what a pharmacy dispensed."""

from __future__ import annotations

from enum import StrEnum


class DeliveryMode(StrEnum):
    HOSPITAL_DELIVERY = "hospital_delivery"  # 配送到院内
    STORE_PICKUP = "store_pickup"  # 到店自提
    COURIER = "courier"  # 快递


DELIVERY_MODE_LABELS = {
    DeliveryMode.HOSPITAL_DELIVERY: "配送到院内",
    DeliveryMode.STORE_PICKUP: "到店自提",
    DeliveryMode.COURIER: "快递",
}
