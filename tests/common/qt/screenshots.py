"""Screenshots of the shared widgets with demo-like data, for a person to look at: Chinese must
render as text, not as empty boxes. Written to .rxp/screenshots/common/<name>.png."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QWidget

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOT_DIR = ROOT / ".rxp" / "screenshots" / "common"


def save_screenshot(name: str, *widgets: QWidget) -> Path:
    """One PNG of the widgets stacked top to bottom (a popup is a window of its own, so a
    search box and its popup are two grabs)."""
    images = [w.grab().toImage() for w in widgets]
    width = max(image.width() for image in images)
    height = sum(image.height() for image in images)
    sheet = QImage(width, height, QImage.Format.Format_ARGB32)
    sheet.fill(QColor("white"))
    painter = QPainter(sheet)
    y = 0
    for image in images:
        painter.drawImage(0, y, image)
        y += image.height()
    painter.end()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    assert sheet.save(str(path)), f"could not write {path}"
    return path
