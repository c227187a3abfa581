"""The doctor app's tests: presenters alone, and the real app (offscreen) against the real
server from tests/clients.py, in the Chinese UI, leaving no window behind."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from client_doctor.app import CATALOGUE, I18N_DIR, DoctorApp
from common.auth import CredentialStore
from common.qt.app import UiDefaults, configure_application
from server.seed.demo import DemoGroup
from tests.clients import (
    ServerThread,
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


@pytest.fixture
def doctor_app(no_leaked_windows: None, make_api: Callable[..., Any], live_server: ServerThread,
               memory_keyring: Any, demo: DemoGroup, tmp_path: Path
               ) -> Iterator[Callable[..., DoctorApp]]:
    """The app as `python -m client_doctor` builds it, on the test server, with the demo
    doctors' registered signing keys available (as `--demo-file` gives them)."""
    made: list[DoctorApp] = []

    def make(**kw: Any) -> DoctorApp:
        api = make_api()
        keys = {a.username: a.signing_key for a in demo.accounts if a.signing_key}
        kw.setdefault("demo_keys", keys)
        kw.setdefault("probe_interval", 0.2)
        app = DoctorApp(api, data_dir=tmp_path / f"doctor{len(made)}",
                        store=CredentialStore(api.base_url), **kw)
        made.append(app)
        return app

    yield make
    for app in made:
        app.shutdown()
        app.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()
