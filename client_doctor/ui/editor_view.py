"""The prescribing screen: the patient always in view, and a keyboard-first editor.

Type pinyin initials, a name or a code in the search box, pick with the arrows and Enter; the
drug becomes a line with sensible defaults and the cursor moves to its dose; Enter moves on
through dose, unit, route, frequency and days, and from days back to the search box for the
next drug. Every change is checked on the server off the GUI thread, latest request only, and
saved as a draft (one save at a time), which gives the quantities. The warnings show coloured by
level; a black-level one blocks signing, the others that need it ask for a reason.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client_doctor import submission
from client_doctor.editor import (
    FIELDS,
    FREQUENCIES,
    ROUTES,
    FieldValueError,
    PrescriptionEditor,
    ProductRef,
    Readiness,
    diagnoses_text,
    dose_units,
    parse_diagnoses,
)
from client_doctor.patient import PatientFacts, starting_diagnoses
from client_doctor.signing_keys import KeyState
from client_doctor.ui.context import DoctorContext
from client_doctor.ui.dialogs import (
    KeySetupDialog,
    OverrideDialog,
    SignConfirmDialog,
    TemplatePickDialog,
    TemplateSaveDialog,
)
from common.api import errors
from common.api.models import PatientContext, Prescription, Product, SearchHit, Template
from common.qt.failures import describe_failure
from common.qt.widgets import CheckWarning, PatientBanner, PatientSummary, SearchBox, WarningList
from common.qt.worker import LatestOnly

log = logging.getLogger(__name__)

COLUMNS = ("no", "drug", "dose", "route", "frequency", "days", "quantity", "amount", "problem")
ERROR_STYLE = "color: #c62828;"


def hit_text(hit: SearchHit) -> str:
    brand = f"（{hit.brand_name}）" if hit.brand_name else ""
    price = f"  ¥{hit.current_price}" if hit.current_price is not None else ""
    return f"{hit.generic_name}{brand}  {hit.specification}  {hit.package}  " \
           f"{hit.manufacturer}{price}"


def load_products(api: Any, ids: list[uuid.UUID]) -> dict[uuid.UUID, ProductRef]:
    """The catalogue entries of saved lines (their package and dosage form)."""
    found = {}
    for product_id in dict.fromkeys(ids):
        try:
            product = Product.model_validate(api.call("GET", f"/catalogue/products/{product_id}"))
        except errors.NotFound:
            continue
        found[product.id] = ProductRef.of(product)
    return found


class EditorView(QWidget):
    submitted = Signal(object)  # submission.Submitted | submission.Queued
    patient_opened = Signal(object)  # PatientContext

    def __init__(self, ctx: DoctorContext, parent: QWidget | None = None, *,
                 debounce_ms: int = 150) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.editor: PrescriptionEditor | None = None
        self.patient: PatientContext | None = None
        self.current_row = -1
        self._saving = False
        self._after_save: Callable[[], None] | None = None
        self.confirm_dialog: SignConfirmDialog | None = None
        self.override_dialog: OverrideDialog | None = None
        self.key_dialog: KeySetupDialog | None = None
        self.template_dialog: TemplateSaveDialog | TemplatePickDialog | None = None
        self.busy_signing = False

        self.banner = PatientBanner()
        self.diagnosis_list = self._context_list("diagnosis_list")
        self.allergy_list = self._context_list("allergy_list")
        self.current_list = self._context_list("current_list")
        self.past_list = self._context_list("past_list")
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        for title, widget in ((self.tr("Allergies"), self.allergy_list),
                              (self.tr("Diagnoses"), self.diagnosis_list),
                              (self.tr("Current medication"), self.current_list),
                              (self.tr("Medication history"), self.past_list)):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(widget)
            side_layout.addWidget(box)

        self.diagnoses = QLineEdit()
        self.diagnoses.setObjectName("diagnoses")
        self.diagnoses.setPlaceholderText(self.tr("ICD-10 code and name, e.g. J02.9 急性咽炎；"
                                                  "separate several with ；"))
        self.diagnoses.editingFinished.connect(self.on_diagnoses_editing_finished)
        self.diagnoses_error = self._error_label("diagnoses_error")
        api = ctx.api
        self.search = SearchBox(lambda q: api.search_catalogue(q, limit=20).items,
                                display=hit_text, worker=ctx.worker,
                                placeholder=self.tr("Drug: pinyin initials, name or code "
                                                    "(e.g. amxl)"))
        self.search.setObjectName("drug_search")
        self.search.chosen.connect(self.on_search_chosen)

        self.line_name = QLabel(self.tr("Pick a drug above"))
        self.line_name.setObjectName("line_name")
        self.fields: dict[str, QLineEdit] = {}
        entry = QGridLayout()
        entry.addWidget(self.line_name, 0, 0, 1, len(FIELDS))
        labels = {"dose": self.tr("Dose"), "dose_unit": self.tr("Unit"),
                  "route": self.tr("Route"), "frequency": self.tr("Frequency"),
                  "days": self.tr("Days")}
        for column, name in enumerate(FIELDS):
            edit = QLineEdit()
            edit.setObjectName(f"field_{name}")
            edit.setEnabled(False)
            edit.returnPressed.connect(lambda n=name: self.on_field_return(n))
            edit.editingFinished.connect(lambda n=name: self.commit_field(n))
            entry.addWidget(QLabel(labels[name]), 1, column)
            entry.addWidget(edit, 2, column)
            self.fields[name] = edit
        self._unit_model = QStringListModel(self)
        self._completer(self.fields["dose_unit"], self._unit_model)
        self._completer(self.fields["route"], QStringListModel(list(ROUTES), self))
        self._completer(self.fields["frequency"], QStringListModel(
            [f"{code} {label}" for code, label in FREQUENCIES.items()], self))
        self.entry_error = self._error_label("entry_error")

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("lines")
        self.table.setHorizontalHeaderLabels([
            self.tr("No."), self.tr("Drug"), self.tr("Dose"), self.tr("Route"),
            self.tr("Frequency"), self.tr("Days"), self.tr("Quantity"), self.tr("Amount"),
            self.tr("Problem")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self.on_table_item_selection_changed)
        self.table.installEventFilter(self)
        self.total = QLabel()
        self.total.setObjectName("total")

        self.warnings = WarningList()
        self.warnings.setObjectName("warnings")
        self.readiness = QLabel()
        self.readiness.setObjectName("readiness")
        self.readiness.setWordWrap(True)
        self.remove_button = QPushButton(self.tr("Remove line (Del)"))
        self.remove_button.setObjectName("remove_line")
        self.remove_button.clicked.connect(self.remove_current_line)
        self.save_template_button = QPushButton(self.tr("Save as template"))
        self.save_template_button.setObjectName("save_template")
        self.save_template_button.clicked.connect(self.open_save_template)
        self.use_template_button = QPushButton(self.tr("Use template…"))
        self.use_template_button.setObjectName("use_template")
        self.use_template_button.clicked.connect(self.open_pick_template)
        self.sign_button = QPushButton(self.tr("Sign and submit (F9)"))
        self.sign_button.setObjectName("sign")
        self.sign_button.clicked.connect(self.sign_and_submit)
        QShortcut(QKeySequence("F9"), self, self.sign_and_submit)

        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Diagnoses")))
        row.addWidget(self.diagnoses, 1)
        middle_layout.addLayout(row)
        middle_layout.addWidget(self.diagnoses_error)
        middle_layout.addWidget(self.search)
        middle_layout.addLayout(entry)
        middle_layout.addWidget(self.entry_error)
        middle_layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.total, 1)
        for button in (self.remove_button, self.use_template_button,
                       self.save_template_button, self.sign_button):
            buttons.addWidget(button)
        middle_layout.addLayout(buttons)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(QLabel(self.tr("Warnings")))
        right_layout.addWidget(self.warnings, 1)
        right_layout.addWidget(self.readiness)
        splitter = QSplitter()
        splitter.addWidget(side)
        splitter.addWidget(middle)
        splitter.addWidget(right)
        splitter.setSizes([240, 680, 440])
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)

        self._latest = LatestOnly(ctx.worker, self)
        self._latest.succeeded.connect(self.on_check_done)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self.on_debounce_timeout)
        self.refresh()

    # -- construction helpers ------------------------------------------------------------------

    def _context_list(self, name: str) -> QListWidget:
        widget = QListWidget()
        widget.setObjectName(name)
        widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return widget

    def _error_label(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setStyleSheet(ERROR_STYLE)
        label.setWordWrap(True)
        label.hide()
        return label

    def _completer(self, edit: QLineEdit, model: QStringListModel) -> None:
        completer = QCompleter(model, edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.InlineCompletion)
        edit.setCompleter(completer)

    def stop(self) -> None:
        """Nothing more goes out (the window is closing, the session ended)."""
        self._debounce.stop()
        self._latest.cancel()
        self._after_save = None

    # -- patient -------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return (self._latest.busy or self._saving or self._debounce.isActive()
                or self.search.searching or self.busy_signing)

    def open_patient(self, patient_id: uuid.UUID | str,
                     revise: Prescription | None = None) -> None:
        """Load the patient's context (and, to revise, the prescription's products), then start
        a new prescription, or open `revise` to change and sign again."""
        api = self.ctx.api

        def load() -> tuple[PatientContext, dict[uuid.UUID, ProductRef]]:
            context = api.patient_context(patient_id)
            products = load_products(api, [x.product_id for x in revise.lines]) if revise \
                else {}
            return context, products

        self.busy_signing = True
        task = self.ctx.worker.submit(load)
        task.succeeded.connect(lambda loaded: self.on_patient_loaded(loaded, revise))
        task.failed.connect(self.on_task_failed)

    def on_patient_loaded(self, loaded: tuple[PatientContext, dict[uuid.UUID, ProductRef]],
                          revise: Prescription | None) -> None:
        self.busy_signing = False
        context, products = loaded
        self.patient = context
        facts = PatientFacts.of(context)
        self.ctx.patient_names[str(context.patient.id)] = facts.name
        self.banner.set_patient(PatientSummary(
            name=facts.name, sex=facts.sex, birth_date=facts.birth_date,
            id_number=facts.id_number, allergies=facts.allergies, diagnoses=facts.diagnoses,
            weight_kg=facts.weight_kg, pregnant=facts.pregnant, lactating=facts.lactating))
        for widget, values, empty in (
                (self.allergy_list, facts.allergies, self.tr("No known allergies")),
                (self.diagnosis_list, facts.diagnoses, self.tr("None recorded")),
                (self.current_list, facts.current_medications, self.tr("None")),
                (self.past_list, facts.past_medications, self.tr("None"))):
            widget.clear()
            widget.addItems(list(values) or [empty])
        if revise is not None:
            self.editor = PrescriptionEditor.revise(revise, products)
        else:
            self.editor = PrescriptionEditor(context.patient.id,
                                             diagnoses=starting_diagnoses(context))
        self.diagnoses.setText(diagnoses_text(self.editor.diagnoses))
        self.current_row = -1
        self.refresh()
        self.patient_opened.emit(context)
        self.search.line_edit.setFocus()
        if revise is not None:
            self.schedule()

    def new_prescription(self) -> None:
        """A fresh prescription for the same patient (after a submit)."""
        if self.patient is not None:
            self.editor = PrescriptionEditor(self.patient.patient.id,
                                             diagnoses=starting_diagnoses(self.patient))
            self.diagnoses.setText(diagnoses_text(self.editor.diagnoses))
            self.current_row = -1
            self.refresh()

    # -- editing -------------------------------------------------------------------------------

    def on_search_chosen(self, hit: SearchHit) -> None:
        if self.editor is None:
            return
        row = self.editor.add_product(hit)
        self.select_line(row)
        self.fields["dose"].setFocus()
        self.fields["dose"].selectAll()
        self.schedule()

    def select_line(self, row: int) -> None:
        self.current_row = row
        self.refresh()
        self.table.selectRow(row)

    def on_table_item_selection_changed(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows and rows[0].row() != self.current_row:
            self.current_row = rows[0].row()
            self.show_entry()

    def on_field_return(self, name: str) -> None:
        if not self.commit_field(name):
            return
        index = FIELDS.index(name)
        if index + 1 < len(FIELDS):
            self.fields[FIELDS[index + 1]].setFocus()
            self.fields[FIELDS[index + 1]].selectAll()
        else:
            self.search.line_edit.setFocus()

    def commit_field(self, name: str) -> bool:
        """The typed value into the line; False (and the message shown) if it is not valid."""
        editor, row = self.editor, self.current_row
        if editor is None or not 0 <= row < len(editor.lines):
            return False
        text = self.fields[name].text()
        if text.strip() == editor.lines[row].value(name):
            return True
        try:
            editor.set_field(row, name, text)
        except FieldValueError as exc:
            self.entry_error.setText(str(exc))
            self.entry_error.show()
            self.fields[name].setFocus()
            self.fields[name].selectAll()
            return False
        self.entry_error.hide()
        self.refresh()
        self.schedule()
        return True

    def remove_current_line(self) -> None:
        editor, row = self.editor, self.current_row
        if editor is None or not 0 <= row < len(editor.lines):
            return
        editor.remove_line(row)
        self.current_row = min(row, len(editor.lines) - 1)
        self.refresh()
        self.schedule()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Delete:
                self.remove_current_line()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.current_row >= 0:
                self.fields["dose"].setFocus()
                return True
        return super().eventFilter(watched, event)

    def on_diagnoses_editing_finished(self) -> None:
        if self.editor is None:
            return
        found, bad = parse_diagnoses(self.diagnoses.text())
        if bad:
            self.diagnoses_error.setText(self.tr("Not a diagnosis (code and name): %1")
                                         .replace("%1", "；".join(bad)))
            self.diagnoses_error.show()
            return
        self.diagnoses_error.hide()
        if found != self.editor.diagnoses:
            self.editor.set_diagnoses(found)
            self.refresh()
            self.schedule()

    # -- checks and saves ----------------------------------------------------------------------

    def schedule(self) -> None:
        """Check and save shortly, once typing pauses."""
        self._debounce.start()

    def on_debounce_timeout(self) -> None:
        self.run_check()
        self.run_save()

    def run_check(self) -> None:
        editor = self.editor
        if editor is None:
            return
        body = editor.body()
        if body is None:
            self._latest.cancel()
            self.refresh()
            return
        api, generation = self.ctx.api, editor.generation

        def check() -> tuple[PrescriptionEditor, int, Any]:
            try:
                return editor, generation, api.check_prescription(body)
            except errors.ApiError as exc:
                return editor, generation, exc

        self._latest.request(check)

    def on_check_done(self, outcome: tuple[PrescriptionEditor, int, Any]) -> None:
        editor, generation, result = outcome
        if editor is not self.editor:
            return
        if isinstance(result, errors.ApiError):
            editor.apply_check_failure(generation, result)
        else:
            editor.apply_check(generation, result)
        self.refresh()

    def run_save(self) -> None:
        editor = self.editor
        if editor is None or self._saving:
            return
        call = editor.save_call()
        if call is None:
            self._continue_after_save()
            return
        api, generation = self.ctx.api, editor.generation
        self._saving = True

        def save() -> Prescription:
            if call[0] == "create":
                return api.create_draft(call[1])
            return api.update_draft(call[1], call[2])

        task = self.ctx.worker.submit(save)
        task.succeeded.connect(lambda rx: self.on_save_done(editor, generation, rx))
        task.failed.connect(lambda exc: self.on_save_failed(editor, generation, exc))

    def on_save_done(self, editor: PrescriptionEditor, generation: int,
                     rx: Prescription) -> None:
        self._saving = False
        editor.apply_saved(generation, rx)
        if editor is self.editor:
            self.refresh()
            self.run_save()  # changed meanwhile: save that too; else go on with what waited

    def on_save_failed(self, editor: PrescriptionEditor, generation: int,
                       exc: BaseException) -> None:
        self._saving = False
        self._after_save = None
        if isinstance(exc, errors.ApiError):
            editor.apply_save_failure(generation, exc)
        if editor is self.editor:
            self.refresh()
            if not isinstance(exc, errors.ValidationFailed):
                self.show_failure(exc)

    def _continue_after_save(self) -> None:
        after, self._after_save = self._after_save, None
        if after is not None:
            after()

    # -- sign and submit -----------------------------------------------------------------------

    def sign_and_submit(self) -> None:
        editor = self.editor
        if editor is None or self.busy_signing:
            return
        readiness = editor.readiness
        if readiness is Readiness.NEEDS_OVERRIDE:
            self.ask_overrides()
            return
        if readiness is not Readiness.READY:
            self.readiness.setText(self.readiness_text(readiness))
            return
        keys = self.ctx.keys()
        if keys.private_key() is None:
            self.open_key_setup()
            return
        if not editor.up_to_date_on_server:
            self._after_save = self.sign_and_submit
            self.run_save()
            return
        assert editor.saved is not None
        api, rx, overrides = self.ctx.api, editor.saved, editor.overrides_given()
        self.busy_signing = True
        task = self.ctx.worker.submit(lambda: submission.prepare(api, rx, overrides))
        task.succeeded.connect(self.on_prepared)
        task.failed.connect(self.on_task_failed)

    def ask_overrides(self) -> None:
        assert self.editor is not None
        dialog = OverrideDialog(self.editor.overrides_needed(), self)
        self.override_dialog = dialog
        dialog.accepted.connect(self.on_override_dialog_accepted)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def on_override_dialog_accepted(self) -> None:
        dialog, self.override_dialog = self.override_dialog, None
        if dialog is None or self.editor is None:
            return
        for key, reason in dialog.given().items():
            self.editor.set_override(key, reason)
        self.refresh()
        self.sign_and_submit()

    def on_prepared(self, request: submission.SignRequest) -> None:
        self.busy_signing = False
        name = self.patient.patient.name if self.patient else ""
        dialog = SignConfirmDialog(request, name, self)
        self.confirm_dialog = dialog
        dialog.accepted.connect(self.on_confirm_dialog_accepted)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def on_confirm_dialog_accepted(self) -> None:
        dialog, self.confirm_dialog = self.confirm_dialog, None
        if dialog is None:
            return
        request, api, outbox = dialog.request, self.ctx.api, self.ctx.outbox
        keys, owner = self.ctx.keys(), self.ctx.username
        self.busy_signing = True
        task = self.ctx.worker.submit(lambda: submission.sign_and_submit(
            api, keys, request, outbox=outbox, owner=owner))
        task.succeeded.connect(self.on_submit_done)
        task.failed.connect(self.on_task_failed)

    def on_submit_done(self, outcome: submission.Submitted | submission.Queued) -> None:
        self.busy_signing = False
        self.new_prescription()
        self.submitted.emit(outcome)

    def open_key_setup(self) -> None:
        keys, api = self.ctx.keys(), self.ctx.api
        public = keys.public_key()
        state = KeyState.MISSING
        if public is not None:
            try:
                state = keys.state(api.my_certificates())
            except errors.ApiError:
                state = KeyState.UNREGISTERED
        dialog = KeySetupDialog(public_pem=public.pem if public else None,
                                registered=state is KeyState.REGISTERED,
                                persistent=keys.persistent, generate=keys.generate, parent=self)
        self.key_dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    # -- templates -----------------------------------------------------------------------------

    def open_save_template(self) -> None:
        if self.editor is None or not any(x.complete for x in self.editor.lines):
            self.readiness.setText(self.tr("Add complete lines before saving a template."))
            return
        dialog = TemplateSaveDialog(self)
        self.template_dialog = dialog
        dialog.accepted.connect(self.on_save_template_accepted)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def on_save_template_accepted(self) -> None:
        dialog = self.template_dialog
        if not isinstance(dialog, TemplateSaveDialog) or self.editor is None:
            return
        self.template_dialog = None
        body = self.editor.template_in(dialog.name.text().strip(),
                                       "department" if dialog.scope == "department"
                                       else "personal")
        api = self.ctx.api
        task = self.ctx.worker.submit(lambda: api.create_template(body))
        task.succeeded.connect(lambda t: self.readiness.setText(
            self.tr("Template “%1” saved.").replace("%1", t.name)))
        task.failed.connect(self.on_task_failed)

    def open_pick_template(self) -> None:
        api = self.ctx.api
        task = self.ctx.worker.submit(api.list_templates)
        task.succeeded.connect(self.on_templates_loaded)
        task.failed.connect(self.on_task_failed)

    def on_templates_loaded(self, templates: list[Template]) -> None:
        dialog = TemplatePickDialog(templates, self)
        self.template_dialog = dialog
        dialog.accepted.connect(self.on_pick_template_accepted)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def on_pick_template_accepted(self) -> None:
        dialog = self.template_dialog
        if not isinstance(dialog, TemplatePickDialog) or dialog.chosen is None:
            return
        self.template_dialog = None
        template, api = dialog.chosen, self.ctx.api
        ids = [uuid.UUID(str(line["product_id"])) for line in template.lines]
        task = self.ctx.worker.submit(lambda: load_products(api, ids))
        task.succeeded.connect(lambda products: self.apply_template(template, products))
        task.failed.connect(self.on_task_failed)

    def apply_template(self, template: Template,
                       products: dict[uuid.UUID, ProductRef]) -> None:
        if self.editor is None:
            return
        self.editor.apply_template(template, products)
        self.diagnoses.setText(diagnoses_text(self.editor.diagnoses))
        self.refresh()
        self.schedule()

    # -- showing -------------------------------------------------------------------------------

    def on_task_failed(self, exc: BaseException) -> None:
        self.busy_signing = False
        self.show_failure(exc)

    def show_failure(self, exc: BaseException) -> None:
        message = describe_failure(exc).message
        if isinstance(exc, errors.NoCertificate):
            message += self.tr(" (Open the signing key set-up from the menu.)")
        self.readiness.setText(message)
        self.readiness.setStyleSheet(ERROR_STYLE)
        if not isinstance(exc, errors.ApiError):
            log.error("editor call failed", exc_info=exc)

    def readiness_text(self, readiness: Readiness) -> str:
        texts = {
            Readiness.EMPTY: self.tr("Add a drug to start."),
            Readiness.NO_DIAGNOSIS: self.tr("Enter the diagnosis."),
            Readiness.INCOMPLETE: self.tr("Complete dose, unit, route, frequency and days."),
            Readiness.CHECKING: self.tr("Checking…"),
            Readiness.INVALID: self.tr("Correct the marked line."),
            Readiness.BLOCKED: self.tr("A contraindication (black) blocks this prescription: "
                                       "replace the drug."),
            Readiness.NEEDS_OVERRIDE: self.tr("Some warnings need a reason: press Sign to "
                                              "give them."),
            Readiness.READY: self.tr("Ready to sign."),
        }
        return texts[readiness]

    def refresh(self) -> None:
        editor = self.editor
        lines = editor.lines if editor else []
        names = {n: x.product.generic_name for n, x in enumerate(lines, start=1)}
        self.table.setRowCount(len(lines))
        for row, line in enumerate(lines):
            dose = f"{line.value('dose')} {line.dose_unit}"
            values = (str(row + 1), f"{line.product.generic_name} {line.product.specification}",
                      dose, line.route, line.frequency, line.value("days"),
                      "" if line.quantity is None else f"{line.quantity} {line.product.unit}",
                      "" if line.amount is None else f"¥{line.amount}", line.error or "")
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == len(values) - 1:
                    item.setForeground(Qt.GlobalColor.red)
                self.table.setItem(row, column, item)
        total = editor.total if editor else None
        self.total.setText(self.tr("Total: ¥%1").replace("%1", f"{total}") if total is not None
                           else "")
        warnings = []
        for issue in editor.warnings if editor else []:
            advice = issue.advice or ""
            reason = editor.overrides.get(issue.key) if editor else None
            if reason:
                advice = (advice + " " if advice else "") + self.tr("Reason given: %1") \
                    .replace("%1", reason)
            warnings.append(CheckWarning(level=issue.level, message=issue.message,
                                         advice=advice, subject="、".join(
                                             names[n] for n in issue.lines if n in names)))
        if editor is not None and editor.check_error:
            warnings.append(CheckWarning(level=-1, message=editor.check_error))
        self.warnings.set_warnings(warnings)
        readiness = editor.readiness if editor else Readiness.EMPTY
        self.readiness.setStyleSheet(ERROR_STYLE if readiness is Readiness.BLOCKED else "")
        self.readiness.setText(self.readiness_text(readiness) if editor else
                               self.tr("Open a patient to prescribe."))
        self.sign_button.setEnabled(readiness in (Readiness.READY, Readiness.NEEDS_OVERRIDE))
        self.search.setEnabled(editor is not None)
        self.diagnoses.setEnabled(editor is not None)
        self.show_entry()

    def show_entry(self) -> None:
        editor, row = self.editor, self.current_row
        line = editor.lines[row] if editor and 0 <= row < len(editor.lines) else None
        for name, edit in self.fields.items():
            edit.setEnabled(line is not None)
            if line is not None and not edit.hasFocus():
                edit.setText(line.value(name))
            elif line is None:
                edit.clear()
        if line is None:
            self.line_name.setText(self.tr("Pick a drug above"))
            return
        self.line_name.setText(f"{row + 1}. {line.product.generic_name} "
                               f"{line.product.specification} {line.product.package}")
        self._unit_model.setStringList(dose_units(line.product))

    @property
    def total_amount(self) -> Decimal | None:
        return self.editor.total if self.editor else None
