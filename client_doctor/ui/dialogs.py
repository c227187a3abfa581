"""The doctor app's dialogs: what is signed, override reasons, a reason for voiding or
reissuing, the signing key set-up, templates, and finding a patient.

Each is opened with `open()` (window-modal, not a nested event loop) and reports through its
`accepted` signal, so the views and the tests drive them the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from client_doctor.editor import FREQUENCIES
from client_doctor.submission import SignRequest
from common.api.models import Issue, Patient, Template
from common.qt.failures import describe_failure
from common.qt.widgets import level_style
from common.qt.worker import LatestOnly, Worker

ERROR_STYLE = "color: #c62828;"


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    ok = box.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
    ok.setObjectName("ok")
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("error")
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


class SignConfirmDialog(QDialog):
    """Shows exactly what will be signed (the server's signing document) before signing."""

    def __init__(self, request: SignRequest, patient_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.request = request
        self.setWindowTitle(self.tr("Confirm and sign"))
        self.setMinimumSize(620, 460)
        heading = QLabel(self.tr("Check the prescription below. Signing makes you responsible "
                                 "for exactly this content."))
        heading.setWordWrap(True)
        self.content = QPlainTextEdit(self.describe(request, patient_name))
        self.content.setObjectName("content")
        self.content.setReadOnly(True)
        digest = QLabel(self.tr("SHA-256 of the signed content: %1")
                        .replace("%1", request.document.sha256))
        digest.setObjectName("digest")
        digest.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        digest.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.content, 1)
        layout.addWidget(digest)
        layout.addWidget(_buttons(self, self.tr("Sign and submit")))

    def describe(self, request: SignRequest, patient_name: str) -> str:
        doc = request.document.document
        out = [self.tr("Prescription %1, revision %2").replace("%1", str(doc.get("number")))
               .replace("%2", str(doc.get("revision"))),
               self.tr("Patient: %1").replace("%1", patient_name),
               self.tr("Diagnoses: %1").replace("%1", "；".join(
                   f"{d['code']} {d['name']}" for d in doc.get("diagnoses", []))), ""]
        for line in doc.get("lines", []):
            frequency = FREQUENCIES.get(line["frequency"], line["frequency"])
            out.append(f"{line['line_no']}. {line['generic_name']} {line['specification']}")
            out.append("    " + self.tr("%1 %2 per dose, %3, %4, %5 days; dispense %6 %7")
                       .replace("%1", str(line["dose"])).replace("%2", line["dose_unit"])
                       .replace("%3", line["route"]).replace("%4", frequency)
                       .replace("%5", str(line["days"])).replace("%6", str(line["quantity"]))
                       .replace("%7", line["unit"]))
            if line.get("skin_test"):
                out.append("    " + self.tr("Skin test required"))
        if doc.get("notes"):
            out += ["", self.tr("Notes: %1").replace("%1", doc["notes"])]
        if request.overrides:
            out += ["", self.tr("Warnings you proceed with:")]
            out += [f"  · {o.reason}" for o in request.overrides]
        return "\n".join(out)


class OverrideDialog(QDialog):
    """One reason per warning that needs one (levels below black: black blocks)."""

    def __init__(self, issues: Sequence[Issue], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Reasons to proceed"))
        self.setMinimumWidth(560)
        self.issues = list(issues)
        self.reasons: dict[str, QLineEdit] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("These warnings need a reason before you can sign:")))
        form = QFormLayout()
        for issue in self.issues:
            style = level_style(issue.level)
            label = QLabel(f"[{style.label}] {issue.message}")
            label.setWordWrap(True)
            edit = QLineEdit()
            edit.setObjectName(f"reason_{len(self.reasons)}")
            edit.setPlaceholderText(self.tr("Why you proceed (at least 2 characters)"))
            form.addRow(label)
            form.addRow(edit)
            self.reasons[issue.key] = edit
        layout.addLayout(form)
        self.error = _error_label()
        layout.addWidget(self.error)
        layout.addWidget(_buttons(self, self.tr("Continue")))

    def given(self) -> dict[str, str]:
        return {key: edit.text().strip() for key, edit in self.reasons.items()}

    def accept(self) -> None:
        if any(len(reason) < 2 for reason in self.given().values()):
            self.error.setText(self.tr("Give a reason for every warning."))
            self.error.show()
            return
        super().accept()


