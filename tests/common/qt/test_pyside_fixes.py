"""Signals can be emitted and disconnected any number of times without eating the `True`
singleton's references (PySide6 6.12 on Python 3.11 aborts the process otherwise)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

import common.qt  # noqa: F401 (applies the fixes)
from common.qt import pyside_fixes


class Beacon(QObject):
    flag = Signal(bool)
    ping = Signal()


def ignore(*_args: object) -> None:
    pass


def drift(call: Callable[[], object], times: int) -> int:
    """How much True's reference count moves per `times` calls, after a warm-up (a first
    call may keep a reference in a cache)."""
    call()
    before = sys.getrefcount(True)
    for _ in range(times):
        call()
    return sys.getrefcount(True) - before


def test_emit_keeps_true_alive() -> None:
    beacon = Beacon()
    beacon.flag.connect(ignore)
    assert drift(lambda: beacon.flag.emit(True), 2000) == 0
    assert drift(beacon.ping.emit, 2000) == 0


def test_disconnect_keeps_true_alive() -> None:
    beacon = Beacon()

    def connect_and_disconnect() -> None:
        beacon.ping.connect(ignore)
        assert beacon.ping.disconnect(ignore) is True

    assert drift(connect_and_disconnect, 200) == 0


def test_install_is_idempotent() -> None:
    assert pyside_fixes.install() == pyside_fixes.install()


def test_a_busy_process_survives_to_its_end() -> None:
    """The defect shows as an abort (at exit at the latest), so run a process to its end."""
    script = (
        "import common.qt\n"
        "from PySide6.QtCore import QObject, Signal\n"
        "class Beacon(QObject):\n"
        "    ping = Signal()\n"
        "beacon = Beacon()\n"
        "for _ in range(20000):\n"
        "    beacon.ping.emit()\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr[-500:]
