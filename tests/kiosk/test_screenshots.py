"""Every kiosk screen rendered with demo data against the real server, saved for people to look
at in .rxp/screenshots/kiosk/ (Chinese must render as text)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QWidget

from common.qt.app import UiDefaults
from kiosk import screenshots
from server.core.clock import FakeClock
from server.seed.demo import DemoGroup
from tests.clients import ServerThread
from tests.kiosk.rig import approved_prescription

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = ROOT / ".rxp" / "screenshots" / "kiosk"


@dataclass
class DemoData:
    """The shape of `common.demo.DemoDirectory` that `kiosk.screenshots` reads."""

    base_url: str
    data: dict[str, Any] = field(default_factory=dict)


def save(name: str, widget: QWidget) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    assert widget.grab().save(str(path)), f"could not write {path}"
    return path


def test_every_kiosk_screen_renders(ui: UiDefaults, qapp: QApplication,
                                    live_server: ServerThread, demo: DemoGroup,
                                    clock: FakeClock) -> None:
    approved_prescription(live_server, demo, clock)
    try:
        screens = screenshots.screenshots(DemoData(live_server.url, demo.as_json()))
        assert set(screens) == {"home", "identifying", "home_sms_keypad", "card_error",
                                "prescriptions", "choose_courier", "pay", "pay_qr",
                                "done_printer_fault", "status", "out_of_service",
                                "maintenance"}
        for name, widget in screens.items():
            path = save(name, widget)
            assert path.stat().st_size > 10_000  # a real picture, not an empty window
            # Nothing pushed the portrait screen wider (a button's text does not wrap).
            assert widget.width() == screenshots.SIZE[0], (name, widget.width())
            widget.deleteLater()
    finally:
        screenshots.close_all()
    assert ui.font_family  # a CJK font drew the Chinese
