"""The shared Qt widgets run in the Chinese UI the apps configure (translations, CJK font), on
the offscreen platform, and leave no window behind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from common.qt.app import UiDefaults, configure_application
from common.qt.worker import Worker
from tests.devices import pcscd, pty_pair, virtual_card

# The card reader fixtures, for the Qt bridge's tests of real card events.
__all__ = ["pcscd", "pty_pair", "virtual_card"]


@pytest.fixture(scope="session")
def ui(qapp: QApplication) -> UiDefaults:
    return configure_application(qapp)


@pytest.fixture(autouse=True)
def no_leaked_windows(ui: UiDefaults, qapp: QApplication) -> Iterator[None]:
    """Set up before (so torn down after) qtbot, which closes the widgets it was given."""
    before = {id(w) for w in qapp.topLevelWidgets() if w.isVisible()}
    yield
    qapp.processEvents()
    leaked = [w for w in qapp.topLevelWidgets() if w.isVisible() and id(w) not in before]
    for window in leaked:
        window.close()
    assert not leaked, f"windows left open: {leaked}"


@pytest.fixture
def worker() -> Iterator[Worker]:
    pool = Worker()
    yield pool
    assert pool.shutdown(5000), "a task was still running at the end of the test"
