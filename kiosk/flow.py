"""The kiosk's flow as a plain state machine: no Qt, no network, a clock you can move.

home -> identifying -> prescriptions -> choose (mode, pharmacy, appointment, address)
     -> pay (online QR waiting for the gateway's callback, or at the counter)
     -> printing -> done -> home;  prescriptions -> status (an order's tracking events).

The Qt layer (kiosk/ui) tells the flow what happened (a card arrived, an answer came back, a
device failed) and shows `flow.screen`; what to fetch next it reads from the screen it is on.
Everything about the patient lives in one `Visit`; leaving (idle timeout, card removed,
finishing, the server going away) drops that object, so nothing of it stays in memory to be
shown by a screen that forgot to clear itself.

Faults: an unreadable card offers retry or another method; a printer fault ends on `done` with
the pickup code on screen and a staff alert; the server unreachable shows `out_of_service` until
it answers again. Staff reach `maintenance` with a PIN.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from kiosk.models import (
    DeliveryMode,
    Order,
    PatientAccess,
    PatientPrescription,
    Payment,
    PharmacyOption,
)
from kiosk.texts import QT_TRANSLATE_NOOP, Message

log = logging.getLogger(__name__)

MonotonicClock = Callable[[], float]


class Screen(enum.StrEnum):
    HOME = "home"
    IDENTIFYING = "identifying"
    CARD_ERROR = "card_error"
    PRESCRIPTIONS = "prescriptions"
    CHOOSE = "choose"
    PAY = "pay"
    PRINTING = "printing"
    DONE = "done"
    STATUS = "status"
    OUT_OF_SERVICE = "out_of_service"
    MAINTENANCE = "maintenance"


PATIENT_SCREENS = frozenset({Screen.IDENTIFYING, Screen.CARD_ERROR, Screen.PRESCRIPTIONS,
                             Screen.CHOOSE, Screen.PAY, Screen.PRINTING, Screen.DONE,
                             Screen.STATUS})


class Payer(enum.StrEnum):
    ONLINE = "online"
    COUNTER = "counter"


@dataclass(frozen=True)
class StaffAlert:
    """Something staff must see to (logged, and listed in maintenance). No patient data."""

    at: float
    kind: str
    message: Message


@dataclass
class Visit:
    """Everything about the patient at the screen, and nothing else."""

    access: PatientAccess
    by_card: bool
    prescriptions: list[PatientPrescription] = field(default_factory=list)
    prescription: PatientPrescription | None = None
    mode: DeliveryMode | None = None
    options: list[PharmacyOption] = field(default_factory=list)
    pharmacy: PharmacyOption | None = None
    appointment_at: datetime | None = None
    address: dict[str, str] | None = None
    order: Order | None = None
    payment: Payment | None = None
    payer: Payer | None = None
    queue_number: str | None = None
    print_fault: str | None = None  # the printer's message when the receipt did not print

    @property
    def can_pay_at_counter(self) -> bool:
        """A counter the patient goes to: the store's (pickup) or the hospital's pickup window
        (hospital delivery). A courier's parcel is paid for online before it leaves."""
        return self.order is not None and self.order.mode != DeliveryMode.COURIER


@dataclass(frozen=True)
class KioskSettings:
    idle_seconds: float = 60.0  # no touch this long: back to home, data gone
    done_seconds: float = 20.0  # the done screen stays this long
    pin_sha256: str = hashlib.sha256(b"000000").hexdigest()  # staff PIN (set per site)
    last_errors: int = 20


