"""The review screen's dialogs: the rejection reason, the confirmation of what is signed, and
the first-time set-up of the signing key. Each is opened with `open()` (never a nested event
loop) and reports through `accepted`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client_pharmacist.review import Decision, DecisionProblem
from client_pharmacist.signing_key import NewKey
from client_pharmacist.ui.labels import decision_label

ERROR_STYLE = "color: #c62828;"


class RejectDialog(QDialog):
    """A coded reason (`GET /review/reasons`) and a text for the doctor."""

    def __init__(self, reasons: Mapping[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Reject the prescription"))
        self.setModal(True)
        self.setMinimumWidth(420)
        self.reason = QComboBox()
        self.reason.setObjectName("reason")
        self.reason.addItem(self.tr("— choose a reason —"), None)
        for code, label in reasons.items():
            self.reason.addItem(label, code)
        self.text = QPlainTextEdit()
        self.text.setObjectName("reason_text")
        self.text.setPlaceholderText(self.tr("What the doctor should change (required)"))
        self.text.setFixedHeight(90)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        form = QFormLayout()
        form.addRow(self.tr("Reason"), self.reason)
        form.addRow(self.tr("Explanation"), self.text)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.continue_button = self.buttons.addButton(
            self.tr("Continue to signing"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.continue_button.setObjectName("continue")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.error)
        box.addWidget(self.buttons)

    def decision(self) -> Decision:
        return Decision("rejected", reason_code=self.reason.currentData(),
                        reason_text=self.text.toPlainText().strip())

    def accept(self) -> None:
        problems = self.decision().problems()
        if problems:
            messages = {DecisionProblem.NO_REASON: self.tr("Choose a rejection reason."),
                        DecisionProblem.SHORT_TEXT: self.tr("Explain the reason to the doctor.")}
            self.error.setText(" ".join(messages[p] for p in problems))
            self.error.show()
            return
        super().accept()


class ConfirmSignatureDialog(QDialog):
    """Shows exactly what the pharmacist's key is about to sign."""

    def __init__(self, document: Mapping[str, Any], sha256: str, *, reason_label: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Confirm and sign"))
        self.setModal(True)
        self.setMinimumWidth(480)
        intro = QLabel(self.tr("Your electronic signature will be applied to this decision. "
                               "It is bound to the prescription exactly as the doctor signed "
                               "it."))
        intro.setWordWrap(True)
        form = QFormLayout()
        self.fields: dict[str, QLabel] = {}

        def add(name: str, label: str, value: str) -> None:
            shown = QLabel(value)
            shown.setObjectName(name)
            shown.setWordWrap(True)
            form.addRow(label, shown)
            self.fields[name] = shown

        decision = str(document.get("decision", ""))
        add("number", self.tr("Prescription"), str(document.get("prescription_number", "")))
        add("revision", self.tr("Revision"), str(document.get("prescription_revision", "")))
        add("decision", self.tr("Decision"), decision_label(decision))
        if decision == "rejected":
            add("reason", self.tr("Reason"), reason_label or str(document.get("reason_code")))
            add("reason_text", self.tr("Explanation"), str(document.get("reason_text", "")))
        digest = str(document.get("prescription_digest", ""))
        add("digest", self.tr("Prescription digest"), digest[:16] + "…" if digest else "—")
        add("sha256", self.tr("Document SHA-256"), sha256[:16] + "…")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_button = buttons.addButton(self.tr("Sign and send"),
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_button.setObjectName("sign")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addLayout(form)
        box.addWidget(buttons)


class KeySetupDialog(QDialog):
    """First signature on this workstation: make a key pair and show the public key, which the
    hospital administrator registers before the first decision can be signed."""

    def __init__(self, *, existing: NewKey | None, persistent: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Signing key"))
        self.setModal(True)
        self.setMinimumWidth(560)
        self.key: NewKey | None = existing
        self.explanation = QLabel()
        self.explanation.setObjectName("explanation")
        self.explanation.setWordWrap(True)
        self.public_key = QPlainTextEdit()
        self.public_key.setObjectName("public_key")
        self.public_key.setReadOnly(True)
        self.public_key.setFixedHeight(120)
        self.fingerprint = QLabel()
        self.fingerprint.setObjectName("fingerprint")
        self.fingerprint.setWordWrap(True)
        self.warning = QLabel(self.tr(
            "No secure credential store on this computer: the key is kept only until the "
            "program closes."))
        self.warning.setStyleSheet(ERROR_STYLE)
        self.warning.setWordWrap(True)
        self.warning.setVisible(not persistent)
        self.create_button = QPushButton(self.tr("Create my key pair"))
        self.create_button.setObjectName("create_key")
        self.copy_button = QPushButton(self.tr("Copy public key"))
        self.copy_button.setObjectName("copy_key")
        self.copy_button.clicked.connect(self._copy)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.accept)
        box = QVBoxLayout(self)
        box.addWidget(self.explanation)
        box.addWidget(self.public_key)
        box.addWidget(self.fingerprint)
        box.addWidget(self.warning)
        box.addWidget(self.create_button)
        box.addWidget(self.copy_button)
        box.addWidget(self.close_button)
        self.show_key(existing)

    def show_key(self, key: NewKey | None) -> None:
        self.key = key
        has = key is not None
        self.explanation.setText(
            self.tr("Give this public key to the hospital administrator to register. Until it "
                    "is registered, decisions you sign are refused.") if has else
            self.tr("You have no signing key on this workstation yet. Create one: the private "
                    "key stays in this computer's credential store; the public key is shown "
                    "for the administrator to register."))
        self.public_key.setPlainText(key.public_key_pem if key else "")
        self.public_key.setVisible(has)
        self.fingerprint.setText(self.tr("Algorithm %1, fingerprint %2")
                                 .replace("%1", key.algorithm).replace("%2", key.fingerprint)
                                 if key else "")
        self.fingerprint.setVisible(has)
        self.copy_button.setVisible(has)
        self.create_button.setVisible(not has)

    def _copy(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if self.key is not None and clipboard is not None:
            clipboard.setText(self.key.public_key_pem)
