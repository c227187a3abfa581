"""The kiosk against the real server (uvicorn on the test's database) and the real device
stacks: pcscd + vpcd + the card emulator, and a pty printer with the printer simulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from common.qt.app import UiDefaults, configure_application
from installers.pgcluster import free_port
from kiosk.texts import CATALOGUES
from server.core.clock import FakeClock
from server.settings import Settings
from tests.clients import ServerThread, clock, settings
from tests.devices import pcscd, pty_pair, virtual_card

__all__ = ["clock", "pcscd", "pty_pair", "settings", "virtual_card"]


@pytest.fixture
def live_server(settings: Settings, clock: FakeClock) -> Iterator[ServerThread]:
    """The server whose sandbox gateway calls back to itself: the kiosk sees an order paid."""
    port = free_port()
    public = settings.model_copy(update={"public_base_url": f"http://127.0.0.1:{port}"})
    server = ServerThread(public, clock, port)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ui(qapp: QApplication) -> UiDefaults:
    return configure_application(qapp, catalogues=CATALOGUES, require_cjk_font=True)


@pytest.fixture
def no_leaked_windows(ui: UiDefaults, qapp: QApplication) -> Iterator[None]:
    before = {id(w) for w in qapp.topLevelWidgets() if w.isVisible()}
    yield
    qapp.processEvents()
    leaked = [w for w in qapp.topLevelWidgets() if w.isVisible() and id(w) not in before]
    for window in leaked:
        window.close()
    assert not leaked, f"windows left open: {leaked}"
