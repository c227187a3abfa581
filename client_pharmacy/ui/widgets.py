"""Small pieces the counter's screens share: tables, styles, and the words for the server's
codes and the app's own sentences (through Qt's translations: source English, Chinese in
`client_pharmacy/i18n`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QTableWidgetItem

# Module-level calls lupdate can read (it extracts `translate("Context", "text")`).
translate = QCoreApplication.translate

OK_STYLE = "color: #2e7d32; font-weight: bold;"
ERROR_STYLE = "color: #c62828; font-weight: bold; font-size: 14pt;"
BUSY_STYLE = "color: #555555;"
ALERT_STYLE = "background: #fff3e0; color: #e65100; font-weight: bold; padding: 6px;"
READ_ONLY_STYLE = "color: #555555; background: #f2f2f2; padding: 2px 4px;"
# The stores' wall clock (the server keeps UTC; the business day is Asia/Shanghai's).
CHINA = ZoneInfo("Asia/Shanghai")


def table(headers: list[str]) -> QTableWidget:
    widget = QTableWidget(0, len(headers))
    widget.setHorizontalHeaderLabels(headers)
    widget.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    widget.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    widget.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    widget.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    widget.verticalHeader().setVisible(False)
    return widget


def fill(widget: QTableWidget, rows: list[list[str]]) -> None:
    widget.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            widget.setItem(r, c, QTableWidgetItem(text))


def cell(widget: QTableWidget, row: int, column: int) -> str:
    item = widget.item(row, column)
    return item.text() if item is not None else ""


def say(label: QLabel, text: str, style: str) -> None:
    label.setStyleSheet(style)
    label.setText(text)


def mode_label(mode: str) -> str:
    labels = {
        "store_pickup": translate("PharmacyLabels", "Store pickup"),
        "courier": translate("PharmacyLabels", "Courier delivery"),
        "hospital_delivery": translate("PharmacyLabels", "Delivery to the hospital"),
    }
    return labels.get(mode, mode)


def inbox_status_label(order: Mapping[str, Any]) -> str:
    """The status as the store needs it: an order still to accept says so (the server's label
    is the patient's, "with the pharmacy", from the moment it is chosen)."""
    if order["accepted_at"] is None and order["state"] == "active":
        return translate("PharmacyLabels", "Waiting to be accepted")
    return str(order["status"]["label"])


def paid_label(paid: bool) -> str:
    return translate("PharmacyLabels", "Paid") if paid else translate("PharmacyLabels", "Unpaid")


def countdown_text(seconds: int | None) -> str:
    if seconds is None:
        return translate("PharmacyLabels", "Accepted")
    if seconds <= 0:
        return translate("PharmacyLabels", "Timed out")
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def weekday_label(day: str) -> str:
    labels = {
        "1": translate("PharmacyLabels", "Monday"),
        "2": translate("PharmacyLabels", "Tuesday"),
        "3": translate("PharmacyLabels", "Wednesday"),
        "4": translate("PharmacyLabels", "Thursday"),
        "5": translate("PharmacyLabels", "Friday"),
        "6": translate("PharmacyLabels", "Saturday"),
        "7": translate("PharmacyLabels", "Sunday"),
    }
    return labels.get(day, day)


def working_text() -> str:
    return translate("PharmacyLabels", "Working…")


def fill_args(text: str, *args: object) -> str:
    """`%1`, `%2`… of a translated sentence (Qt's placeholders, so translators may reorder)."""
    for i, arg in reversed(list(enumerate(args, start=1))):
        text = text.replace(f"%{i}", str(arg))
    return text


def local_time(value: str) -> str:
    """An ISO timestamp from the server as the store's wall clock, to the minute."""
    return datetime.fromisoformat(value).astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def store_day(value: str) -> date:
    """The stores' business day (Asia/Shanghai) of an ISO timestamp from the server."""
    return datetime.fromisoformat(value).astimezone(CHINA).date()
