"""The demo launcher: each role's app starts pointed at the demo server; an app not built is
disabled; the accounts show their current TOTP codes."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp

from common.demo import DemoDirectory
from installers.launcher import ROLE_APPS, LauncherWindow, RoleApp
from installers.screenshots import available_apps
from server.seed.demo import DemoGroup


def test_launcher(qtbot, demo: DemoGroup, no_leaked_windows, tmp_path: Path) -> None:
    directory = DemoDirectory("http://127.0.0.1:8741", demo.as_json())
    window = LauncherWindow(directory, tmp_path / "demo.json")
    qtbot.addWidget(window)
    # Every role's app exists now; a package that does not would be offered disabled.
    assert all(window.buttons[r.package].isEnabled() for r in ROLE_APPS)
    assert not any("尚未提供" in window.buttons[r.package].text() for r in ROLE_APPS)
    assert not RoleApp("未建", "client_not_there", "").built
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
