"""Senior pharmacists (主管药师 and above): the hospital's open tasks, to reassign or to open;
and other pharmacists' approvals, to spot-check as correct or approved in error."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from client_pharmacist.queue import row_from
from client_pharmacist.ui.history_view import local_time
from client_pharmacist.ui.labels import level_label, spot_check_label, visit_type_label
from client_pharmacist.ui.queue_view import QueueTable
from client_pharmacist.ui.services import AppServices, failure_text
from common.api.models import OpenTaskPage, Pharmacist, ReviewTask, SpotCheckPage
from common.qt.worker import LatestOnly

ERROR_STYLE = "color: #c62828;"
OK_STYLE = "color: #2e7d32;"


class SeniorView(QTabWidget):
    task_chosen = Signal(object)  # uuid: open this task in the review screen
    message = Signal(str)

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        # Toggled twice quickly, the list shows the answer for the box as it is now.
        self._spot_checks = LatestOnly(services.worker, self)
        self._spot_checks.succeeded.connect(self._on_spot_checks_loaded)
        self._spot_checks.failed.connect(self._on_failed)
        self.spot_items: list[tuple[uuid.UUID, str]] = []
        self._open_task_reads = LatestOnly(services.worker, self)
        self._open_task_reads.succeeded.connect(self._on_open_tasks_loaded)
        self._open_task_reads.failed.connect(self._on_failed)

        # -- the hospital's open tasks
        self.open_tasks = QueueTable(with_assignee=True, clock=services.clock)
        self.open_tasks.setObjectName("open_tasks")
        self.open_tasks.task_chosen.connect(self.task_chosen)
        self.pharmacists = QComboBox()
        self.pharmacists.setObjectName("pharmacists")
        self.reassign_button = QPushButton(self.tr("Reassign to"))
        self.reassign_button.setObjectName("reassign")
        self.reassign_button.clicked.connect(self.reassign)
        self.reassign_message = QLabel()
        self.reassign_message.setObjectName("reassign_message")
        self.reassign_message.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Selected task:")))
        row.addWidget(self.reassign_button)
        row.addWidget(self.pharmacists, 1)
        tasks_page = QWidget()
        tasks_box = QVBoxLayout(tasks_page)
        tasks_box.addWidget(QLabel(self.tr("Click a task to open it; select one and choose a "
                                           "pharmacist to reassign it.")))
        tasks_box.addWidget(self.open_tasks, 1)
        tasks_box.addLayout(row)
        tasks_box.addWidget(self.reassign_message)
        self.addTab(tasks_page, self.tr("Hospital queue"))

        # -- spot checks
        self.spot_table = QTableWidget(0, 5)
        self.spot_table.setObjectName("spot_checks")
        self.spot_table.setHorizontalHeaderLabels([
            self.tr("Prescription"), self.tr("Visit"), self.tr("Approved by"),
            self.tr("Approved at"), self.tr("Spot check")])
        self.spot_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.spot_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.spot_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.spot_table.verticalHeader().hide()
        self.spot_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.spot_table.horizontalHeader().setStretchLastSection(True)
        self.spot_table.cellDoubleClicked.connect(self._on_spot_table_cell_double_clicked)
        self.show_checked = QCheckBox(self.tr("Show checked ones"))
        self.show_checked.setObjectName("show_checked")
        self.show_checked.toggled.connect(self.refresh_spot_checks)
        self.spot_note = QLineEdit()
        self.spot_note.setObjectName("spot_note")
        self.spot_note.setPlaceholderText(self.tr("Note (what was wrong)"))
        self.correct_button = QPushButton(self.tr("Correct"))
        self.correct_button.setObjectName("mark_correct")
        self.correct_button.clicked.connect(self.mark_correct)
        self.error_button = QPushButton(self.tr("Approved in error"))
        self.error_button.setObjectName("mark_error")
        self.error_button.setStyleSheet("color: #c62828;")
        self.error_button.clicked.connect(self.mark_error)
        self.spot_message = QLabel()
        self.spot_message.setObjectName("spot_message")
        self.spot_message.setWordWrap(True)
        spot_row = QHBoxLayout()
        spot_row.addWidget(self.spot_note, 1)
        spot_row.addWidget(self.correct_button)
        spot_row.addWidget(self.error_button)
        spot_page = QWidget()
        spot_box = QVBoxLayout(spot_page)
        spot_box.addWidget(QLabel(self.tr("Approvals by other pharmacists (double-click to "
                                          "open the prescription).")))
        spot_box.addWidget(self.show_checked)
        spot_box.addWidget(self.spot_table, 1)
        spot_box.addLayout(spot_row)
        spot_box.addWidget(self.spot_message)
        self.addTab(spot_page, self.tr("Spot checks"))

    # -- loading ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.refresh_open_tasks()
        self.refresh_spot_checks()

    def refresh_open_tasks(self) -> None:
        api = self.services.api
        self._open_task_reads.request(lambda: (api.open_review_tasks(limit=200),
                                               api.review_pharmacists()))

    def _on_open_tasks_loaded(self, loaded: tuple[OpenTaskPage, list[Pharmacist]]) -> None:
        page, pharmacists = loaded
        now = self.services.clock()
        self.open_tasks.set_rows([row_from(item, now, assigned_to_name=item.assigned_to_name)
                                  for item in page.items])
        chosen = self.pharmacists.currentData()
        self.pharmacists.clear()
        for p in pharmacists:
            duty = self.tr("on duty") if p.on_duty else self.tr("off duty")
            self.pharmacists.addItem(
                self.tr("%1 (%2, %3, %4 open)").replace("%1", p.name)
                .replace("%2", level_label(p.pharmacist_level)).replace("%3", duty)
                .replace("%4", str(p.open_tasks)), str(p.id))  # a str: findData compares it
        if chosen is not None:
            index = self.pharmacists.findData(chosen)
            if index >= 0:
                self.pharmacists.setCurrentIndex(index)

    def refresh_spot_checks(self) -> None:
        api, pending = self.services.api, not self.show_checked.isChecked()
        self._spot_checks.request(lambda: api.spot_check_candidates(pending=pending, limit=200))

    def _on_spot_checks_loaded(self, page: SpotCheckPage) -> None:
        self.spot_items = [(item.task.id, item.prescription_number) for item in page.items]
        self.spot_table.setRowCount(len(page.items))
        for i, item in enumerate(page.items):
            cells = [item.prescription_number, visit_type_label(item.visit_type),
                     item.decided_by_name, local_time(item.task.decided_at),
                     spot_check_label(item.task.spot_check)]
            for column, text in enumerate(cells):
                self.spot_table.setItem(i, column, QTableWidgetItem(text))

    def _on_failed(self, exc: BaseException) -> None:
        self.message.emit(failure_text(exc))

    # -- reassigning ------------------------------------------------------------------------------

    def select_pharmacist(self, user_id: uuid.UUID) -> bool:
        index = self.pharmacists.findData(str(user_id))
        if index >= 0:
            self.pharmacists.setCurrentIndex(index)
        return index >= 0

    def reassign(self) -> None:
        task_id = self.open_tasks.selected_task()
        to_user = self.pharmacists.currentData()
        if task_id is None or to_user is None:
            self.reassign_message.setStyleSheet(ERROR_STYLE)
            self.reassign_message.setText(self.tr("Select a task and a pharmacist first."))
            return
        api = self.services.api
        self.services.run(lambda: api.reassign_task(task_id, to_user), self._on_reassigned,
                          self._on_reassign_failed)

    def _on_reassigned(self, task: ReviewTask) -> None:
        self.reassign_message.setStyleSheet(OK_STYLE)
        self.reassign_message.setText(self.tr("Reassigned to %1.").replace(
            "%1", self.pharmacists.currentText()))
        self.refresh_open_tasks()

    def _on_reassign_failed(self, exc: BaseException) -> None:
        self.reassign_message.setStyleSheet(ERROR_STYLE)
        self.reassign_message.setText(failure_text(exc))
        self.refresh_open_tasks()

    # -- spot checks ------------------------------------------------------------------------------

    def _selected_spot(self) -> uuid.UUID | None:
        rows = self.spot_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.spot_items):
            return None
        return self.spot_items[rows[0].row()][0]

    def select_spot(self, number: str) -> bool:
        for i, (_, shown) in enumerate(self.spot_items):
            if shown == number:
                self.spot_table.selectRow(i)
                return True
        return False

    def mark_correct(self) -> None:
        self._mark("correct")

    def mark_error(self) -> None:
        if not self.spot_note.text().strip():
            self.spot_message.setStyleSheet(ERROR_STYLE)
            self.spot_message.setText(self.tr("Say what was wrong in the note."))
            self.spot_note.setFocus()
            return
        self._mark("error")

    def _mark(self, result: str) -> None:
        task_id = self._selected_spot()
        if task_id is None:
            self.spot_message.setStyleSheet(ERROR_STYLE)
            self.spot_message.setText(self.tr("Select an approval first."))
            return
        api, note = self.services.api, self.spot_note.text().strip() or None
        self.services.run(lambda: api.spot_check(task_id, result, note=note),
                          self._on_marked, self._on_mark_failed)

    def _on_marked(self, task: ReviewTask) -> None:
        self.spot_note.clear()
        self.spot_message.setStyleSheet(OK_STYLE)
        self.spot_message.setText(self.tr("Recorded: %1.").replace(
            "%1", spot_check_label(task.spot_check)))
        self.refresh_spot_checks()

    def _on_mark_failed(self, exc: BaseException) -> None:
        self.spot_message.setStyleSheet(ERROR_STYLE)
        self.spot_message.setText(failure_text(exc))

    def _on_spot_table_cell_double_clicked(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.spot_items):
            self.task_chosen.emit(self.spot_items[row][0])
