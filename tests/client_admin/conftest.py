"""The administration app against the real server (tests/clients.py): administrators at
their workstations (offscreen windows, password + TOTP), in the Chinese UI."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from client_admin.app import CATALOGUE, I18N_DIR, Workstation
from client_admin.ui.page import Page
from common.qt.app import UiDefaults, configure_application
from tests.clients import (
    Staff,
    api,
    clock,
    live_server,
    make_api,
    memory_keyring,
    settings,
    staff,
)

__all__ = ["api", "clock", "live_server", "make_api", "memory_keyring", "settings", "staff"]


@pytest.fixture(scope="session")
def ui(qapp: QApplication) -> UiDefaults:
    return configure_application(qapp, catalogues=[(CATALOGUE, I18N_DIR)])


@pytest.fixture
def no_leaked_windows(ui: UiDefaults, qapp: QApplication) -> Iterator[None]:
    before = {id(w) for w in qapp.topLevelWidgets() if w.isVisible()}
    yield
    qapp.processEvents()
    leaked = [w for w in qapp.topLevelWidgets() if w.isVisible() and id(w) not in before]
    for window in leaked:
        window.close()
    assert not leaked, f"windows left open: {leaked}"


OpenWorkstation = Callable[[str], tuple[Workstation, Staff]]


@pytest.fixture
def workstation(no_leaked_windows: None, staff: Callable[..., Staff]
                ) -> Iterator[OpenWorkstation]:
    """An administrator logged in (password + TOTP) at a started workstation."""
    opened: list[Workstation] = []

    def open_workstation(username: str) -> tuple[Workstation, Staff]:
        person = staff(username)
        station = Workstation(person.api, person.session)
        opened.append(station)
        station.start()
        return station, person

    yield open_workstation
    for station in opened:
        station.shutdown()


def settled(qtbot: QtBot, page: Page, timeout: int = 15_000) -> None:
    """Wait until the page's calls have answered."""
    qtbot.waitUntil(lambda: not page.busy, timeout=timeout)
