"""The review screen: one task's patient, lines, every hit with its level colour and advice, the
rational-drug-use system's answer, the catalogue's drug data, annotations; approve (F9) or
reject (F10), each signed after a confirmation that shows what is signed.

The logic is `client_pharmacist.review`; this widget shows its `ReviewView` and runs its calls
on the worker.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client_pharmacist.review import (
    Decision,
    FailureKind,
    HitView,
    ReviewView,
    classify,
    load_review,
    prepare,
    sign_and_send,
)
from client_pharmacist.ui.dialogs import ConfirmSignatureDialog, KeySetupDialog, RejectDialog
from client_pharmacist.ui.labels import drug_class_label, visit_type_label
from client_pharmacist.ui.queue_view import DUE_SOON, level_chip
from client_pharmacist.ui.services import AppServices, failure_text
from common.api.models import Annotation, ReviewTask, SigningDocument
from common.qt.widgets import CheckWarning, CountdownLabel, PatientBanner, PatientSummary
from common.qt.widgets import WarningList as _WarningList
from common.qt.widgets.warning_list import level_style
from common.qt.worker import LatestOnly

ERROR_STYLE = "color: #c62828; font-weight: bold;"
OK_STYLE = "color: #2e7d32; font-weight: bold;"
SECTION_STYLE = "QGroupBox { font-weight: bold; }"

APPROVE_KEY = "F9"
REJECT_KEY = "F10"
ANNOTATE_KEY = "Ctrl+M"


def check_warning(hit: HitView, override_text: str) -> CheckWarning:
    advice = hit.advice
    if hit.override_reason:
        override = override_text.replace("%1", hit.override_reason).replace(
            "%2", hit.overridden_by or "")
        advice = f"{advice}\n{override}" if advice else override
    return CheckWarning(level=hit.level, message=hit.message, advice=advice,
                        subject=hit.subject)


class WarningList(_WarningList):
    """Sized to its rows: the screen scrolls as a whole, not each list."""

    def set_warnings(self, warnings: list[CheckWarning]) -> None:  # type: ignore[override]
        super().set_warnings(warnings)
        body = self.widget()
        if body is not None:
            body.adjustSize()
            self.setMinimumHeight(min(body.sizeHint().height() + 4, 420))


class ReviewPanel(QWidget):
    decided = Signal(object)  # ReviewTask, after the server took the decision
    task_gone = Signal(object)  # uuid: decided by another pharmacist, moved, or withdrawn
    message = Signal(str)  # for the status bar

    def __init__(self, services: AppServices, *, today: date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.view: ReviewView | None = None
        self.task_id: uuid.UUID | None = None
        self.reasons: dict[str, str] = {}
        self.online = True
        self.busy = False
        self.reject_dialog: RejectDialog | None = None
        self.confirm_dialog: ConfirmSignatureDialog | None = None
        self.key_dialog: KeySetupDialog | None = None
        self._pending: tuple[Decision, SigningDocument] | None = None
        # A task is read again on every refresh; the newest read of the task opened now wins.
        self._loads = LatestOnly(services.worker, self)
        self._loads.succeeded.connect(self._on_loaded)
        self._loads.failed.connect(self._on_load_failed)

        self.placeholder = QLabel(self.tr("Choose a task in the queue (Ctrl+N: next task)."))
        self.placeholder.setObjectName("placeholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet("color: #757575; font-size: 12pt;")

        # -- header: number, visit type, signature check, deadline
        self.title = QLabel()
        self.title.setObjectName("title")
        self.title.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.signature_state = QLabel()
        self.signature_state.setObjectName("signature_state")
        self.countdown = CountdownLabel(clock=services.clock, due_soon=DUE_SOON)
        self.countdown.setObjectName("countdown")
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addWidget(self.signature_state)
        header.addStretch(1)
        header.addWidget(self.countdown)

        self.patient = PatientBanner(today=date.today if today is None else (lambda: today))
        self.medications = QLabel()
        self.medications.setObjectName("medications")
        self.medications.setWordWrap(True)
        self.doctor_notes = QLabel()
        self.doctor_notes.setObjectName("doctor_notes")
        self.doctor_notes.setWordWrap(True)

        self.lines = QTableWidget(0, 9)
        self.lines.setObjectName("lines")
        self.lines.setHorizontalHeaderLabels([
            self.tr("No."), self.tr("Drug"), self.tr("Specification"), self.tr("Dose"),
            self.tr("Route"), self.tr("Frequency"), self.tr("Days"), self.tr("Quantity"),
            self.tr("Warning")])
        self.lines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines.verticalHeader().hide()
        self.lines.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.lines.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

        self.checks = WarningList()
        self.checks.setObjectName("checks")
        checks_box = self._section(self.tr("Automatic checks"), self.checks)

        self.rational_level = QLabel()
        self.rational_level.setObjectName("rational_level")
        self.rational_use = WarningList()
        self.rational_use.setObjectName("rational_use")
        rational = QWidget()
        rational_box = QVBoxLayout(rational)
        rational_box.setContentsMargins(0, 0, 0, 0)
        rational_box.addWidget(self.rational_level)
        rational_box.addWidget(self.rational_use)
        rational_section = self._section(self.tr("Rational drug use system"), rational)

        self.references = QLabel()
        self.references.setObjectName("references")
        self.references.setWordWrap(True)
        self.references.setTextFormat(Qt.TextFormat.RichText)
        references_section = self._section(self.tr("Drug reference (catalogue)"),
                                           self.references)

        self.annotations = QListWidget()
        self.annotations.setObjectName("annotations")
        self.annotations.setMaximumHeight(90)
        self.annotation_line = QComboBox()
        self.annotation_line.setObjectName("annotation_line")
        self.annotation_text = QLineEdit()
        self.annotation_text.setObjectName("annotation_text")
        self.annotation_text.setPlaceholderText(
            self.tr("Note for the record (%1)").replace("%1", ANNOTATE_KEY))
        self.annotation_text.returnPressed.connect(self.annotate)
        self.annotate_button = QPushButton(self.tr("Annotate"))
        self.annotate_button.setObjectName("annotate")
        self.annotate_button.clicked.connect(self.annotate)
        note_row = QHBoxLayout()
        note_row.addWidget(self.annotation_line)
        note_row.addWidget(self.annotation_text, 1)
        note_row.addWidget(self.annotate_button)
        notes = QWidget()
        notes_box = QVBoxLayout(notes)
        notes_box.setContentsMargins(0, 0, 0, 0)
        notes_box.addWidget(self.annotations)
        notes_box.addLayout(note_row)
        notes_section = self._section(self.tr("Annotations"), notes)

        body = QWidget()
        content = QVBoxLayout(body)
        content.addLayout(header)
        content.addWidget(self.patient)
        content.addWidget(self.medications)
        content.addWidget(self.doctor_notes)
        content.addWidget(self.lines)
        content.addWidget(checks_box)
        content.addWidget(rational_section)
        content.addWidget(references_section)
        content.addWidget(notes_section)
        content.addStretch(1)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setWidget(body)

        # -- the decision bar
        self.decision_message = QLabel()
        self.decision_message.setObjectName("decision_message")
        self.decision_message.setWordWrap(True)
        self.offline_note = QLabel(self.tr(
            "Decisions are signed against the server's current prescription and are never "
            "queued offline: wait for the connection to approve or reject."))
        self.offline_note.setObjectName("offline_note")
        self.offline_note.setWordWrap(True)
        self.offline_note.setStyleSheet("color: #e65100;")
        self.offline_note.hide()
        self.approve_button = QPushButton(self.tr("Approve (%1)").replace("%1", APPROVE_KEY))
        self.approve_button.setObjectName("approve")
        self.approve_button.setStyleSheet("background: #2e7d32; color: white; padding: 6px 18px;")
        self.approve_button.clicked.connect(self.approve)
        self.reject_button = QPushButton(self.tr("Reject (%1)").replace("%1", REJECT_KEY))
        self.reject_button.setObjectName("reject")
        self.reject_button.setStyleSheet("background: #c62828; color: white; padding: 6px 18px;")
        self.reject_button.clicked.connect(self.reject)
        self.key_button = QPushButton(self.tr("Signing key…"))
        self.key_button.setObjectName("signing_key")
        self.key_button.clicked.connect(self.show_key_setup)
        bar = QHBoxLayout()
        bar.addWidget(self.decision_message, 1)
        bar.addWidget(self.key_button)
        bar.addWidget(self.reject_button)
        bar.addWidget(self.approve_button)

        self.content = QWidget()
        outer_content = QVBoxLayout(self.content)
        outer_content.setContentsMargins(0, 0, 0, 0)
        outer_content.addWidget(self.scroller, 1)
        outer_content.addWidget(self.offline_note)
        outer_content.addLayout(bar)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.placeholder, 1)
        outer.addWidget(self.content, 1)
        self.clear()

    @staticmethod
    def _section(title: str, widget: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        box.setStyleSheet(SECTION_STYLE)
        layout = QVBoxLayout(box)
        layout.addWidget(widget)
        return box

    # -- showing a task --------------------------------------------------------------------------

    def clear(self) -> None:
        self.view = None
        self.task_id = None
        self.countdown.set_deadline(None)
        self.content.hide()
        self.placeholder.show()

    def open_task(self, task_id: uuid.UUID) -> None:
        self.task_id = task_id
        self._pending = None
        self.decision_message.clear()
        api = self.services.api
        clock = self.services.clock
        self._loads.request(lambda: load_review(api, task_id, clock))

    def _on_loaded(self, view: ReviewView) -> None:
        if view.task.id != self.task_id:
            return  # the user opened another task meanwhile
        self.show_view(view)

    def _on_load_failed(self, exc: BaseException) -> None:
        self.decision_message.setStyleSheet(ERROR_STYLE)
        self.decision_message.setText(failure_text(exc))
        self.message.emit(failure_text(exc))

    def show_view(self, view: ReviewView) -> None:
        self.view = view
        self.task_id = view.task.id
        self.placeholder.hide()
        self.content.show()
        self.title.setText(self.tr("%1 · %2").replace("%1", view.number)
                           .replace("%2", visit_type_label(view.visit_type)))
        if view.signature_valid:
            self.signature_state.setText(self.tr("Doctor's signature verified"))
            self.signature_state.setStyleSheet(OK_STYLE)
        else:
            self.signature_state.setText(self.tr(
                "Signature check FAILED: the prescription may have been altered"))
            self.signature_state.setStyleSheet(ERROR_STYLE)
        open_task = view.task.status == "open"
        self.countdown.set_deadline(view.deadline if open_task else None)
        p = view.patient
        self.patient.set_patient(PatientSummary(
            name=p.name, sex=p.sex, birth_date=p.birth_date, id_number=p.id_number,
            allergies=p.allergies, diagnoses=p.diagnoses, weight_kg=p.weight_kg,
            pregnant=p.pregnant, lactating=p.lactating))
        self.medications.setText(self.tr("Current medication: %1").replace(
            "%1", "；".join(p.current_medications) if p.current_medications else self.tr("none")))
        self.doctor_notes.setText(self.tr("Doctor's notes: %1").replace("%1", view.doctor_notes)
                                  if view.doctor_notes else "")
        self.doctor_notes.setVisible(bool(view.doctor_notes))
        self._show_lines(view)
        override_text = self.tr("Doctor proceeded: %1 (%2)")
        self.checks.set_warnings([check_warning(h, override_text) for h in view.checks])
        style = level_style(view.rational_use_level)
        self.rational_level.setText(self.tr("Result: %1").replace("%1", style.label))
        self.rational_level.setStyleSheet(
            f"background: {style.background}; color: {style.foreground}; padding: 3px 8px;")
        self.rational_use.set_warnings([check_warning(h, override_text)
                                        for h in view.rational_use])
        self.rational_use.setVisible(bool(view.rational_use))
        self.references.setText(self._references_html(view))
        self._show_annotations(view.annotations)
        self.annotation_line.clear()
        self.annotation_line.addItem(self.tr("Whole prescription"), None)
        for line in view.lines:
            self.annotation_line.addItem(self.tr("Line %1").replace("%1", str(line.line_no)),
                                         line.line_no)
        self._update_buttons()
        if not open_task:
            self.decision_message.setStyleSheet("")
            self.decision_message.setText(self.tr("This task is no longer open (%1).")
                                          .replace("%1", view.task.status))

    def _show_lines(self, view: ReviewView) -> None:
        self.lines.setRowCount(len(view.lines))
        for i, line in enumerate(view.lines):
            cells = [str(line.line_no), line.generic_name, line.specification,
                     f"{_plain(line.dose)}{line.dose_unit}", line.route, line.frequency,
                     str(line.days), f"{line.quantity}{line.unit}"]
            for column, text in enumerate(cells):
                self.lines.setItem(i, column, QTableWidgetItem(text))
            level = view.line_levels.get(line.line_no)
            self.lines.setCellWidget(i, 8, level_chip(level))
        self.lines.setFixedHeight(self.lines.horizontalHeader().height()
                                  + sum(self.lines.rowHeight(i) for i in range(len(view.lines)))
                                  + 6)

    def _references_html(self, view: ReviewView) -> str:
        if not view.references:
            return html.escape(self.tr("The catalogue has no data for these drugs."))
        parts = []
        for ref in view.references:
            facts = [(self.tr("Brand"), ref.brand_name), (self.tr("Form"), ref.dosage_form),
                     (self.tr("Manufacturer"), ref.manufacturer),
                     (self.tr("Approval number"), ref.approval_number),
                     (self.tr("ATC"), ref.atc_code),
                     (self.tr("Class"), drug_class_label(ref.drug_class)),
                     (self.tr("Insurance restriction"), ref.insurance_restriction)]
            shown = "；".join(f"{html.escape(k)}：{html.escape(v)}" for k, v in facts if v)
            if ref.chronic_list:
                shown += "；" + html.escape(self.tr("On the chronic disease list"))
            parts.append(f"<b>{ref.line_no}. {html.escape(ref.generic_name)} "
                         f"{html.escape(ref.specification)}</b><br/>{shown}")
        return "<br/>".join(parts)

    def _show_annotations(self, notes: tuple[Annotation, ...] | list[Annotation]) -> None:
        self.annotations.clear()
        for note in notes:
            where = (self.tr("Line %1").replace("%1", str(note.line_no)) if note.line_no
                     else self.tr("Whole prescription"))
            self.annotations.addItem(f"[{where}] {note.text} — {note.author_name or ''}")

    # -- state --------------------------------------------------------------------------------

    def set_online(self, online: bool) -> None:
        self.online = online
        self.offline_note.setVisible(not online)
        self._update_buttons()

    def set_reasons(self, reasons: Mapping[str, str]) -> None:
        self.reasons = dict(reasons)

    def _update_buttons(self) -> None:
        can = (self.view is not None and self.view.task.status == "open" and self.online
               and not self.busy)
        self.approve_button.setEnabled(can and bool(self.view and self.view.signature_valid))
        self.reject_button.setEnabled(can)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.busy = busy
        self._update_buttons()
        if busy:
            self.decision_message.setStyleSheet("")
            self.decision_message.setText(text)

    # -- actions --------------------------------------------------------------------------------

    def approve(self) -> None:
        if self.approve_button.isEnabled():
            self._start(Decision("approved"))

    def reject(self) -> None:
        if not self.reject_button.isEnabled():
            return
        dialog = RejectDialog(self.reasons, self)
        self.reject_dialog = dialog
        dialog.accepted.connect(self._on_reject_dialog_accepted)
        dialog.open()

    def _on_reject_dialog_accepted(self) -> None:
        if self.reject_dialog is not None:
            self._start(self.reject_dialog.decision())

    def show_key_setup(self) -> KeySetupDialog:
        keys = self.services.keys
        dialog = KeySetupDialog(existing=keys.public_key(), persistent=keys.persistent,
                                parent=self)
        dialog.create_button.clicked.connect(self._on_create_key_clicked)
        self.key_dialog = dialog
        dialog.open()
        return dialog

    def _on_create_key_clicked(self) -> None:
        if self.key_dialog is not None:
            self.key_dialog.show_key(self.services.keys.create())

    def _start(self, decision: Decision) -> None:
        if self.view is None or self.busy:
            return
        if not self.services.keys.has_key():
            self.decision_message.setStyleSheet(ERROR_STYLE)
            self.decision_message.setText(self.tr(
                "You need a signing key first: create it, and have the administrator "
                "register the public key."))
            self.show_key_setup()
            return
        self._set_busy(True, self.tr("Preparing the document to sign…"))
        api, task_id = self.services.api, self.view.task.id
        self._pending = None

        def fetch() -> tuple[Decision, SigningDocument]:
            return decision, prepare(api, task_id, decision)

        self.services.run(fetch, self._on_prepared, self._on_decision_failed)

    def _on_prepared(self, prepared: tuple[Decision, SigningDocument]) -> None:
        decision, document = prepared
        self._pending = prepared
        reason = self.reasons.get(decision.reason_code or "") if decision.reason_code else None
        dialog = ConfirmSignatureDialog(document.document, document.sha256,
                                        reason_label=reason, parent=self)
        self.confirm_dialog = dialog
        dialog.accepted.connect(self._on_confirm_dialog_accepted)
        dialog.rejected.connect(self._on_confirm_dialog_rejected)
        dialog.open()

    def _on_confirm_dialog_rejected(self) -> None:
        self._pending = None
        self._set_busy(False)
        self.decision_message.setText(self.tr("Not signed; nothing was sent."))

    def _on_confirm_dialog_accepted(self) -> None:
        if self._pending is None or self.view is None:
            return
        decision, document = self._pending
        api, keys, task = self.services.api, self.services.keys, self.view.task
        self.decision_message.setText(self.tr("Signing and sending…"))
        self.services.run(lambda: sign_and_send(api, keys, task, decision, document),
                          self._on_sent, self._on_decision_failed)

    def _on_sent(self, task: ReviewTask) -> None:
        self._pending = None
        self.busy = False
        if self.view is not None:
            self.view = _with_task(self.view, task)
        self.countdown.set_deadline(None)
        self._update_buttons()
        text = (self.tr("Approved and signed.") if task.decision == "approved"
                else self.tr("Rejected and signed; the doctor has been told."))
        self.decision_message.setStyleSheet(OK_STYLE)
        self.decision_message.setText(text)
        self.message.emit(text)
        self.decided.emit(task)

    def _on_decision_failed(self, exc: BaseException) -> None:
        self._pending = None
        self.busy = False
        kind = classify(exc)
        detail = failure_text(exc)
        texts = {
            FailureKind.TAKEN: self.tr("Conflict: %1 This task was already handled or changed; "
                                       "it has been removed from your queue."),
            FailureKind.OFFLINE: self.tr("Not sent: %1 Decisions are not queued offline; "
                                         "try again when the connection is back."),
            FailureKind.NO_CERTIFICATE: self.tr("%1 Show your public key (Signing key…) to "
                                                "the administrator."),
            FailureKind.SIGNATURE: self.tr("Signature check failed: %1"),
        }
        self.decision_message.setStyleSheet(ERROR_STYLE)
        self.decision_message.setText(texts.get(kind, "%1").replace("%1", detail))
        if kind is FailureKind.TAKEN and self.view is not None:
            self.view = _with_task(self.view, self.view.task.model_copy(
                update={"status": "taken"}))
            self.task_gone.emit(self.view.task.id)
        self._update_buttons()

    def annotate(self) -> None:
        text = self.annotation_text.text().strip()
        if self.view is None or not text:
            self.annotation_text.setFocus()
            return
        api, task_id = self.services.api, self.view.task.id
        line_no = self.annotation_line.currentData()
        self.annotate_button.setEnabled(False)
        self.services.run(lambda: api.annotate(task_id, text, line_no=line_no),
                          self._on_annotated, self._on_annotate_failed)

    def _on_annotated(self, note: Annotation) -> None:
        self.annotate_button.setEnabled(True)
        self.annotation_text.clear()
        if self.view is not None:
            shown = note if note.author_name else note.model_copy(
                update={"author_name": self.services.me.name})
            self.view = _with_annotation(self.view, shown)
            self._show_annotations(self.view.annotations)

    def _on_annotate_failed(self, exc: BaseException) -> None:
        self.annotate_button.setEnabled(True)
        self.decision_message.setStyleSheet(ERROR_STYLE)
        self.decision_message.setText(failure_text(exc))


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _with_task(view: ReviewView, task: ReviewTask) -> ReviewView:
    return replace(view, task=task)


def _with_annotation(view: ReviewView, note: Annotation) -> ReviewView:
    return replace(view, annotations=(*view.annotations, note))
