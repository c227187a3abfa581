"""What every page of the app shares: the API, the worker that runs its calls, who is logged
in and what they may do."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from client_admin.admin_api import AdminApi
from common.api import ApiClient
from common.api.models import Me
from common.qt.failures import describe_failure, is_expected
from common.qt.worker import Task, Worker

log = logging.getLogger(__name__)


@dataclass
class AppServices:
    api: ApiClient
    admin: AdminApi
    worker: Worker
    me: Me

    def can(self, permission: str) -> bool:
        return permission in self.me.permissions

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
