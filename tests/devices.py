"""Real device stacks for tests: `pcscd` with the `vsmartcard-vpcd` reader driver and our card
emulator, and `socat` pty pairs for serial devices.

Fixtures (import them into a conftest: `from tests.devices import pcscd, virtual_card, …`):

- `pcscd` (session): a running pcscd with the vpcd readers. Reuses one that is already running
  (there is only one per machine: its socket is /run/pcscd/pcscd.comm), otherwise starts
  `pcscd -f` and stops it at the end, after any other test session using it has finished. Skips with
  the reason when pcscd or vpcd are not installed.
- `virtual_card`: a `VirtualCardSlot` (one vpcd reader with its emulator, empty at start):
  `.reader_name`, `.url`, `.insert(profile)`, `.remove()`, `.emulator`. Slots are locked
  across processes, so two test sessions on one machine never share a reader.
- `pty_pair`: a `PtyPair` (`.a`, `.b`), closed at teardown.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

from common.hardware.card.emulator import VPCD_PORT, VpcdCardEmulator
from common.hardware.card.pcsc import PcscCardReader, list_readers, stop_card_monitor
from common.hardware.card.profile import CardProfile
from common.hardware.errors import NoCardReader
from common.hardware.ptypair import PtyPair

PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
VPCD_SLOTS = 2  # "Virtual PCD 00 00" on 35963, "Virtual PCD 00 01" on 35964
LOCK_DIR = Path(tempfile.gettempdir())


def wait_until(condition: Callable[[], bool], timeout: float = 5.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what or condition}")
        time.sleep(0.02)


def _pcscd_running() -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(PCSCD_SOCKET))
        except OSError:
            return False
    return True


def _vpcd_readers() -> list[str]:
    try:
        return [name for name in list_readers() if name.startswith("Virtual PCD")]
    except NoCardReader:
        return []


@contextlib.contextmanager
def _shared_use(path: Path) -> Iterator[IO[str]]:
    """A shared lock held by every test session using pcscd: the one that started pcscd stops
    it only if it can then take the lock exclusively (nobody else is using it)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        yield handle


_LEFT_RUNNING: list[subprocess.Popen[bytes]] = []


def _stop_pcscd_when_unused(process: subprocess.Popen[bytes], lock: IO[str],
                            patience: float = 600.0) -> None:
    """Stops the pcscd this session started once no other session uses it (they hold the
    shared lock): waits for them, up to `patience` seconds; after that it is left running
    for the next session to reuse."""
    deadline = time.monotonic() + patience
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                _LEFT_RUNNING.append(process)  # not collected: no "still running" warning
                return
            time.sleep(0.2)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """The vpcd reader names of a running pcscd."""
    if shutil.which("pcscd") is None:
        pytest.skip("pcscd is not installed (Debian package pcscd)")
    if not VPCD_DRIVER.exists():
        pytest.skip("the vpcd reader driver is not installed (Debian package vsmartcard-vpcd)")
    with _shared_use(LOCK_DIR / "rxp-pcscd.lock") as lock:
        process: subprocess.Popen[bytes] | None = None
        if not _pcscd_running():
            log_path = tmp_path_factory.mktemp("pcscd") / "pcscd.log"
            with log_path.open("wb") as log:  # pcscd keeps its own copy of the descriptor
                process = subprocess.Popen(["pcscd", "--foreground", "--apdu"],
                                           stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until(lambda: len(_vpcd_readers()) >= 1, 10, "pcscd to show the vpcd readers")
            yield _vpcd_readers()
        finally:
            # This session is done with PC/SC: quiet pyscard's monitor thread before this (or
            # another session's) pcscd stops under it.
            stop_card_monitor()
            if process is not None:
                _stop_pcscd_when_unused(process, lock)


@dataclass
class VirtualCardSlot:
    reader_name: str
    port: int
    emulator: VpcdCardEmulator

    @property
    def url(self) -> str:
        return f"pcsc://{self.reader_name}"

    def _present(self) -> bool:
        return PcscCardReader(self.reader_name).card_present()

    def insert(self, profile: CardProfile | None = None, *, timeout: float = 5.0) -> None:
        """Inserts the card and waits until pcscd reports it present."""
        self.emulator.insert(profile or CardProfile.insurance())
        wait_until(self._present, timeout, f"a card in {self.reader_name}")

    def remove(self, *, timeout: float = 5.0) -> None:
        """Removes the card and waits until pcscd reports the reader empty."""
        self.emulator.remove()
        wait_until(lambda: not self._present(), timeout, f"{self.reader_name} to be empty")


@contextlib.contextmanager
def _claim_slot(timeout: float = 120.0) -> Iterator[int]:
    deadline = time.monotonic() + timeout
    while True:
        for slot in range(VPCD_SLOTS):
            handle = (LOCK_DIR / f"rxp-vpcd-{VPCD_PORT + slot}.lock").open("a")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            try:
                yield slot
            finally:
                handle.close()
            return
        if time.monotonic() > deadline:
            raise TimeoutError("every vpcd reader slot is in use by other test sessions")
        time.sleep(0.2)


@pytest.fixture
def virtual_card(pcscd: list[str]) -> Iterator[VirtualCardSlot]:
    with _claim_slot() as slot:
        reader_name = f"Virtual PCD 00 {slot:02d}"
        if reader_name not in pcscd:
            pytest.skip(f"pcscd does not show {reader_name}")
        emulator = VpcdCardEmulator(CardProfile.insurance(), port=VPCD_PORT + slot)
        card_slot = VirtualCardSlot(reader_name, VPCD_PORT + slot, emulator)
        try:
            yield card_slot
        finally:
            # Leave the reader empty for the next test (and the next session).
            card_slot.remove()


@pytest.fixture
def pty_pair() -> Iterator[PtyPair]:
    if shutil.which("socat") is None:
        pytest.skip("socat is not installed")
    with PtyPair() as pair:
        yield pair


__all__ = ["VirtualCardSlot", "pcscd", "pty_pair", "virtual_card", "wait_until"]
