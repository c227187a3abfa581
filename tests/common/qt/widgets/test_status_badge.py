"""A status code shown as its label (data from the server) in its colour."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from common.qt.widgets.status_badge import STATUS_COLOURS, StatusBadge, status_styles
from tests.common.qt.screenshots import save_screenshot

# As the server sends them (server/prescriptions/lifecycle.py STATUS_LABELS).
LABELS = {"under_review": "药师审核中", "approved": "审核通过", "rejected": "审核驳回",
          "ready_for_pickup": "待取药", "settled": "已结算", "voided": "已作废"}


def test_label_and_colour(qtbot: QtBot) -> None:
    badge = StatusBadge(status_styles(LABELS), "rejected")
    qtbot.addWidget(badge)
    badge.show()
    assert badge.text() == "审核驳回"
    assert badge.code == "rejected"
    centre = badge.grab().toImage().pixelColor(4, badge.height() // 2)
    assert centre == QColor(STATUS_COLOURS["rejected"])
    badge.set_status("approved")
    assert badge.text() == "审核通过"


def test_unknown_code_is_shown_as_itself() -> None:
    styles = status_styles({"on_hold": "暂停"}, colours={})
    assert styles["on_hold"].colour == "#9e9e9e"
    badge = StatusBadge(styles, "returned")
    assert badge.text() == "returned"
    badge.set_status(None)
    assert badge.text() == ""


def test_screenshot(qtbot: QtBot) -> None:
    row = QWidget()
    qtbot.addWidget(row)
    layout = QHBoxLayout(row)
    for code in [*LABELS, "new_status"]:
        layout.addWidget(StatusBadge(status_styles(LABELS), code))
    row.show()
    qtbot.waitExposed(row)
    save_screenshot("status_badge", row)
