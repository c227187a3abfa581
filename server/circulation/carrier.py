"""Couriers (快递): handing a parcel over and hearing back where it is.

`Carrier` is the interface a real carrier's API is wrapped in; pick the implementation by URL as
the other outside systems are picked (`sim://` is the simulated carrier that ships in the
product). A carrier answers a shipment with a tracking number and later reports tracking events
(pushed to `/carriers/{code}/events`, signed with the shared secret; the simulated carrier's
events are produced on request by its sandbox endpoint). The tracking vocabulary is the common
one of Chinese carriers' open platforms, mapped to our lifecycle in `TRACKING_CODES`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# code -> (Chinese description, whether it means the parcel reached the patient)
TRACKING_CODES: dict[str, tuple[str, bool]] = {
    "picked_up": ("快递员已揽收", False),
    "in_transit": ("运输中", False),
    "out_for_delivery": ("派送中", False),
    "delivered": ("已签收", True),
    "failed_attempt": ("派送失败，将再次派送", False),
    "returned": ("已退回药店", False),
}
SIM_SEQUENCE = ("picked_up", "in_transit", "out_for_delivery", "delivered")


@dataclass(frozen=True, slots=True)
class Shipment:
    carrier_code: str
    carrier_name: str
    tracking_number: str


@dataclass(frozen=True, slots=True)
class TrackingEvent:
    tracking_number: str
    event_id: str
    code: str
    occurred_at: datetime
    location: str | None = None


class Carrier(Protocol):
    code: str
    name: str

    async def create_shipment(self, *, order_number: str, weight_g: int,
                              destination_region: str | None) -> Shipment: ...


class SimulatedCarrier:
    """A carrier that accepts every parcel; its tracking events come from the sandbox."""

    code = "sim"
    name = "模拟快递"

    async def create_shipment(self, *, order_number: str, weight_g: int,
                              destination_region: str | None) -> Shipment:
        return Shipment(self.code, self.name, "SIM" + "".join(
            secrets.choice("0123456789") for _ in range(12)))


def carrier_for_url(url: str) -> Carrier:
    if url.startswith("sim://"):
        return SimulatedCarrier()
    raise ValueError(f"unsupported carrier URL: {url}")


def event_signature(secret: bytes, body: bytes) -> str:
    """HMAC-SHA256 of the pushed body, hex: what a carrier puts in `X-Carrier-Signature`."""
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def signature_ok(secret: bytes, body: bytes, signature: str | None) -> bool:
    return signature is not None and hmac.compare_digest(event_signature(secret, body),
                                                         signature)
