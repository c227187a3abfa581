"""What the pages share: a message line, server calls on the worker with their failures
shown there, read-only tables filled from rows, and a reason asked before a status change."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QInputDialog,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)
from shiboken6 import isValid

from client_admin.ui.services import AppServices, failure_text
from common.qt.worker import Task

ERROR_STYLE = "color: #b71c1c; font-weight: bold;"
INFO_STYLE = "color: #1b5e20;"


class Page(QWidget):
    """A tab of the main window. `load()` (re)reads what the page shows; `busy` is true while
    one of its calls runs (tests wait on it)."""

    busy_changed = Signal(bool)

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.pending = 0
        self.loaded = False
        self._latest: dict[str, int] = {}  # per `latest` name: the newest call's number

    @property
    def busy(self) -> bool:
        return self.pending > 0

    def load(self) -> None:
        self.loaded = True

    def call(self, fn: Callable[[], Any], on_success: Callable[[Any], None],
             on_failure: Callable[[BaseException], None] | None = None, *,
             latest: str | None = None) -> Task:
        """`fn` on the worker; `on_success` or `on_failure` (default: the message line) on the
        GUI thread. An answer arriving after the page was closed and deleted is dropped.

        `latest` names what the call reads for the user's current choice (a department's
        rights, a filter's rows): once a newer call of that name is made, this one's answer is
        dropped too. Calls answer in any order; without it, a slow answer for the department
        chosen before would show, and be edited and saved, under the one chosen since."""
        ticket = 0
        if latest is not None:
            ticket = self._latest[latest] = self._latest.get(latest, 0) + 1

        def superseded() -> bool:
            return latest is not None and self._latest[latest] != ticket

        self.pending += 1
        if self.pending == 1:
            self.busy_changed.emit(True)

        def done() -> None:
            if not isValid(self):
                return
            self.pending -= 1
            if self.pending == 0:
                self.busy_changed.emit(False)

        def succeeded(value: Any) -> None:
            if isValid(self) and not superseded():
                on_success(value)

        def failed(exc: BaseException) -> None:
            if not isValid(self) or superseded():
                return
            if on_failure is not None:
                on_failure(exc)
            else:
                self.show_error(failure_text(exc))

        task = self.services.run(fn, succeeded, failed)
        task.finished.connect(done)
        return task

    def show_error(self, text: str) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)

    def show_info(self, text: str) -> None:
        self.message.setStyleSheet(INFO_STYLE)
        self.message.setText(text)

    def ask_reason(self, title: str) -> str | None:
        text, ok = QInputDialog.getText(self, title, self.tr("Reason:"))
        return text.strip() if ok and text.strip() else None


def make_table(headers: Sequence[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def fill_table(table: QTableWidget, rows: Sequence[Sequence[str]],
               colours: Sequence[str | None] | None = None) -> None:
    """Replace the table's rows; `colours[i]` paints row i's text (None: default)."""
    table.setRowCount(0)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if colours and colours[r]:
                item.setForeground(QColor(colours[r]))
            table.setItem(r, c, item)


def cell_text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""


def local_time(value: str | None) -> str:
    """An ISO time from the server in local time, to the minute."""
    if not value:
        return "—"
    return f"{datetime.fromisoformat(value).astimezone():%Y-%m-%d %H:%M}"
