"""Touch widgets of the kiosk: large buttons, an on-screen number keypad, a QR code, and the
high-contrast style sheet."""

from __future__ import annotations

import qrcode
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

# Black on white, one strong blue for actions, yellow for what needs attention: readable at
# arm's length and by older patients; every target at least 80 px high.
STYLE = """
QWidget { background: #ffffff; color: #000000; font-size: 26px; }
QLabel#title { font-size: 44px; font-weight: bold; color: #002c6e; }
QLabel#big { font-size: 64px; font-weight: bold; color: #002c6e; }
QLabel#message { font-size: 30px; background: #fff3b0; color: #000000; padding: 12px;
                 border: 3px solid #b38600; }
QLabel#hint { font-size: 24px; color: #333333; }
QPushButton { background: #0047b3; color: #ffffff; font-size: 30px; font-weight: bold;
              min-height: 80px; border-radius: 10px; padding: 8px 24px; }
QPushButton:checked { background: #ffcc00; color: #000000; border: 4px solid #000000; }
QPushButton:disabled { background: #9aa5b8; color: #eeeeee; }
QPushButton#secondary { background: #ffffff; color: #0047b3; border: 3px solid #0047b3; }
QPushButton#staff { background: #ffffff; color: #999999; font-size: 16px; min-height: 40px;
                    border: none; }
QPushButton#option { text-align: left; font-size: 24px; font-weight: normal; min-height: 100px; }
QLineEdit { font-size: 34px; min-height: 70px; border: 3px solid #000000; padding: 4px 12px; }
"""


def label(text: str = "", name: str | None = None, *, wrap: bool = True) -> QLabel:
    widget = QLabel(text)
    widget.setWordWrap(wrap)
    if name:
        widget.setObjectName(name)
    return widget


def button(text: str, *, secondary: bool = False, name: str | None = None) -> QPushButton:
    widget = QPushButton(text)
    widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    widget.setObjectName(name or ("secondary" if secondary else ""))
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # touch: no focus rectangles
    return widget


def clear_layout(layout: QLayout) -> None:
    """Delete every widget in `layout` (the patient's data goes with them)."""
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            break
        widget = item.widget()
        inner = item.layout()
        if widget is not None:
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()
        elif inner is not None:
            clear_layout(inner)
            inner.deleteLater()


class Keypad(QWidget):
    """Digits for a `QLineEdit` without a keyboard; `extra` adds a key (X for ID numbers)."""

    submitted = Signal(str)

    def __init__(self, target: QLineEdit, *, extra: str | None = None,
                 submit_text: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target = target
        grid = QGridLayout(self)
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", extra or "", "0", "⌫"]
        self.keys: dict[str, QPushButton] = {}
        for i, key in enumerate(keys):
            if not key:
                continue
            widget = button(key)
            widget.setMinimumSize(QSize(120, 90))
            widget.clicked.connect(lambda _=False, k=key: self.press(k))
            grid.addWidget(widget, i // 3, i % 3)
            self.keys[key] = widget
        clear = button(self.tr("Clear"), secondary=True)
        clear.clicked.connect(target.clear)
        ok = button(submit_text or self.tr("OK"))
        ok.clicked.connect(lambda: self.submitted.emit(self.target.text()))
        grid.addWidget(clear, 4, 0)
        grid.addWidget(ok, 4, 1, 1, 2)
        self.ok = ok

    def press(self, key: str) -> None:
        if key == "⌫":
            self.target.backspace()
        elif len(self.target.text()) < (self.target.maxLength() or 32):
            self.target.insert(key)


class QrView(QWidget):
    """A QR code drawn from its module matrix (sharp at any size, no image files)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.matrix: list[list[bool]] = []
        self.data = ""
        self.setMinimumSize(280, 280)

    def set_data(self, data: str) -> None:
        self.data = data
        if data:
            code = qrcode.QRCode(border=2)
            code.add_data(data)
            code.make(fit=True)
            self.matrix = code.get_matrix()
        else:
            self.matrix = []
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        if self.matrix:
            side = min(self.width(), self.height())
            cell = side / len(self.matrix)
            for y, row in enumerate(self.matrix):
                for x, dark in enumerate(row):
                    if dark:
                        painter.fillRect(QRectF(x * cell, y * cell, cell, cell),
                                         QColor("black"))
        painter.end()


def page() -> tuple[QWidget, QVBoxLayout]:
    widget = QWidget()
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(48, 32, 48, 32)
    layout.setSpacing(20)
    return widget, layout
