"""The pharmacy counter without Qt: the order inbox and its live alerts, dispensing by
traceability code with immediate feedback, delivery, pickup, counter payments, the queue and
the day summary. The widgets in `client_pharmacy.ui` only display what this says and forward
clicks; tests drive it against the real server.

Orders are the server's JSON (`server/circulation/schemas.py` `OrderOut` / `OrderSummary`),
already masked by the server: the app never sees more of the patient than it shows.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from client_pharmacy.gs1 import prefill
from common.api import ApiClient
from common.api.errors import ApiError, Conflict, ValidationFailed
from common.api.models import LiveEvent
from common.events import RESYNC

Order = dict[str, Any]

# Live events that put something new in front of the staff: alert (sound and banner).
ALERT_EVENTS = frozenset({"order.new", "order.paid"})
# Live events after which the inbox is read again; a resync says the counter missed some.
INBOX_EVENTS = ALERT_EVENTS | {"order.released", "order.cancelled", "order.accepted",
                               "order.dispensed", "order.dispatched", "order.handed_over",
                               RESYNC}


def utc_now() -> datetime:
    return datetime.now(UTC)


def parse_time(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def seconds_left(order: Order, now: datetime) -> int:
    """Until the lock on an order that is not accepted yet runs out (0: too late)."""
    return max(0, int((parse_time(order["lock_expires_at"]) - now).total_seconds()))


def yuan(fen: int) -> str:
    return f"¥{fen / 100:.2f}"


class ScanOutcome(enum.Enum):
    ACCEPTED = "accepted"
    REUSED = "reused"  # the code was dispensed before, anywhere: refused
    WRONG_PRODUCT = "wrong_product"
    EXPIRED = "expired"
    TOO_MANY = "too_many"
    NEEDS_BATCH = "needs_batch"  # batch or expiry missing: type them, scan again
    INVALID = "invalid"  # not a traceability code, or another refusal


@dataclass(frozen=True)
class ScanFeedback:
    """What became of one scan. `message` is the server's refusal (Chinese) or empty when the
    app words it itself; `package` is the registered package of an accepted scan."""

    outcome: ScanOutcome
    code: str
    message: str = ""
    line_id: str | None = None
    package: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is ScanOutcome.ACCEPTED


def classify_refusal(error: ApiError) -> ScanOutcome:
    """What kind of problem a refused scan was, from the server's error."""
    if error.code == "TraceCodeReused":
        return ScanOutcome.REUSED
    if isinstance(error, ValidationFailed):
        if error.field and error.field.endswith("expiry") and "过期" in error.message:
            return ScanOutcome.EXPIRED
        if error.field and error.field.endswith(("batch", "expiry")):
            return ScanOutcome.NEEDS_BATCH
        if "不符" in error.message or "不在本处方" in error.message:
            return ScanOutcome.WRONG_PRODUCT
        return ScanOutcome.INVALID
    if isinstance(error, Conflict) and "扫满" in error.message:
        return ScanOutcome.TOO_MANY
    return ScanOutcome.INVALID


class Inbox:
    """The store's live orders, the alert for new ones and each lock's countdown."""

    def __init__(self, api: ApiClient, *, now: Callable[[], datetime] = utc_now) -> None:
        self.api = api
        self.now = now
        self.orders: list[Order] = []
        self.alerts = 0  # new orders announced since start (the window beeps per alert)

    def fetch(self) -> list[Order]:
        """The store's live orders (on a worker: it changes nothing here; the inbox screen
        keeps them in `orders` on the GUI thread)."""
        return list(self.api.call("GET", "/pharmacy/orders", params={"limit": 100, "offset": 0}))

    def order(self, order_id: str) -> Order:
        result: Order = self.api.call("GET", f"/pharmacy/orders/{order_id}")
        return result

    def on_event(self, event: LiveEvent) -> bool:
        """True when the event is worth an alert; the caller refreshes on `needs_refresh`."""
        alert = event.type in ALERT_EVENTS
        if alert:
            self.alerts += 1
        return alert

    @staticmethod
    def needs_refresh(event: LiveEvent) -> bool:
        return event.type in INBOX_EVENTS

    def waiting(self) -> list[Order]:
        return [o for o in self.orders if o["accepted_at"] is None and o["state"] == "active"]

    def countdown(self, order: Order) -> int | None:
        """Seconds left to accept, or None when it was accepted already."""
        if order["accepted_at"] is not None:
            return None
        return seconds_left(order, self.now())

    def accept(self, order_id: str) -> Order:
        result: Order = self.api.call("POST", f"/pharmacy/orders/{order_id}/accept")
        return result

    def give_back(self, order_id: str, reason: str) -> Order:
        result: Order = self.api.call("POST", f"/pharmacy/orders/{order_id}/return",
                                      {"reason": reason})
        return result


