"""PC/SC card reader (pcscd on Linux, WinSCard on Windows) through pyscard.

Card removal in the middle of a read shows up in PC/SC as a failed or empty transmit first
and as "card removed" a few hundred milliseconds later, when the reader driver notices; so a
failed transmit waits briefly for the reader to report the card gone before deciding between
`CardRemovedDuringRead` and `CardCommunicationError`.

Events come from pyscard's CardMonitor: one thread per process, shared by every reader. It
ends for good when pcscd goes away (pyscard does not restart it), so an app that outlives a
pcscd restart must restart itself; `stop_card_monitor` ends it cleanly at exit.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

from smartcard.CardMonitoring import CardMonitor, CardMonitoringThread, CardObserver
from smartcard.Exceptions import CardConnectionException, NoCardException, SmartcardException
from smartcard.pcsc.PCSCExceptions import BaseSCardException
from smartcard.scard import (
    SCARD_E_NO_SMARTCARD,
    SCARD_S_SUCCESS,
    SCARD_SCOPE_USER,
    SCARD_STATE_PRESENT,
    SCARD_STATE_UNAWARE,
    SCARD_W_REMOVED_CARD,
    SCARD_W_UNPOWERED_CARD,
    SCardCancel,
    SCardEstablishContext,
    SCardGetStatusChange,
    SCardReleaseContext,
)
from smartcard.System import readers as pcsc_readers

from common.hardware.card.profile import CardEvent, CardEventKind, CardIdentity
from common.hardware.card.reader import CardEventCallback
from common.hardware.card.session import read_identity
from common.hardware.errors import (
    CardCommunicationError,
    CardRemovedDuringRead,
    NoCard,
    NoCardReader,
)

log = logging.getLogger(__name__)

_NO_CARD_RESULTS = {SCARD_W_REMOVED_CARD, SCARD_E_NO_SMARTCARD, SCARD_W_UNPOWERED_CARD}


def list_readers() -> list[str]:
    try:
        return [str(reader) for reader in pcsc_readers()]
    except (SmartcardException, BaseSCardException) as exc:
        raise NoCardReader(f"智能卡服务（PC/SC）未运行或不可用：{exc}") from exc


def resolve_reader(target: str) -> str:
    """`""` -> the first reader, `"1"` -> the second, else the reader whose name is (or
    starts with) `target`."""
    names = list_readers()
    if not names:
        raise NoCardReader()
    if target == "":
        return names[0]
    if target.isdigit():
        index = int(target)
        if index >= len(names):
            raise NoCardReader(f"未找到第 {index} 号读卡器（共 {len(names)} 个）")
        return names[index]
    for name in names:
        if name == target:
            return name
    for name in names:
        if name.startswith(target):
            return name
    raise NoCardReader(f"未找到读卡器“{target}”（现有：{'；'.join(names)}）")


def stop_card_monitor(timeout: float = 2.0) -> None:
    """Ends pyscard's monitor thread: wakes it from its wait with SCardCancel, which pyscard
    treats as a timeout, so it sees the stop flag and returns instead of printing an error
    when pcscd stops under it."""
    thread = CardMonitoringThread.instance
    if thread is None or not thread.is_alive():
        return
    thread.stop()
    request = getattr(thread.cardrequest, "pcsccardrequest", None)
    if request is not None:
        SCardCancel(request.hcontext)
    thread.join(timeout)


class _ReaderObserver(CardObserver):
    def __init__(self, reader: str, callback: CardEventCallback) -> None:
        self.reader = reader
        self.callback = callback

    def update(self, observable: Any, handlers: tuple[list[Any], list[Any]]) -> None:
        added, removed = handlers
        for kind, cards in ((CardEventKind.REMOVED, removed), (CardEventKind.INSERTED, added)):
            for card in cards:
                if str(card.reader) != self.reader:
                    continue
                try:
                    self.callback(CardEvent(kind, self.reader, bytes(card.atr)))
                except Exception:
                    # The monitor thread is shared by the whole process: never let a
                    # consumer's bug stop it.
                    log.exception("card event callback failed")


class PcscCardReader:
    def __init__(self, target: str = "", *, removal_grace: float = 2.0) -> None:
        self.name = resolve_reader(target)
        self.removal_grace = removal_grace
        self._observers: dict[CardEventCallback, _ReaderObserver] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"PcscCardReader({self.name!r})"

    def _reader(self) -> Any:
        try:
            found = pcsc_readers()
        except (SmartcardException, BaseSCardException) as exc:
            raise NoCardReader(f"智能卡服务（PC/SC）不可用：{exc}") from exc
        for reader in found:
            if str(reader) == self.name:
                return reader
        raise NoCardReader(f"读卡器“{self.name}”已断开")

    def _state(self) -> int:
        """The reader's PC/SC event state (0 when the reader cannot be asked)."""
        result, context = SCardEstablishContext(SCARD_SCOPE_USER)
        if result != SCARD_S_SUCCESS:
            return 0
        try:
            result, states = SCardGetStatusChange(context, 0,
                                                  [(self.name, SCARD_STATE_UNAWARE)])
            if result != SCARD_S_SUCCESS or not states:
                return 0
            return int(states[0][1])
        finally:
            SCardReleaseContext(context)

    def card_present(self) -> bool:
        return bool(self._state() & SCARD_STATE_PRESENT)

    def _card_left(self) -> bool:
        deadline = time.monotonic() + self.removal_grace
        while time.monotonic() < deadline:
            if not self.card_present():
                return True
            time.sleep(0.05)
        return False

    def read_card(self) -> CardIdentity:
        try:
            connection = self._reader().createConnection()
        except SmartcardException as exc:
            raise NoCardReader(f"读卡器不可用：{exc}") from exc
        try:
            connection.connect()
        except NoCardException:
            raise NoCard() from None
        except CardConnectionException as exc:
            if exc.hresult in _NO_CARD_RESULTS:
                raise NoCard() from None
            raise CardCommunicationError() from exc

        def transmit(apdu: bytes) -> bytes:
            try:
                data, sw1, sw2 = connection.transmit(list(apdu))
            except CardConnectionException as exc:
                if exc.hresult in _NO_CARD_RESULTS or self._card_left():
                    raise CardRemovedDuringRead() from exc
                raise CardCommunicationError() from exc
            return bytes(data) + bytes([sw1, sw2])

        try:
            return read_identity(transmit, self.name)
        finally:
            with contextlib.suppress(SmartcardException):
                connection.disconnect()
            with contextlib.suppress(SmartcardException):
                connection.release()

    def watch(self, callback: CardEventCallback) -> None:
        observer = _ReaderObserver(self.name, callback)
        with self._lock:
            if callback in self._observers:
                return
            self._observers[callback] = observer
        CardMonitor().addObserver(observer)

    def unwatch(self, callback: CardEventCallback) -> None:
        with self._lock:
            observer = self._observers.pop(callback, None)
        if observer is not None:
            CardMonitor().deleteObserver(observer)

    def close(self) -> None:
        for callback in list(self._observers):
            self.unwatch(callback)