class KioskFlow:
    def __init__(self, settings: KioskSettings | None = None, *,
                 clock: MonotonicClock = time.monotonic) -> None:
        self.settings = settings or KioskSettings()
        self.clock = clock
        self.screen = Screen.HOME
        self.visit: Visit | None = None
        self.message: Message | None = None  # the one line to show (an error, a hint)
        self.alerts: deque[StaffAlert] = deque(maxlen=self.settings.last_errors)
        self._last_touch = clock()
        self._listeners: list[Callable[[KioskFlow], None]] = []
        # Each identification is numbered; only the latest one's answer may open a visit.
        self.attempt = 0

    # -- observers -----------------------------------------------------------------------------

    def subscribe(self, listener: Callable[[KioskFlow], None]) -> None:
        self._listeners.append(listener)

    def _go(self, screen: Screen, message: Message | str | None = None) -> None:
        self.screen = screen
        self.message = Message(message) if isinstance(message, str) else message
        self._last_touch = self.clock()
        for listener in list(self._listeners):
            listener(self)

    def touch(self) -> None:
        """The patient did something: the idle time starts again."""
        self._last_touch = self.clock()

    def idle_for(self) -> float:
        """Seconds since the last touch or screen change."""
        return self.clock() - self._last_touch

    def alert(self, kind: str, message: Message | str) -> None:
        entry = StaffAlert(self.clock(), kind,
                           Message(message) if isinstance(message, str) else message)
        self.alerts.append(entry)
        log.warning("staff alert %s: %s", kind, entry.message)

    def _require(self, *screens: Screen) -> Visit:
        if self.screen not in screens or self.visit is None:
            raise InvalidStep(f"{self.screen} -> ? (expected {', '.join(screens)})")
        return self.visit

    # -- leaving -------------------------------------------------------------------------------

    def reset(self, message: Message | str | None = None) -> None:
        """Back to home; the patient's data is dropped, not hidden."""
        self.visit = None
        self._go(Screen.HOME, message)

    def tick(self) -> None:
        """Called by a timer: leaves a patient screen after the idle time (done: sooner)."""
        if self.screen not in PATIENT_SCREENS:
            return
        idle = self.clock() - self._last_touch
        if self.screen is Screen.PAY and self.visit and self.visit.payer is Payer.ONLINE:
            limit = max(self.settings.idle_seconds, 180.0)  # paying on a phone takes a while
        elif self.screen is Screen.DONE:
            limit = self.settings.done_seconds
        elif self.screen is Screen.PRINTING:
            return  # the printer answers or fails; it never hangs the flow
        else:
            limit = self.settings.idle_seconds
        if idle >= limit:
            self.reset(Message(QT_TRANSLATE_NOOP(
                "KioskFlow",
                "No one touched the screen for a while: signed out, your data is cleared")))

    def card_removed(self) -> None:
        if self.visit is not None and self.visit.by_card and self.screen is not Screen.PRINTING:
            self.reset(Message(QT_TRANSLATE_NOOP(
                "KioskFlow", "Card taken out: your data is cleared")))
        elif self.screen is Screen.IDENTIFYING:
            # Pulled before the answer came: whatever arrives later is dropped (see identified).
            self.identification_failed(Message(QT_TRANSLATE_NOOP(
                "KioskFlow", "The card was pulled out while it was being read. Insert it again "
                "and leave it in until the reading is done")))

    def server_unreachable(self) -> None:
        """Nothing can be done without the server: drop the visit, say so, wait."""
        if self.screen is Screen.MAINTENANCE:
            return
        if self.screen is not Screen.OUT_OF_SERVICE:
            self.alert("server", Message(QT_TRANSLATE_NOOP(
                "KioskFlow", "Cannot reach the server")))
        self.visit = None
        self._go(Screen.OUT_OF_SERVICE, Message(QT_TRANSLATE_NOOP(
            "KioskFlow", "Out of service: please go to a staffed counter")))

    def server_back(self) -> None:
        if self.screen is Screen.OUT_OF_SERVICE:
            self._go(Screen.HOME)

    # -- identification ------------------------------------------------------------------------

    def card_inserted(self) -> int:
        """The number of the identification this starts (see `identified`)."""
        if self.screen in (Screen.HOME, Screen.CARD_ERROR):
            self.visit = None
            self.attempt += 1
            self._go(Screen.IDENTIFYING, Message(QT_TRANSLATE_NOOP(
                "KioskFlow", "Reading the card, do not take it out…")))
        return self.attempt

    def identifying(self) -> int:
        if self.screen is Screen.HOME:
            self.attempt += 1
            self._go(Screen.IDENTIFYING, Message(QT_TRANSLATE_NOOP(
                "KioskFlow", "Checking who you are…")))
        return self.attempt

    def is_current(self, attempt: int | None) -> bool:
        """Whether an answer for identification `attempt` (None: not tied to one) may still
        change the screen: not once the patient left, nor once another has started."""
        return self.screen is Screen.IDENTIFYING and attempt in (None, self.attempt)

    def identification_failed(self, message: Message | str, attempt: int | None = None) -> None:
        """Card unreadable or refused, code wrong: retry, or another way."""
        if attempt is not None and attempt != self.attempt:
            return  # an earlier identification's answer
        self.visit = None
        self._go(Screen.CARD_ERROR, message)

    def identified(self, access: PatientAccess, prescriptions: list[PatientPrescription], *,
                   by_card: bool, attempt: int | None = None) -> bool:
        """Open the visit, if the answer is for the identification under way: a patient who
        pulled their card out and the next who put theirs in must not see the first's
        prescriptions when that answer comes late. Whether it was taken."""
        if not self.is_current(attempt):
            return False
        self.visit = Visit(access, by_card, prescriptions)
        self._go(Screen.PRESCRIPTIONS)
        return True

    # -- choosing ------------------------------------------------------------------------------

    def select(self, prescription_id: object) -> None:
        visit = self._require(Screen.PRESCRIPTIONS)
        rx = next(p for p in visit.prescriptions if p.id == prescription_id)
        visit.prescription = rx
        if rx.order is not None and not rx.can_choose:
            visit.order = rx.order
            self._go(Screen.STATUS)
        elif rx.can_choose:
            visit.mode = visit.pharmacy = None
            visit.options = []
            self._go(Screen.CHOOSE)
        else:
            self._go(Screen.PRESCRIPTIONS, Message(QT_TRANSLATE_NOOP(
                "KioskFlow", "This prescription is %1: no pharmacy can be chosen yet"),
                (rx.status.patient_label,)))

    def choose_mode(self, mode: DeliveryMode) -> None:
        visit = self._require(Screen.CHOOSE)
        visit.mode, visit.pharmacy, visit.options = mode, None, []
        self.touch()

    def options_loaded(self, mode: DeliveryMode, options: list[PharmacyOption]) -> None:
        visit = self._require(Screen.CHOOSE)
        if visit.mode is mode:
            visit.options = options
            self._go(Screen.CHOOSE, None if options else Message(QT_TRANSLATE_NOOP(
                "KioskFlow",
                "No pharmacy offers this: please choose another way to get your medicine")))

    def choose_pharmacy(self, pharmacy_id: object, *, appointment_at: datetime | None = None,
                        address: dict[str, str] | None = None) -> None:
        visit = self._require(Screen.CHOOSE)
        visit.pharmacy = next(o for o in visit.options if o.pharmacy_id == pharmacy_id)
        visit.appointment_at = appointment_at
        visit.address = address
        self.touch()

    def ready_to_order(self) -> bool:
        visit = self.visit
        return (self.screen is Screen.CHOOSE and visit is not None and visit.pharmacy is not None
                and (visit.mode is not DeliveryMode.COURIER or visit.address is not None))

    def ordered(self, order: Order) -> None:
        visit = self._require(Screen.CHOOSE)
        visit.order = order
        self._go(Screen.PAY)

    def back(self) -> None:
        """One step back, as far as the prescriptions list."""
        if self.visit is None:
            self.reset()
        elif self.screen in (Screen.CHOOSE, Screen.STATUS):
            self.visit.prescription = self.visit.order = None
            self._go(Screen.PRESCRIPTIONS)
        elif self.screen is Screen.CARD_ERROR:
            self.reset()

    # -- paying --------------------------------------------------------------------------------

    def payment_started(self, payment: Payment) -> None:
        visit = self._require(Screen.PAY)
        visit.payment, visit.payer = payment, Payer.ONLINE
        self._go(Screen.PAY, Message(QT_TRANSLATE_NOOP(
            "KioskFlow", "Scan the code with your phone to pay")))

    def order_refreshed(self, order: Order) -> None:
        """A poll of the order while waiting for the gateway's callback."""
        if self.screen is not Screen.PAY or self.visit is None:
            return
        self.visit.order = order
        if order.paid:
            self._go(Screen.PRINTING, Message(QT_TRANSLATE_NOOP(
                "KioskFlow", "Paid. Printing your receipt…")))

    def pay_at_counter(self) -> None:
        visit = self._require(Screen.PAY)
        if not visit.can_pay_at_counter:
            raise InvalidStep("a courier order is paid online")
        visit.payer = Payer.COUNTER
        self._go(Screen.PRINTING, Message(QT_TRANSLATE_NOOP(
            "KioskFlow", "Printing your receipt; pay and collect at the pharmacy counter…")))

    def queue_number_issued(self, number: str) -> None:
        if self.visit is not None:
            self.visit.queue_number = number

    # -- printing ------------------------------------------------------------------------------

    def printed(self) -> None:
        self._require(Screen.PRINTING)
        self._go(Screen.DONE, Message(QT_TRANSLATE_NOOP(
            "KioskFlow", "Please take your receipt")))

    def print_failed(self, message: str) -> None:
        """The receipt did not (fully) print: the code is on screen, staff are called."""
        visit = self._require(Screen.PRINTING)
        visit.print_fault = message
        order = visit.order.number if visit.order else "-"
        self.alert("printer", Message(QT_TRANSLATE_NOOP(
            "KioskFlow", "%1 (order %2)"), (message, order)))
        self._go(Screen.DONE, Message(QT_TRANSLATE_NOOP(
            "KioskFlow", "The receipt could not be printed: take a photo of the pickup code on "
            "the screen. Staff have been called")))

    # -- maintenance ---------------------------------------------------------------------------

    def open_maintenance(self, pin: str) -> bool:
        given = hashlib.sha256(pin.encode()).hexdigest()
        if not hmac.compare_digest(given, self.settings.pin_sha256):
            self.alert("maintenance", Message(QT_TRANSLATE_NOOP(
                "KioskFlow", "Wrong maintenance PIN")))
            self._go(self.screen, Message(QT_TRANSLATE_NOOP(
                "KioskFlow", "Wrong PIN")))
            return False
        self.visit = None
        self._go(Screen.MAINTENANCE)
        return True

    def close_maintenance(self) -> None:
        if self.screen is Screen.MAINTENANCE:
            self._go(Screen.HOME)


class InvalidStep(RuntimeError):
    """A step the current screen does not offer (a bug in the caller, not a user error)."""
