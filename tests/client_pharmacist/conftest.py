"""The review app against the real server (tests/clients.py): a doctor prescribing through the
API, pharmacists at their workstations (offscreen windows), in the Chinese UI."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtWidgets import QApplication

from client_pharmacist.app import CATALOGUE, I18N_DIR, Workstation
from client_pharmacist.signing_key import ENTRY_PREFIX
from common.offline import ConnectivityMonitor
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


OpenWorkstation = Callable[..., tuple[Workstation, Staff]]


@pytest.fixture
def workstation(no_leaked_windows: None, staff: Callable[..., Staff]
                ) -> Iterator[OpenWorkstation]:
    """A pharmacist logged in (password + TOTP) at a started workstation whose event stream
    is connected. `with_key`: the demo's registered private key is in the keyring."""
    opened: list[Workstation] = []

    def open_workstation(username: str, *, with_key: bool = True) -> tuple[Workstation, Staff]:
        person = staff(username)
        if with_key:
            assert person.account.signing_key
            person.session.store.set(f"{ENTRY_PREFIX}{username}", person.account.signing_key)
        station = Workstation(person.api, person.session,
                              monitor=ConnectivityMonitor(person.api, interval=0.3))
        opened.append(station)
        station.start()
        assert station.events.wait_connected(10), "the event stream did not connect"
        return station, person

    yield open_workstation
    for station in opened:
        station.shutdown()
