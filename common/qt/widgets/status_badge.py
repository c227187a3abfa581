"""A prescription's status as a coloured badge with its Chinese label.

The labels are data the app passes in (the server's vocabulary, `GET` it or keep a copy); the
colours are the UI's and default to `STATUS_COLOURS`. An unknown code is shown as itself, in
grey, rather than hidden: a status newer than the app is still visible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

UNKNOWN_COLOUR = "#9e9e9e"

# Grouped by what the status asks of the people watching: in review blue, waiting for the
# patient teal, with the pharmacy indigo, on its way purple, done green, refused red, ended grey.
STATUS_COLOURS: Mapping[str, str] = {
    "draft": "#757575",
    "submitted": "#1565c0",
    "auto_checked": "#1565c0",
    "under_review": "#1565c0",
    "approved": "#00838f",
    "awaiting_patient_choice": "#00838f",
    "ordered": "#3949ab",
    "accepted": "#3949ab",
    "dispensing": "#3949ab",
    "partly_dispensed": "#ef6c00",
    "ready_for_pickup": "#6a1b9a",
    "dispatched": "#6a1b9a",
    "collected": "#2e7d32",
    "delivered": "#2e7d32",
    "settled": "#2e7d32",
    "rejected": "#c62828",
    "voided": "#424242",
    "expired": "#424242",
    "not_dispensed": "#ef6c00",
}


@dataclass(frozen=True)
class StatusStyle:
    label: str
    colour: str  # background; the text is white
    text_colour: str = "#ffffff"


def status_styles(labels: Mapping[str, str],
                  colours: Mapping[str, str] = STATUS_COLOURS) -> dict[str, StatusStyle]:
    """Join the server's labels with colours, keyed by status code."""
    return {code: StatusStyle(label, colours.get(code, UNKNOWN_COLOUR))
            for code, label in labels.items()}


def style_for(styles: Mapping[str, StatusStyle], code: str) -> StatusStyle:
    return styles.get(code) or StatusStyle(code, UNKNOWN_COLOUR)


class StatusBadge(QLabel):
    def __init__(self, styles: Mapping[str, StatusStyle], code: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._styles = dict(styles)
        self.code: str | None = None
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.set_status(code)

    def set_status(self, code: str | None) -> None:
        self.code = code
        if code is None:
            self.clear()
            self.setStyleSheet("")
            return
        style = style_for(self._styles, code)
        self.setText(style.label)
        self.setToolTip(code)
        self.setStyleSheet(f"background: {style.colour}; color: {style.text_colour}; "
                           "padding: 2px 8px; border-radius: 8px;")
