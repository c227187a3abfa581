"""What every view of the app shares: the API, the worker that runs its calls, the signing
keys, who is logged in, the clock; and the bridge that brings the background threads' news
(live events, connectivity) onto the GUI thread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from client_pharmacist.signing_key import SigningKeyStore
from common.api import ApiClient
from common.api.models import LiveEvent, Me
from common.offline.monitor import Connectivity
from common.qt.clock import Clock, utc_now
from common.qt.failures import describe_failure, is_expected
from common.qt.worker import Task, Worker

log = logging.getLogger(__name__)

# Levels that may spot-check and reassign (the server decides; this only shapes the UI).
SENIOR_LEVELS = frozenset({"supervising_pharmacist", "associate_chief_pharmacist",
                           "chief_pharmacist"})


@dataclass
class AppServices:
    api: ApiClient
    worker: Worker
    keys: SigningKeyStore
    me: Me
    senior: bool = False
    clock: Clock = utc_now

    def run(self, fn: Callable[[], Any], on_success: Callable[[Any], None],
            on_failure: Callable[[BaseException], None]) -> Task:
        """`fn` on the worker; exactly one of the handlers runs on the GUI thread."""
        task = self.worker.submit(fn)
        task.succeeded.connect(on_success)
        task.failed.connect(on_failure)
        return task


def failure_text(exc: BaseException) -> str:
    """The server's Chinese message, or a generic sentence (then the fault is logged)."""
    if not is_expected(exc):
        log.error("call failed", exc_info=exc)
    return describe_failure(exc).message


class LiveBridge(QObject):
    """Called from the event subscriber's and the connectivity monitor's threads; re-emits on
    the GUI thread (a signal of an object living there is delivered queued)."""

    event_received = Signal(object)  # LiveEvent
    connectivity_changed = Signal(object)  # Connectivity
    stream_changed = Signal(bool)  # the live event stream (re)connected, or dropped

    def on_event(self, event: LiveEvent) -> None:
        self.event_received.emit(event)

    def on_connectivity(self, state: Connectivity) -> None:
        self.connectivity_changed.emit(state)

    def on_stream(self, connected: bool) -> None:
        self.stream_changed.emit(connected)
