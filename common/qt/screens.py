"""Screenshots of the apps' screens with demo data, for people to look at (Chinese must render
as text, real data must show). Each app exposes `screenshots(demo) -> dict[name, QWidget]`
(`installers/screenshots.py` lists the apps); this module waits for widgets to fill and saves
them as PNG."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop
from PySide6.QtWidgets import QWidget


class NotReady(TimeoutError):
    pass


def wait_until(condition: Callable[[], bool], *, timeout: float = 20.0,
               what: str = "the screen") -> None:
    """Run the event loop until `condition()` holds (qtbot.waitUntil outside the tests)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise NotReady(f"timed out waiting for {what}")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)


def settle() -> None:
    """Deliver what is queued (layouts, deferred deletes) before a grab."""
    for _ in range(5):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        # processEvents() leaves deleteLater() to the event loop it was called from; a
        # replaced widget would otherwise be in the picture.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()


def save_screen(widget: QWidget, path: Path) -> Path:
    """Show (offscreen), lay out and grab `widget` into `path`."""
    if not widget.isVisible():
        widget.show()
    settle()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    return path
