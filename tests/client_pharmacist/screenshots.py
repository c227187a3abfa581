"""Screenshots of the pharmacist app's screens for a person to look at (Chinese text, real
data): .rxp/screenshots/client_pharmacist/<name>.png."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = ROOT / ".rxp" / "screenshots" / "client_pharmacist"

# Sizes a person would see at a 1366x768 or larger desk screen.
SIZES = {"review": (1360, 900), "my_reviews": (900, 520), "hospital_queue": (900, 480),
         "spot_checks": (900, 480)}


def save_screenshots(qtbot: QtBot, screens: dict[str, QWidget]) -> list[Path]:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    saved = []
    for name, widget in screens.items():
        qtbot.addWidget(widget)
        if name in SIZES:
            widget.resize(*SIZES[name])
        widget.show()
        qtbot.waitExposed(widget)
        path = SCREENSHOT_DIR / f"{name}.png"
        assert widget.grab().save(str(path)), f"could not write {path}"
        widget.close()
        saved.append(path)
    return saved