class ReasonDialog(QDialog):
    """A reason for voiding or reissuing (the server requires one and records it)."""

    def __init__(self, title: str, prompt: str, ok_text: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.error = _error_label()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(prompt))
        layout.addWidget(self.reason)
        layout.addWidget(self.error)
        layout.addWidget(_buttons(self, ok_text))

    def text(self) -> str:
        return self.reason.text().strip()

    def accept(self) -> None:
        if len(self.text()) < 2:
            self.error.setText(self.tr("Enter a reason (at least 2 characters)."))
            self.error.show()
            return
        super().accept()


class KeySetupDialog(QDialog):
    """First-time set-up of the signing key: generate it here, show the public key for the
    administrator to register."""

    generated = Signal(str)  # the public key PEM

    def __init__(self, *, public_pem: str | None, registered: bool, persistent: bool,
                 generate: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._generate = generate
        self.setWindowTitle(self.tr("Signing key"))
        self.setMinimumSize(560, 380)
        self.state = QLabel()
        self.state.setObjectName("state")
        self.state.setWordWrap(True)
        self.public = QPlainTextEdit()
        self.public.setObjectName("public_key")
        self.public.setReadOnly(True)
        self.warning = QLabel(self.tr("This workstation has no system keyring: the key is kept "
                                      "only until the program closes."))
        self.warning.setStyleSheet(ERROR_STYLE)
        self.warning.setWordWrap(True)
        self.warning.setVisible(not persistent)
        self.generate_button = QPushButton(self.tr("Generate a new key pair"))
        self.generate_button.setObjectName("generate")
        self.generate_button.clicked.connect(self.on_generate_clicked)
        self.copy_button = QPushButton(self.tr("Copy public key"))
        self.copy_button.clicked.connect(self.on_copy_clicked)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addWidget(self.public, 1)
        layout.addWidget(self.warning)
        layout.addWidget(self.generate_button)
        layout.addWidget(self.copy_button)
        layout.addWidget(close)
        self.show_key(public_pem, registered)

    def show_key(self, public_pem: str | None, registered: bool) -> None:
        self.public.setPlainText(public_pem or "")
        self.copy_button.setEnabled(bool(public_pem))
        if public_pem is None:
            self.state.setText(self.tr("You have no signing key on this workstation yet. "
                                       "Generate one, then give the public key to the hospital "
                                       "administrator to register."))
        elif registered:
            self.state.setText(self.tr("Your signing key is registered: you can sign."))
        else:
            self.state.setText(self.tr("Give this public key to the hospital administrator to "
                                       "register. You can sign once it is registered."))

    def on_generate_clicked(self) -> None:
        pem = self._generate()
        self.show_key(pem, registered=False)
        self.generated.emit(pem)

    def on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.public.toPlainText())


class TemplateSaveDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Save as template"))
        self.name = QLineEdit()
        self.name.setObjectName("name")
        self.personal = QRadioButton(self.tr("Personal"))
        self.personal.setObjectName("personal")
        self.department = QRadioButton(self.tr("Whole department"))
        self.department.setObjectName("department")
        self.personal.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.personal)
        group.addButton(self.department)
        self.error = _error_label()
        form = QFormLayout(self)
        form.addRow(self.tr("Template name"), self.name)
        form.addRow(self.tr("Visible to"), self.personal)
        form.addRow("", self.department)
        form.addRow(self.error)
        form.addRow(_buttons(self, self.tr("Save")))

    @property
    def scope(self) -> str:
        return "department" if self.department.isChecked() else "personal"

    def accept(self) -> None:
        if not self.name.text().strip():
            self.error.setText(self.tr("Enter a name."))
            self.error.show()
            return
        super().accept()


