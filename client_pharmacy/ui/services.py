"""What every screen of the counter shares: the API, the workers that run its calls off the GUI
thread, who is logged in; and how a failed call is told to the user.

Two workers: reads and independent actions on a small pool; the dispensing screen's writes
(scans, not dispensed, complete) and the counter's actions on a pool of one, so codes from a
fast scanner reach the server in the order they were scanned and each scan sees the order the
one before left, and the counter shows the answer to the last code scanned, last.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject

from common.api import ApiClient
from common.api.models import Me
from common.qt.failures import describe_failure, is_expected
from common.qt.worker import Task, Worker

log = logging.getLogger(__name__)


@dataclass
class CounterServices:
    api: ApiClient
    me: Me
    owner: QObject | None = None
    worker: Worker = field(init=False)
    in_order: Worker = field(init=False)

    def __post_init__(self) -> None:
        self.worker = Worker(self.owner, max_threads=4)
        self.in_order = Worker(self.owner, max_threads=1)

    def run(self, fn: Callable[[], Any], on_success: Callable[[Any], None],
            on_failure: Callable[[BaseException], None], *, in_order: bool = False) -> Task:
        """`fn` on a worker; exactly one of the handlers runs, on the GUI thread."""
        task = (self.in_order if in_order else self.worker).submit(fn)
        task.succeeded.connect(on_success)
        task.failed.connect(on_failure)
        return task

    @property
    def pending(self) -> int:
        return self.worker.pending + self.in_order.pending

    def shutdown(self) -> None:
        self.worker.shutdown()
        self.in_order.shutdown()


def failure_text(exc: BaseException) -> str:
    """The server's Chinese message, or a generic sentence (then the fault is logged)."""
    if not is_expected(exc):
        log.error("call failed", exc_info=exc)
    return describe_failure(exc).message