@dataclass
class Dispensing:
    """One order's picking list: scan each package, mark lines not dispensed, complete."""

    api: ApiClient
    order: Order
    dispenser: str  # the logged-in user's display name
    feedback: list[ScanFeedback] = field(default_factory=list)

    @property
    def order_id(self) -> str:
        return str(self.order["id"])

    def reload(self) -> Order:
        self.order = self.api.call("GET", f"/pharmacy/orders/{self.order_id}")
        return self.order

    def lines(self) -> list[dict[str, Any]]:
        return list(self.order["lines"])

    def codes_of(self, line_id: str) -> list[str]:
        return [p["trace_code"] for p in self.order["packages"] if p["line_id"] == line_id]

    def line(self, line_id: str) -> dict[str, Any] | None:
        return next((x for x in self.order["lines"] if x["id"] == line_id), None)

    def remaining(self) -> int:
        return sum(line["quantity"] - line["dispensed"] for line in self.order["lines"]
                   if line["not_dispensed_reason"] is None)

    def scan(self, code: str, *, batch: str | None = None, expiry: date | None = None,
             line_id: str | None = None) -> ScanFeedback:
        """Send one scanned code; batch/expiry typed by the user win over the GS1 prefill."""
        code = code.strip()
        filled = prefill(code)
        body: dict[str, Any] = {"code": code}
        if line_id:
            body["line_id"] = line_id
        if batch or filled.batch:
            body["batch"] = batch or filled.batch
        if expiry or filled.expiry:
            body["expiry"] = (expiry or filled.expiry or date.min).isoformat()
        try:
            package = self.api.call("POST", f"/pharmacy/orders/{self.order_id}/packages", body)
        except ApiError as error:
            result = ScanFeedback(classify_refusal(error), code, error.message, line_id)
        else:
            result = ScanFeedback(ScanOutcome.ACCEPTED, code, "", package["line_id"], package)
            self.reload()
        self.feedback.append(result)
        return result

    def unscan(self, package_id: str) -> Order:
        self.api.call("DELETE", f"/pharmacy/orders/{self.order_id}/packages/{package_id}")
        return self.reload()

    def not_dispensed(self, line_id: str, reason: str) -> Order:
        self.order = self.api.call(
            "POST", f"/pharmacy/orders/{self.order_id}/lines/{line_id}/not-dispensed",
            {"reason": reason})
        return self.order

    def complete(self, checker: str) -> Order:
        """Done: the logged-in user dispensed, `checker` (a colleague's username) checked."""
        self.order = self.api.call("POST", f"/pharmacy/orders/{self.order_id}/complete",
                                   {"checker": checker})
        return self.order


class Counter:
    """Delivery, pickup, counter payment, the queue and the day summary."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    def order(self, order_id: str) -> Order:
        result: Order = self.api.call("GET", f"/pharmacy/orders/{order_id}")
        return result

    def dispatch(self, order_id: str) -> Order:
        result: Order = self.api.call("POST", f"/pharmacy/orders/{order_id}/dispatch")
        return result

    def find_by_pickup_code(self, code: str) -> Order:
        """The patient's pickup code as typed, or the content of their QR (`RXPICK1:…`)."""
        result: Order = self.api.call("GET", f"/pharmacy/pickup/{code.strip()}")
        return result

    def hand_over(self, order_id: str, pickup_code: str) -> Order:
        result: Order = self.api.call("POST", f"/pharmacy/orders/{order_id}/handover",
                                      {"pickup_code": pickup_code.strip()})
        return result

    def register_offline_payment(self, order_id: str, receipt_no: str) -> Order:
        result: Order = self.api.call("POST", f"/pharmacy/orders/{order_id}/offline-payment",
                                      {"receipt_no": receipt_no.strip()})
        return result

    def call_next(self) -> str | None:
        called = self.api.call("POST", "/pharmacy/queue/call-next")
        return None if called is None else called.get("called")

    def day_summary(self, day: date | None = None) -> dict[str, Any]:
        params = {"day": day.isoformat()} if day else None
        result: dict[str, Any] = self.api.call("GET", "/pharmacy/summary", params=params)
        return result
