"""A card reader that ships in the product: for the demo, for kiosks without a reader, and for
tests of everything above the driver. It reads a `VirtualCard` through the same
`read_identity` as the PC/SC driver, so it answers and fails the same way.

Faults (URL `sim://?fault=a,b` or `inject("a")`):

- `no_reader`: every call raises `NoCardReader` (until `clear_faults`);
- `no_card`: the card is taken out (an event is sent);
- `card_removed_mid_read`: the next read loses the card after the number, before the name;
- `unknown_card`: a bank card replaces the card (events are sent);
- `locked`: the holder-name file answers 6982 (`CardStatusError`);
- `communication_error`: the next read fails with `CardCommunicationError`.

URL options: `card=insurance|hospital|foreign|none`, `number=…`, `name=…` (the holder).
"""

from __future__ import annotations

import logging
import queue
import threading

from common.hardware.card.profile import CardEvent, CardEventKind, CardIdentity, CardProfile
from common.hardware.card.reader import CardEventCallback
from common.hardware.card.session import read_identity
from common.hardware.card.virtual_card import VirtualCard
from common.hardware.errors import (
    CardCommunicationError,
    CardRemovedDuringRead,
    NoCard,
    NoCardReader,
    check_fault,
)

log = logging.getLogger(__name__)

CARD_READER_FAULTS = ("no_reader", "no_card", "card_removed_mid_read", "unknown_card", "locked",
                      "communication_error")


class SimulatedCardReader:
    name = "模拟读卡器"

    def __init__(self, card: CardProfile | None = None, *, faults: tuple[str, ...] = ()) -> None:
        self._card = VirtualCard(card) if card is not None else None
        self._faults: set[str] = set()
        self._callbacks: list[CardEventCallback] = []
        self._events: queue.Queue[tuple[CardEvent, list[CardEventCallback]] | None] = (
            queue.Queue())
        self._pump: threading.Thread | None = None
        self._lock = threading.RLock()
        for fault in faults:
            self.inject(fault)

    # Driving the simulation --------------------------------------------------------------

    def insert(self, card: CardProfile | None = None) -> None:
        with self._lock:
            if self._card is not None:
                self.remove()
            self._card = VirtualCard(card or CardProfile.insurance())
            self._emit(CardEventKind.INSERTED, self._card.atr)

    def remove(self) -> None:
        with self._lock:
            if self._card is None:
                return
            atr, self._card = self._card.atr, None
            self._emit(CardEventKind.REMOVED, atr)

    def inject(self, fault: str) -> None:
        check_fault(fault, CARD_READER_FAULTS, "card reader")
        with self._lock:
            if fault == "no_card":
                self.remove()
            elif fault == "unknown_card":
                self.insert(CardProfile.foreign())
            elif fault == "locked":
                if self._card is not None:
                    self._card.locked = True
            else:
                self._faults.add(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            if self._card is not None:
                self._card.locked = False

    # The CardReader interface -------------------------------------------------------------

    def _check_reader(self) -> None:
        if "no_reader" in self._faults:
            raise NoCardReader()

    def card_present(self) -> bool:
        self._check_reader()
        return self._card is not None

    def read_card(self) -> CardIdentity:
        with self._lock:
            self._check_reader()
            card = self._card
            if card is None:
                raise NoCard()
            card.reset()
            if "communication_error" in self._faults:
                self._faults.discard("communication_error")
                raise CardCommunicationError()

        def transmit(apdu: bytes) -> bytes:
            with self._lock:
                if "card_removed_mid_read" in self._faults and card.reads_holder_name(apdu):
                    self._faults.discard("card_removed_mid_read")
                    self.remove()
                if self._card is not card:
                    raise CardRemovedDuringRead()
                return card.process(apdu)

        return read_identity(transmit, self.name)

    def watch(self, callback: CardEventCallback) -> None:
        with self._lock:
            if callback in self._callbacks:
                return
            self._callbacks.append(callback)
            if self._pump is None:
                self._pump = threading.Thread(target=self._deliver, name="sim-card-events",
                                              daemon=True)
                self._pump.start()
            if self._card is not None:
                event = CardEvent(CardEventKind.INSERTED, self.name, self._card.atr)
                self._events.put((event, [callback]))

    def unwatch(self, callback: CardEventCallback) -> None:
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

    def close(self) -> None:
        with self._lock:
            self._callbacks.clear()
            pump, self._pump = self._pump, None
        if pump is not None:
            self._events.put(None)
            pump.join(timeout=5)

    def _emit(self, kind: CardEventKind, atr: bytes) -> None:
        if self._callbacks:
            self._events.put((CardEvent(kind, self.name, atr), list(self._callbacks)))

    def _deliver(self) -> None:
        while (item := self._events.get()) is not None:
            event, callbacks = item
            for callback in callbacks:
                try:
                    callback(event)
                except Exception:
                    log.exception("card event callback failed")
