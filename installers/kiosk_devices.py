"""The kiosk's stand-in devices for the demo and the `kiosk_card` benchmark: the real PC/SC
stack (pcscd with Debian's vsmartcard-vpcd reader driver, our card emulator as the card) when
both are installed, the simulated reader otherwise; an ESC/POS printer on a pty pair whose
output is kept as text; a video of a prescription slip's QR code as the camera.

pcscd is one per machine (its socket is /run/pcscd/pcscd.comm) and the vpcd readers are shared
with any test session running at the same time, so this takes the same locks as
`tests/devices.py`: a shared lock on the pcscd lock file while pcscd is in use (whoever started
it stops it only when nobody else holds that lock), and an exclusive lock per vpcd reader.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from common.hardware.card.emulator import VPCD_PORT
from common.hardware.printer.simulator import SerialPrinterSimulator
from common.hardware.ptypair import PtyPair
from common.hardware.scanner.video import write_code_video

PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
VPCD_SLOTS = 2  # "Virtual PCD 00 00" on 35963, "Virtual PCD 00 01" on 35964
LOCK_DIR = Path(tempfile.gettempdir())


def pcsc_stack_installed() -> bool:
    return shutil.which("pcscd") is not None and VPCD_DRIVER.exists()


def _pcscd_running() -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(PCSCD_SOCKET))
        except OSError:
            return False
    return True


def _vpcd_readers() -> list[str]:
    # pyscard only here: a kiosk on the simulators never loads it.
    from common.hardware.card.pcsc import list_readers
    from common.hardware.errors import NoCardReader

    try:
        return [name for name in list_readers() if name.startswith("Virtual PCD")]
    except NoCardReader:
        return []


class VpcdSlot:
    """A running pcscd and one vpcd reader held for this process: `reader_name`, `port` (where
    the card emulator connects), `url` (what the kiosk opens). `close()` gives both back."""

    def __init__(self, *, timeout: float = 15.0) -> None:
        self._pcscd: subprocess.Popen[bytes] | None = None
        self._use: IO[str] | None = None
        self._slot_lock: IO[str] | None = None
        self.reader_name = ""
        self.port = 0
        self._use = (LOCK_DIR / "rxp-pcscd.lock").open("a")
        fcntl.flock(self._use, fcntl.LOCK_SH)
        try:
            if not _pcscd_running():
                self._pcscd = subprocess.Popen(["pcscd", "--foreground"],
                                               stdout=subprocess.DEVNULL,
                                               stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + timeout
            while not _vpcd_readers():
                if time.monotonic() > deadline:
                    raise RuntimeError("pcscd did not show the vpcd readers")
                time.sleep(0.05)
            self._claim(_vpcd_readers(), deadline)
        except BaseException:
            self.close()
            raise

    def _claim(self, readers: list[str], deadline: float) -> None:
        while True:
            for slot in range(VPCD_SLOTS):
                name = f"Virtual PCD 00 {slot:02d}"
                if name not in readers:
                    continue
                handle = (LOCK_DIR / f"rxp-vpcd-{VPCD_PORT + slot}.lock").open("a")
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    handle.close()
                    continue
                self._slot_lock, self.reader_name, self.port = handle, name, VPCD_PORT + slot
                return
            if time.monotonic() > deadline:
                raise RuntimeError("every vpcd reader is in use (by test sessions?)")
            time.sleep(0.2)

    @property
    def url(self) -> str:
        return f"pcsc://{self.reader_name}"

    def close(self) -> None:
        if self._slot_lock is not None:
            self._slot_lock.close()
            self._slot_lock = None
        if self._pcscd is not None and self._use is not None:
            try:
                fcntl.flock(self._use, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pass  # a test session uses it: it stays for them (and later sessions)
            else:
                self._pcscd.terminate()
                try:
                    self._pcscd.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._pcscd.kill()
                    self._pcscd.wait()
        self._pcscd = None
        if self._use is not None:
            self._use.close()
            self._use = None


class PtyPrinter:
    """The virtual receipt printer on one end of a pty pair; the kiosk opens `url` (the other
    end). What it printed is written to `text_file` as text after every receipt."""

    def __init__(self, text_file: Path) -> None:
        self.text_file = text_file
        self.pair = PtyPair()
        self.simulator = SerialPrinterSimulator(self.pair.b)
        self._stop = threading.Event()
        self._saved = 0
        self._thread = threading.Thread(target=self._keep_text, name="pty-printer-text",
                                        daemon=True)
        text_file.parent.mkdir(parents=True, exist_ok=True)
        text_file.write_text("", encoding="utf-8")
        self._thread.start()

    @property
    def url(self) -> str:
        return f"serial://{self.pair.a}?timeout=1"

    def _keep_text(self) -> None:
        while not self._stop.wait(0.5):
            self.save()

    def save(self) -> None:
        printed = len(self.simulator.printer.printed)
        if printed != self._saved:
            self._saved = printed
            self.simulator.printer.save_text(self.text_file)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.save()
        self.simulator.stop()
        self.pair.close()


def slip_video(path: Path, qr_payload: str) -> Path:
    """A camera's view of a prescription slip: a blank moment, the slip's QR, blank again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_code_video(path, [None, ("qr", qr_payload), None])


@contextlib.contextmanager
def optional_vpcd_slot() -> Iterator[VpcdSlot | None]:
    """A `VpcdSlot` when pcscd and vpcd are installed, else None (use the simulator)."""
    if not pcsc_stack_installed():
        yield None
        return
    slot = VpcdSlot()
    try:
        yield slot
    finally:
        slot.close()
