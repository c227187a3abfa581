"""Work-arounds for defects of the PySide6 release in use, applied when `common.qt` is imported
(before any window exists, in every app and test that uses the shared Qt code).

PySide6 6.12.0 `SignalInstance.emit()` and `SignalInstance.disconnect()` return `True` without
taking a reference to it: every call from Python drops one reference of the `True` singleton.
On Python 3.11 (ours) `True` is not immortal, so after a few hundred emits the interpreter
aborts with "Fatal Python error: bool_dealloc: deallocating True or False" (Python 3.12 made the
singletons immortal, which hides the bug there). Each patch first measures whether the running
PySide6 has the defect and only then adds the missing reference, so a fixed release is left
alone.
"""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

PROBES = 16
_installed: list[str] = []


class _Probe(QObject):
    ping = Signal()


def _ignore() -> None:
    pass


def _drops_a_true_per_call(call: Callable[[], object]) -> bool:
    before = sys.getrefcount(True)
    for _ in range(PROBES):
        call()
    return sys.getrefcount(True) - before == -PROBES


def _with_owned_result(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: SignalInstance, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        if result is True or result is False:
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))  # the reference PySide forgot
        return result

    return wrapper


def install() -> list[str]:
    """Patch what is broken; returns the names patched (idempotent)."""
    if _installed:
        return list(_installed)
    probe = _Probe()

    def connect_and_disconnect() -> None:
        probe.ping.connect(_ignore)
        probe.ping.disconnect(_ignore)

    checks: dict[str, Callable[[], object]] = {
        "emit": probe.ping.emit,
        "disconnect": connect_and_disconnect,
    }
    for name, call in checks.items():
        if _drops_a_true_per_call(call):
            for _ in range(PROBES):  # give back what the measurement itself dropped
                ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
            setattr(SignalInstance, name, _with_owned_result(getattr(SignalInstance, name)))
            _installed.append(f"SignalInstance.{name}")
    probe.deleteLater()
    return list(_installed)
