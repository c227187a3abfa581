"""The doctor's main window: the offline banner, the prescribing screen and "my prescriptions"
as tabs, and a status bar with who is logged in, the connection and what waits to be sent."""

from __future__ import annotations

import json
import uuid

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from client_doctor import submission
from client_doctor.ui.context import DoctorContext
from client_doctor.ui.dialogs import PatientSearchDialog
from client_doctor.ui.editor_view import EditorView
from client_doctor.ui.prescriptions_view import PrescriptionsView
from common.api.models import LiveEvent, Patient, Prescription
from common.offline import Connectivity, FlushResult
from common.qt.widgets import OfflineBanner


class MainWindow(QMainWindow):
    sign_out_requested = Signal()

    def __init__(self, ctx: DoctorContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        user = ctx.session.user
        self.setWindowTitle(self.tr("Prescribing workstation · %1")
                            .replace("%1", user.name if user else ctx.username))
        self.resize(1280, 800)
        self.offline_banner = OfflineBanner()
        self.editor = EditorView(ctx)
        self.prescriptions = PrescriptionsView(ctx)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.editor, self.tr("Prescribe"))
        self.tabs.addTab(self.prescriptions, self.tr("My prescriptions"))
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 0, 4, 4)
        layout.addWidget(self.offline_banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(body)
        self.user_label = QLabel(user.name if user else ctx.username)
        self.connection_label = QLabel(self.tr("Online"))
        self.connection_label.setObjectName("connection")
        self.outbox_label = QLabel()
        self.outbox_label.setObjectName("outbox")
        self.message = QLabel()
        self.message.setObjectName("message")
        bar = self.statusBar()
        bar.addWidget(self.message, 1)
        bar.addPermanentWidget(self.outbox_label)
        bar.addPermanentWidget(self.connection_label)
        bar.addPermanentWidget(self.user_label)
        self.patient_dialog: PatientSearchDialog | None = None

        menu = self.menuBar().addMenu(self.tr("Workstation"))
        open_patient = QAction(self.tr("Open patient…"), self)
        open_patient.setShortcut(QKeySequence("Ctrl+O"))
        open_patient.triggered.connect(self.open_patient_dialog)
        keys = QAction(self.tr("Signing key…"), self)
        keys.triggered.connect(self.editor.open_key_setup)
        sign_out = QAction(self.tr("Sign out"), self)
        sign_out.triggered.connect(self.sign_out_requested)
        for action in (open_patient, keys, sign_out):
            menu.addAction(action)

        self.editor.submitted.connect(self.on_editor_submitted)
        self.editor.patient_opened.connect(self.on_editor_patient_opened)
        self.prescriptions.revise_requested.connect(self.on_prescriptions_revise_requested)
        self.prescriptions.reissued.connect(self.on_prescriptions_reissued)
        self.show_outbox()

    # -- patients and prescriptions ------------------------------------------------------------

    def open_patient(self, patient_id: uuid.UUID | str) -> None:
        self.tabs.setCurrentWidget(self.editor)
        self.editor.open_patient(patient_id)

    def open_patient_dialog(self) -> None:
        api = self.ctx.api
        def search(c: dict[str, str]) -> list[Patient]:
            return api.search_patients(
                name=c.get("name"), id_number=c.get("id_number"),
                insurance_card=c.get("insurance_card"),
                hospital_card=c.get("hospital_card")).items

        dialog = PatientSearchDialog(search, self.ctx.worker, self)
        self.patient_dialog = dialog
        dialog.accepted.connect(self.on_patient_dialog_accepted)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def on_patient_dialog_accepted(self) -> None:
        dialog, self.patient_dialog = self.patient_dialog, None
        if dialog is not None and dialog.chosen is not None:
            self.open_patient(dialog.chosen.id)

    def on_editor_patient_opened(self, _context: object) -> None:
        self.message.setText("")

    def on_editor_submitted(self, outcome: submission.Submitted | submission.Queued) -> None:
        if isinstance(outcome, submission.Submitted):
            rx = outcome.prescription
            self.prescriptions.show_prescription(rx)
            self.tabs.setCurrentWidget(self.prescriptions)
            self.message.setText(self.tr("Prescription %1 submitted for review.")
                                 .replace("%1", rx.number))
        else:
            self.message.setText(self.tr("The server cannot be reached: the signed "
                                         "prescription is kept and will be submitted when the "
                                         "connection is back."))
            self.show_outbox()

    def on_prescriptions_revise_requested(self, rx: Prescription) -> None:
        self.tabs.setCurrentWidget(self.editor)
        self.editor.open_patient(rx.patient_id, revise=rx)

    def on_prescriptions_reissued(self, rx: Prescription) -> None:
        self.on_prescriptions_revise_requested(rx)

    # -- what the background threads report (through queued signals) ---------------------------

    def on_event(self, event: LiveEvent) -> None:
        self.prescriptions.on_event(event)

    def on_connectivity(self, state: Connectivity) -> None:
        self.connection_label.setText(state.label())
        if state.online:
            self.offline_banner.set_online()
        else:
            self.offline_banner.set_offline(state.since)

    def on_outbox_flushed(self, result: FlushResult) -> None:
        for entry in result.sent:
            if entry.response:
                rx = Prescription.model_validate(json.loads(entry.response))
                self.prescriptions.show_prescription(rx)
                self.message.setText(self.tr("Prescription %1 submitted for review.")
                                     .replace("%1", rx.number))
        for entry in result.failed:
            self.message.setText(self.tr("Not submitted: %1 (%2)")
                                 .replace("%1", entry.description)
                                 .replace("%2", entry.last_error or ""))
        self.show_outbox()

    def show_outbox(self) -> None:
        waiting = len(self.ctx.outbox.pending(self.ctx.username))
        self.outbox_label.setText(self.tr("%n waiting to be sent", None, waiting)
                                  if waiting else "")