class TemplatePickDialog(QDialog):
    def __init__(self, templates: Sequence[Template], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Use a template"))
        self.setMinimumSize(420, 320)
        self.templates = list(templates)
        self.list = QListWidget()
        self.list.setObjectName("templates")
        for template in self.templates:
            scope = (self.tr("Department") if template.scope == "department"
                     else self.tr("Personal"))
            self.list.addItem(QListWidgetItem(
                f"{template.name}  [{scope}] · " + self.tr("%n lines", None,
                                                          len(template.lines))))
        if self.templates:
            self.list.setCurrentRow(0)
        self.list.itemActivated.connect(self.accept)
        layout = QVBoxLayout(self)
        if not self.templates:
            layout.addWidget(QLabel(self.tr("No templates yet.")))
        layout.addWidget(self.list)
        layout.addWidget(_buttons(self, self.tr("Use")))

    @property
    def chosen(self) -> Template | None:
        row = self.list.currentRow()
        return self.templates[row] if 0 <= row < len(self.templates) else None


class PatientSearchDialog(QDialog):
    """Find a patient by hospital card, insurance card, ID number or full name (exact match:
    the server searches blind indexes, never a substring)."""

    def __init__(self, search: Callable[[dict[str, str]], Sequence[Patient]], worker: Worker,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._search = search
        # Only the newest search answers: an earlier one's patients, arriving late, would
        # otherwise fill the list (first row selected, Enter opens it) under the newer query.
        self._latest = LatestOnly(worker, self)
        self._latest.succeeded.connect(self.on_search_succeeded)
        self._latest.failed.connect(self.on_search_failed)
        self.setWindowTitle(self.tr("Open a patient"))
        self.setMinimumSize(480, 360)
        self.query = QLineEdit()
        self.query.setObjectName("query")
        self.query.setPlaceholderText(self.tr("Visit card, insurance card, ID number or name"))
        self.query.returnPressed.connect(self.run_search)
        self.results = QListWidget()
        self.results.setObjectName("results")
        self.results.itemActivated.connect(self.accept)
        self.error = _error_label()
        self.found: list[Patient] = []
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.error)
        layout.addWidget(_buttons(self, self.tr("Open")))

    @staticmethod
    def criteria(text: str) -> dict[str, str]:
        """Which field the typed text is, by its shape."""
        text = text.strip()
        if len(text) == 18 and text[:17].isdigit():
            return {"id_number": text.upper()}
        if text[:1].isalpha() and text[:1].isascii() and any(c.isdigit() for c in text):
            return {"hospital_card": text.upper()}
        if text.isdigit():
            return {"insurance_card": text}
        return {"name": text}

    def run_search(self) -> None:
        text = self.query.text().strip()
        if not text:
            return
        search, criteria = self._search, self.criteria(text)
        self._latest.request(lambda: search(criteria))

    def on_search_succeeded(self, patients: Sequence[Patient]) -> None:
        self.found = list(patients)
        self.results.clear()
        self.error.hide()
        for patient in self.found:
            born = f"{patient.birth_date:%Y-%m-%d}" if patient.birth_date else ""
            self.results.addItem(f"{patient.name}  {patient.id_number or ''}  {born}")
        if self.found:
            self.results.setCurrentRow(0)
            self.results.setFocus()
        else:
            self.error.setText(self.tr("No patient found."))
            self.error.show()

    def on_search_failed(self, exc: BaseException) -> None:
        self.error.setText(describe_failure(exc).message)
        self.error.show()

    @property
    def chosen(self) -> Patient | None:
        row = self.results.currentRow()
        return self.found[row] if 0 <= row < len(self.found) else None

    def accept(self) -> None:
        if self.chosen is not None:
            super().accept()


def issue_subject(issue: Issue, names: dict[int, str]) -> str:
    """The drugs an issue is about, by line number."""
    return "、".join(names[n] for n in issue.lines if n in names)
