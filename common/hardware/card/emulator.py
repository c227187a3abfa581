"""A virtual card that plugs into the real PC/SC stack through Debian's `vsmartcard-vpcd`.

`vpcd` is a reader driver for `pcscd`: each of its readers ("Virtual PCD 00 00", "… 00 01")
listens on TCP (127.0.0.1:35963, :35964; see /etc/reader.conf.d/vpcd) for a virtual card to
connect. This module is that card. Its wire protocol, as vpcd speaks it:

- every frame is a 2-byte big-endian length followed by the payload, in both directions;
- a 1-byte payload from the reader is a control message: 0x00 power off, 0x01 power on,
  0x02 reset, 0x04 "send your ATR" (answered with the ATR in one frame);
- a longer payload is a command APDU, answered with the response APDU (data + SW1 SW2).

Inserting the card is connecting to vpcd; removing it is closing the connection (vpcd polls
the card with ATR requests and reports the card gone when the socket is closed). The card's
contents and answers follow the profile documented in `common.hardware.card.profile`
(AIDs, EF 0005 card number, EF 0006 holder name in GB18030) and `virtual_card`.

Faults (`inject`): `card_removed_mid_read` closes the connection instead of answering the READ
BINARY of the holder name, as a patient pulling the card half-way through the read;
`locked` makes the holder-name file answer 6982.

For the demo: `python -m common.hardware.card.emulator --kind insurance --name 张三`.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import struct
import threading
from types import TracebackType

from common.hardware.card.profile import CardProfile
from common.hardware.card.virtual_card import VirtualCard
from common.hardware.errors import CardError, check_fault

VPCD_HOST = "127.0.0.1"
VPCD_PORT = 35963
"""Reader "Virtual PCD 00 00"; reader "… 00 01" listens on the next port."""

CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0x00, 0x01, 0x02, 0x04
CARD_FAULTS = ("card_removed_mid_read", "locked")


class VpcdCardEmulator:
    """One virtual card for one vpcd reader slot. Thread-safe `insert` / `remove`."""

    def __init__(self, card: VirtualCard | CardProfile, *, host: str = VPCD_HOST,
                 port: int = VPCD_PORT, connect_timeout: float = 5.0) -> None:
        self.card = card if isinstance(card, VirtualCard) else VirtualCard(card)
        self.host, self.port = host, port
        self.connect_timeout = connect_timeout
        self.powered = False
        self._faults: set[str] = set()
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.removed = threading.Event()
        self.removed.set()

    @property
    def inserted(self) -> bool:
        return not self.removed.is_set()

    def inject(self, fault: str) -> None:
        check_fault(fault, CARD_FAULTS, "card")
        if fault == "locked":
            self.card.locked = True
        else:
            self._faults.add(fault)

    def insert(self, card: VirtualCard | CardProfile | None = None) -> None:
        with self._lock:
            if self._sock is not None:
                raise RuntimeError("a card is already inserted")
            if card is not None:
                self.card = card if isinstance(card, VirtualCard) else VirtualCard(card)
            self.card.reset()
            try:
                sock = socket.create_connection((self.host, self.port),
                                                timeout=self.connect_timeout)
            except OSError as exc:
                raise CardError(
                    f"虚拟读卡器未运行（{self.host}:{self.port}：{exc}），请先启动 pcscd") from exc
            sock.settimeout(None)
            self._sock = sock
            self.removed.clear()
            self._thread = threading.Thread(target=self._serve, args=(sock,),
                                            name=f"vpcd-card-{self.port}", daemon=True)
            self._thread.start()

    def remove(self) -> None:
        with self._lock:
            sock, thread = self._sock, self._thread
            self._sock = self._thread = None
        if sock is not None:
            _close(sock)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        self.removed.set()

    close = remove

    def __enter__(self) -> VpcdCardEmulator:
        self.insert()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.remove()

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                payload = _receive_frame(sock)
                if payload is None:
                    break
                answer = self._answer(payload)
                if answer is _PULL_CARD:
                    break
                if answer is not None:
                    sock.sendall(struct.pack(">H", len(answer)) + answer)
        except OSError:
            pass
        finally:
            with self._lock:
                if self._sock is sock:
                    self._sock = self._thread = None
            _close(sock)
            self.removed.set()

    def _answer(self, payload: bytes) -> bytes | None:
        if len(payload) == 1:
            control = payload[0]
            if control == CTRL_ATR:
                return self.card.atr
            if control == CTRL_OFF:
                self.powered = False
            elif control in (CTRL_ON, CTRL_RESET):
                self.powered = True
                self.card.reset()
            return None
        if "card_removed_mid_read" in self._faults and self.card.reads_holder_name(payload):
            self._faults.discard("card_removed_mid_read")
            return _PULL_CARD
        return self.card.process(payload)


_PULL_CARD = b"<pull>"


def _receive_exactly(sock: socket.socket, size: int) -> bytes | None:
    chunks = b""
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return chunks


def _receive_frame(sock: socket.socket) -> bytes | None:
    header = _receive_exactly(sock, 2)
    if header is None:
        return None
    (length,) = struct.unpack(">H", header)
    return _receive_exactly(sock, length)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="虚拟卡片：插入 vpcd 虚拟读卡器（Ctrl-C 拔卡）")
    parser.add_argument("--kind", default="insurance", choices=["insurance", "hospital", "foreign"])
    parser.add_argument("--number")
    parser.add_argument("--name")
    parser.add_argument("--port", type=int, default=VPCD_PORT)
    args = parser.parse_args(argv)
    emulator = VpcdCardEmulator(CardProfile.for_kind(args.kind, args.number, args.name),
                                port=args.port)
    try:
        emulator.insert()
    except CardError as exc:
        raise SystemExit(exc.message) from None
    print(f"card inserted into vpcd on port {args.port}; Ctrl-C removes it")
    try:
        emulator.removed.wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.remove()


if __name__ == "__main__":
    main()
