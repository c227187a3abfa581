"""The review queue as a table: worst level first, a countdown per task, overdue ones red.

Also used, with an assignee column, for a senior pharmacist's list of the hospital's open tasks.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client_pharmacist.queue import QueueRow, shown_level
from client_pharmacist.ui.labels import drug_class_label, visit_type_label
from common.qt.clock import Clock, utc_now
from common.qt.widgets import CountdownLabel, CountdownState, level_style

TASK_ID_ROLE = Qt.ItemDataRole.UserRole
DUE_SOON = timedelta(minutes=3)


def level_chip(level: int | None) -> QLabel:
    style = level_style(shown_level(level))
    chip = QLabel(style.label)
    chip.setObjectName("level")
    chip.setAlignment(Qt.AlignmentFlag.AlignCenter)
    chip.setStyleSheet(f"background: {style.background}; color: {style.foreground}; "
                       "padding: 1px 6px; border-radius: 3px; margin: 2px;")
    return chip


class QueueTable(QTableWidget):
    """One row per task; `task_chosen` on a click or Enter."""

    task_chosen = Signal(object)  # uuid.UUID

    def __init__(self, *, with_assignee: bool = False, clock: Clock = utc_now,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._with_assignee = with_assignee
        headers = [self.tr("Prescription"), self.tr("Visit"), self.tr("Worst warning"),
                   self.tr("Drug classes"), self.tr("Time left")]
        if with_assignee:
            headers.append(self.tr("Assigned to"))
        self.setColumnCount(len(headers))
        self.setHorizontalHeaderLabels(headers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.rows: list[QueueRow] = []
        self.countdowns: dict[uuid.UUID, CountdownLabel] = {}
        self.cellClicked.connect(self._on_cell_clicked)
        self.itemActivated.connect(self._on_item_activated)

    def set_rows(self, rows: Sequence[QueueRow]) -> None:
        selected = self.selected_task()
        self.rows = list(rows)
        self.countdowns = {}
        self.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            number = QTableWidgetItem(row.prescription_number)
            number.setData(TASK_ID_ROLE, row.task_id)
            if row.escalated:
                number.setText(self.tr("%1 (escalated)").replace("%1", row.prescription_number))
            self.setItem(i, 0, number)
            self.setItem(i, 1, QTableWidgetItem(visit_type_label(row.visit_type)))
            self.setCellWidget(i, 2, level_chip(row.worst_level))
            self.setItem(i, 3, QTableWidgetItem(
                "、".join(drug_class_label(c) for c in row.drug_classes)))
            countdown = CountdownLabel(clock=self._clock, due_soon=DUE_SOON)
            countdown.setObjectName("countdown")
            countdown.set_deadline(row.deadline)
            self.setCellWidget(i, 4, countdown)
            self.countdowns[row.task_id] = countdown
            if self._with_assignee:
                self.setItem(i, 5, QTableWidgetItem(row.assigned_to_name or self.tr("Nobody")))
        if selected is not None:
            self.select(selected)

    def select(self, task_id: uuid.UUID) -> bool:
        for i, row in enumerate(self.rows):
            if row.task_id == task_id:
                self.selectRow(i)
                return True
        return False

    def selected_task(self) -> uuid.UUID | None:
        rows = self.selectionModel().selectedRows() if self.selectionModel() else []
        if not rows or rows[0].row() >= len(self.rows):
            return None
        return self.rows[rows[0].row()].task_id

    def overdue_count(self) -> int:
        return sum(1 for c in self.countdowns.values() if c.state is CountdownState.OVERDUE)

    def _on_cell_clicked(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.rows):
            self.task_chosen.emit(self.rows[row].task_id)

    def _on_item_activated(self, item: QTableWidgetItem) -> None:
        self._on_cell_clicked(item.row(), item.column())


class QueueView(QWidget):
    """The pharmacist's own queue, with a heading that counts tasks and overdue ones."""

    def __init__(self, *, clock: Clock = utc_now, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel()
        self.heading.setObjectName("heading")
        self.heading.setStyleSheet("font-weight: bold;")
        self.duty_note = QLabel()
        self.duty_note.setObjectName("duty_note")
        self.duty_note.setWordWrap(True)
        self.duty_note.setStyleSheet("color: #e65100;")
        self.duty_note.hide()
        self.table = QueueTable(clock=clock)
        self.task_chosen = self.table.task_chosen
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.heading)
        box.addWidget(self.duty_note)
        box.addWidget(self.table, 1)
        self.set_rows([])

    def set_rows(self, rows: Sequence[QueueRow]) -> None:
        self.table.set_rows(rows)
        overdue = self.table.overdue_count()
        text = self.tr("Waiting for review: %1").replace("%1", str(len(rows)))
        if overdue:
            text += "  " + self.tr("Overdue: %1").replace("%1", str(overdue))
        self.heading.setText(text)

    def set_duty_note(self, text: str) -> None:
        self.duty_note.setText(text)
        self.duty_note.setVisible(bool(text))
