"""My prescriptions: the doctor's list, kept current by live events (no refresh needed), the
details of the selected one with a rejection's reason, and what can be done with it: revise
and resubmit, void, reissue, print or save as PDF."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client_doctor.editor import FREQUENCIES
from client_doctor.prescriptions import (
    STATUS_LABELS,
    PrescriptionList,
    Row,
    can_reissue,
    can_revise,
    can_void,
    rejection_reason,
)
from client_doctor.ui.context import DoctorContext
from client_doctor.ui.dialogs import ReasonDialog
from client_doctor.ui.printing import write_pdf
from common.api.models import LiveEvent, Prescription, PrescriptionPage
from common.events import RESYNC
from common.qt.failures import describe_failure
from common.qt.widgets import StatusBadge, status_styles
from common.qt.worker import LatestOnly

log = logging.getLogger(__name__)

STYLES = status_styles(STATUS_LABELS)


class PrescriptionsView(QWidget):
    revise_requested = Signal(object)  # Prescription: open it in the editor
    reissued = Signal(object)  # the new draft (Prescription)

    def __init__(self, ctx: DoctorContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = PrescriptionList()
        self.selected: uuid.UUID | None = None
        self.reason_dialog: ReasonDialog | None = None
        self._loading = 0
        # Read at start and after each resync: only the newest list is shown.
        self._list_reads = LatestOnly(ctx.worker, self)
        self._list_reads.succeeded.connect(self.on_list_loaded)
        self._list_reads.failed.connect(self.on_task_failed)
        self.pdf_dir: Path | None = None  # where PDFs go without asking (tests, batch)

        self.table = QTableWidget(0, 5)
        self.table.setObjectName("prescriptions")
        self.table.setHorizontalHeaderLabels([self.tr("Number"), self.tr("Patient"),
                                              self.tr("Status"), self.tr("Amount"),
                                              self.tr("Created")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self.on_table_item_selection_changed)

        self.number = QLabel()
        self.number.setObjectName("number")
        self.number.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.badge = StatusBadge(STYLES)
        self.badge.setObjectName("status")
        self.reason = QLabel()
        self.reason.setObjectName("reason")
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("color: #c62828; font-weight: bold;")
        self.reason.hide()
        self.details = QPlainTextEdit()
        self.details.setObjectName("details")
        self.details.setReadOnly(True)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.revise_button = QPushButton(self.tr("Revise and resubmit"))
        self.revise_button.setObjectName("revise")
        self.revise_button.clicked.connect(self.on_revise_button_clicked)
        self.void_button = QPushButton(self.tr("Void…"))
        self.void_button.setObjectName("void")
        self.void_button.clicked.connect(self.on_void_button_clicked)
        self.reissue_button = QPushButton(self.tr("Reissue…"))
        self.reissue_button.setObjectName("reissue")
        self.reissue_button.clicked.connect(self.on_reissue_button_clicked)
        self.pdf_button = QPushButton(self.tr("Print / PDF"))
        self.pdf_button.setObjectName("pdf")
        self.pdf_button.clicked.connect(self.on_pdf_button_clicked)
        self.refresh_button = QPushButton(self.tr("Reload"))
        self.refresh_button.clicked.connect(self.refresh)

        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        head = QHBoxLayout()
        head.addWidget(self.number)
        head.addWidget(self.badge)
        head.addStretch(1)
        detail_layout.addLayout(head)
        detail_layout.addWidget(self.reason)
        detail_layout.addWidget(self.details, 1)
        buttons = QHBoxLayout()
        for button in (self.revise_button, self.void_button, self.reissue_button,
                       self.pdf_button):
            buttons.addWidget(button)
        detail_layout.addLayout(buttons)
        detail_layout.addWidget(self.message)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignLeft)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(detail)
        splitter.setSizes([560, 520])
        QVBoxLayout(self).addWidget(splitter)
        self.show_details(None)

    @property
    def busy(self) -> bool:
        return self._loading > 0 or self._list_reads.busy

    def _submit(self, fn: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        self._loading += 1
        task = self.ctx.worker.submit(fn)
        task.succeeded.connect(on_done)
        task.failed.connect(self.on_task_failed)
        task.finished.connect(self._on_task_finished)

    def _on_task_finished(self) -> None:
        self._loading -= 1

    def on_task_failed(self, exc: BaseException) -> None:
        self.message.setText(describe_failure(exc).message)
        self.message.setStyleSheet("color: #c62828;")

    # -- data ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        api = self.ctx.api
        self._list_reads.request(lambda: api.list_my_prescriptions(limit=100))

    def on_list_loaded(self, page: PrescriptionPage) -> None:
        self.ctx.patient_names.update({str(item.patient_id): item.patient_name
                                       for item in page.items if item.patient_name})
        self.model.load(page.items)
        self.render_rows()
        if self.selected is not None:
            self.load_details(self.selected)

    def on_event(self, event: LiveEvent) -> None:
        """A live event: the row changes now, its details are read again. After a resync
        (events the app missed were pruned on the server) the whole list is."""
        if event.type == RESYNC:
            self.refresh()
            return
        changed = self.model.apply_event(event)
        if changed is None:
            return
        self.render_rows()
        if changed == self.selected:
            row = self.model.row(changed)
            if row is not None:
                # The actions follow the badge now, not when the details arrive: a voided
                # prescription must not offer "Void" in between.
                self.badge.set_status(row.status)
                self._enable_actions(row.status)
        self.load_details(changed)

    def load_details(self, prescription_id: uuid.UUID) -> None:
        api = self.ctx.api
        self._submit(lambda: api.get_prescription(prescription_id), self.on_details_loaded)

    def on_details_loaded(self, rx: Prescription) -> None:
        if not self.model.is_current(rx):
            return  # read before a change whose answer is already shown
        self.model.upsert(rx)
        self.render_rows()
        if rx.id == self.selected:
            self.show_details(rx)

    def show_prescription(self, rx: Prescription) -> None:
        """Select `rx` (e.g. just submitted), adding it to the list if new."""
        self.model.upsert(rx)
        self.selected = rx.id
        self.render_rows()
        self.show_details(rx)

    # -- rendering -----------------------------------------------------------------------------

    def render_rows(self) -> None:
        rows = self.model.rows()
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            self._render_row(index, row)
            if row.id == self.selected:
                self.table.selectRow(index)
        self.table.blockSignals(False)

    def _render_row(self, index: int, row: Row) -> None:
        patient = self.ctx.patient_names.get(str(row.patient_id), "")
        values = (row.number, patient, row.status_label, f"¥{row.total_amount}",
                  f"{row.created_at.astimezone():%m-%d %H:%M}")
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setData(Qt.ItemDataRole.UserRole, str(row.id))
            self.table.setItem(index, column, item)
        # The row's badge is kept and restyled: every live event renders the rows again, and
        # a replaced widget lingers on screen until the event loop deletes it.
        badge = self.table.cellWidget(index, 2)
        if isinstance(badge, StatusBadge):
            badge.set_status(row.status)
        else:
            self.table.setCellWidget(index, 2, StatusBadge(STYLES, row.status))

    def status_of(self, prescription_id: uuid.UUID) -> str | None:
        row = self.model.row(prescription_id)
        return row.status if row else None

    def show_details(self, rx: Prescription | None) -> None:
        for button in (self.revise_button, self.void_button, self.reissue_button,
                       self.pdf_button):
            button.setEnabled(False)
        if rx is None:
            self.number.setText(self.tr("Select a prescription"))
            self.badge.set_status(None)
            self.details.clear()
            self.reason.hide()
            return
        self.number.setText(rx.number)
        self.badge.set_status(rx.status)
        reason = rejection_reason(rx)
        self.reason.setVisible(reason is not None)
        self.reason.setText(self.tr("Rejected: %1").replace("%1", reason or ""))
        text = [self.tr("Patient: %1").replace(
                    "%1", self.ctx.patient_names.get(str(rx.patient_id), "—")),
                self.tr("Diagnoses: %1").replace("%1", "；".join(
                    f"{d['code']} {d['name']}" for d in rx.diagnoses)), ""]
        for line in rx.lines:
            text.append(f"{line.line_no}. {line.generic_name} {line.specification}  "
                        f"{line.dose.normalize():f}{line.dose_unit} {line.route} "
                        f"{FREQUENCIES.get(line.frequency, line.frequency)} {line.days}"
                        + self.tr(" days") + f"  × {line.quantity}{line.unit}")
        text += ["", self.tr("Total: ¥%1").replace("%1", f"{rx.total_amount}"), "",
                 self.tr("History:")]
        for t in rx.transitions:
            who = f"{t.actor_name or ''}" + (f"（{t.reason}）" if t.reason else "")
            text.append(f"  {t.at.astimezone():%m-%d %H:%M}  "
                        f"{STATUS_LABELS.get(t.to_status, t.to_status)}  {who}")
        self.details.setPlainText("\n".join(text))
        self._enable_actions(rx.status)
        self.pdf_button.setEnabled(True)

    def _enable_actions(self, status: str) -> None:
        self.revise_button.setEnabled(can_revise(status))
        self.void_button.setEnabled(can_void(status))
        self.reissue_button.setEnabled(can_reissue(status))

    def on_table_item_selection_changed(self) -> None:
        items = self.table.selectedItems()
        if not items:
            return
        selected = uuid.UUID(items[0].data(Qt.ItemDataRole.UserRole))
        if selected != self.selected:
            self.selected = selected
            known = self.model.details.get(selected)
            self.show_details(known)
            self.load_details(selected)

    # -- actions -------------------------------------------------------------------------------

    @property
    def current(self) -> Prescription | None:
        return self.model.details.get(self.selected) if self.selected else None

    def on_revise_button_clicked(self) -> None:
        if self.current is not None:
            self.revise_requested.emit(self.current)

    def on_void_button_clicked(self) -> None:
        self._ask_reason(self.tr("Void prescription"), self.tr("Why is it voided?"),
                         self.tr("Void"), self.void)

    def on_reissue_button_clicked(self) -> None:
        self._ask_reason(self.tr("Reissue prescription"),
                         self.tr("Why is it reissued? The old one is voided."),
                         self.tr("Reissue"), self.reissue)

    def _ask_reason(self, title: str, prompt: str, ok: str,
                    then: Callable[[str], None]) -> None:
        dialog = ReasonDialog(title, prompt, ok, self)
        self.reason_dialog = dialog
        dialog.accepted.connect(lambda: then(dialog.text()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def void(self, reason: str) -> None:
        rx, api = self.current, self.ctx.api
        if rx is None:
            return
        self._submit(lambda: api.void_prescription(rx.id, version=rx.version, reason=reason),
                     self.on_details_loaded)

    def reissue(self, reason: str) -> None:
        rx, api = self.current, self.ctx.api
        if rx is None:
            return
        self._submit(lambda: api.reissue_prescription(rx.id, version=rx.version,
                                                      reason=reason), self.on_reissued)

    def on_reissued(self, new: Prescription) -> None:
        old = self.selected
        self.model.upsert(new)
        if old is not None:
            self.load_details(old)
        self.render_rows()
        self.reissued.emit(new)

    def on_pdf_button_clicked(self) -> None:
        rx = self.current
        if rx is None:
            return
        if self.pdf_dir is not None:
            path = self.pdf_dir / f"{rx.number}.pdf"
        else:
            chosen, _ = QFileDialog.getSaveFileName(
                self, self.tr("Save prescription as PDF"), f"{rx.number}.pdf", "PDF (*.pdf)")
            if not chosen:
                return
            path = Path(chosen)
        self.save_pdf(rx, path)

    def save_pdf(self, rx: Prescription, path: Path) -> Path:
        user = self.ctx.session.user
        write_pdf(rx, path, patient_name=self.ctx.patient_names.get(str(rx.patient_id), ""),
                  doctor_name=user.name if user else "")
        self.message.setStyleSheet("")
        self.message.setText(self.tr("Saved: %1").replace("%1", str(path)))
        return path
