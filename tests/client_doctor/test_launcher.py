"""The demo launcher: each role's app starts pointed at the demo server; apps not built yet
are disabled; the accounts show their current TOTP codes."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp

from common.demo import DemoDirectory
from installers.launcher import ROLE_APPS, LauncherWindow
from installers.screenshots import available_apps
from server.seed.demo import DemoGroup


def test_launcher(qtbot, demo: DemoGroup, no_leaked_windows, tmp_path: Path) -> None:
    directory = DemoDirectory("http://127.0.0.1:8741", demo.as_json())
    window = LauncherWindow(directory, tmp_path / "demo.json")
    qtbot.addWidget(window)
    assert window.buttons["client_doctor"].isEnabled()
    assert window.buttons["client_pharmacist"].isEnabled()
    assert not window.buttons["client_admin"].isEnabled()  # not built yet
    assert "尚未提供" in window.buttons["client_admin"].text()
    doctor = next(r for r in ROLE_APPS if r.package == "client_doctor")
    assert window.command(doctor) == [
        sys.executable, "-m", "client_doctor", "--server", "http://127.0.0.1:8741",
        "--workstation-id", "DEMO", "--demo-file", str(tmp_path / "demo.json"),
        "--username", "doctor_wang"]
    row = next(i for i, a in enumerate(demo.accounts) if a.username == "doctor_wang")
    code = window.table.item(row, 4)
    assert code is not None
    totp = pyotp.TOTP(demo.account("doctor_wang").totp_secret)
    now = datetime.now(UTC)
    assert code.text() in {totp.at(now), totp.at(now - timedelta(seconds=30))}


def test_screenshot_registry_lists_the_apps_that_exist() -> None:
    apps = available_apps()
    assert apps["doctor"] == "client_doctor.screenshots"
    # Listed only when the app has its screenshots module.
    assert all(importlib.util.find_spec(module) for module in apps.values())
