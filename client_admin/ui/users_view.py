"""Users: the accounts of the organisations the administrator sees; create and edit (roles,
department, title, pharmacist level), freeze and unfreeze, reset the second factor, register a
signing key. Separation of duties is checked in the form and named if the server refuses."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client_admin.ui.labels import (
    level_label,
    role_label,
    title_label,
    user_status_label,
)
from client_admin.ui.page import ERROR_STYLE, Page, fill_table, make_table
from client_admin.ui.services import AppServices, failure_text
from client_admin.users import (
    LEVELS,
    ROLES,
    TITLES,
    Problem,
    UserForm,
    create_body,
    problems,
    separated_roles_held,
    update_body,
)

translate = QCoreApplication.translate


def problem_text(problem: Problem, form: UserForm) -> str:
    if problem == Problem.SEPARATION_OF_DUTIES:
        held = "、".join(role_label(r) for r in separated_roles_held(form.roles))
        return translate("UserForm", "Separation of duties: one account may not be %1 at "
                                     "once. Choose one of them.").replace("%1", held)
    return {
        Problem.REQUIRED: translate("UserForm", "Required."),
        Problem.USERNAME_FORMAT: translate(
            "UserForm", "3 to 64 letters, digits, dots, hyphens or underscores."),
        Problem.NO_ROLE: translate("UserForm", "Choose at least one role."),
        Problem.TITLE_REQUIRED: translate("UserForm", "A doctor needs a professional title."),
        Problem.LEVEL_REQUIRED: translate("UserForm", "A pharmacist needs a level."),
    }[problem]


class UserDialog(QDialog):
    """Create (no user) or edit a user. OK checks the form, then asks the page to save
    (`save_requested`); the dialog stays open until the page says it saved, so a refusal by
    the server is shown next to the field at fault."""

    save_requested = Signal(object)  # UserForm

    def __init__(self, organisations: list[dict[str, Any]], user: dict[str, Any] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.user = user
        self.organisations = organisations
        self.setWindowTitle(self.tr("Edit user") if user else self.tr("New user"))
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout(self)
        self.org = QComboBox()
        self.org.setObjectName("org")
        for org in organisations:
            if org["kind"] in ("group", "hospital", "clinic", "pharmacy"):
                self.org.addItem(org["name"], str(org["id"]))
        self.department = QComboBox()
        self.department.setObjectName("department")
        self.org.currentIndexChanged.connect(self._on_org_current_index_changed)
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.display_name = QLineEdit()
        self.display_name.setObjectName("display_name")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.roles: dict[str, QCheckBox] = {}
        roles_box = QWidget()
        roles_layout = QVBoxLayout(roles_box)
        roles_layout.setContentsMargins(0, 0, 0, 0)
        for role in ROLES:
            check = QCheckBox(role_label(role))
            check.setObjectName(f"role_{role}")
            self.roles[role] = check
            roles_layout.addWidget(check)
        self.title = QComboBox()
        self.title.setObjectName("professional_title")
        self.title.addItem("—", None)
        for code in TITLES:
            self.title.addItem(title_label(code), code)
        self.level = QComboBox()
        self.level.setObjectName("pharmacist_level")
        self.level.addItem("—", None)
        for code in LEVELS:
            self.level.addItem(level_label(code), code)
        rows: list[tuple[str, str, QWidget]] = [
            ("org_id", self.tr("Organisation"), self.org),
            ("department_id", self.tr("Department"), self.department),
            ("username", self.tr("Username"), self.username),
            ("display_name", self.tr("Name"), self.display_name),
            ("password", self.tr("Initial password"), self.password),
            ("roles", self.tr("Roles"), roles_box),
            ("professional_title", self.tr("Professional title"), self.title),
            ("pharmacist_level", self.tr("Pharmacist level"), self.level),
        ]
        for name, label, widget in rows:
            if user is not None and name in ("org_id", "username", "password"):
                continue
            error = QLabel()
            error.setObjectName(f"error_{name}")
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            self.errors[name] = error
            column = QWidget()
            box = QVBoxLayout(column)
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(widget)
            box.addWidget(error)
            form.addRow(label, column)
        self.server_error = QLabel()
        self.server_error.setObjectName("server_error")
        self.server_error.setStyleSheet(ERROR_STYLE)
        self.server_error.setWordWrap(True)
        form.addRow(self.server_error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self._fill(user)

    def _fill(self, user: dict[str, Any] | None) -> None:
        if user is None:
            self._on_org_current_index_changed()
            return
        self.org.setCurrentIndex(max(0, self.org.findData(str(user["org_id"]))))
        self._on_org_current_index_changed()
        self.department.setCurrentIndex(max(0, self.department.findData(
            user.get("department_id"))))
        self.display_name.setText(user["display_name"])
        for role, box in self.roles.items():
            box.setChecked(role in user["roles"])
        self.title.setCurrentIndex(max(0, self.title.findData(user.get("professional_title"))))
        self.level.setCurrentIndex(max(0, self.level.findData(user.get("pharmacist_level"))))

    def _on_org_current_index_changed(self, _index: int = 0) -> None:
        org_id = self.org.currentData()
        self.department.clear()
        self.department.addItem("—", None)
        for org in self.organisations:
            if org["kind"] == "department" and str(org["parent_id"]) == org_id:
                self.department.addItem(org["name"], str(org["id"]))

    def form(self) -> UserForm:
        form = UserForm.of_user(self.user) if self.user else UserForm()
        if self.user is None:
            form.org_id = self.org.currentData()
            form.username = self.username.text()
            form.password = self.password.text()
        form.department_id = self.department.currentData()
        form.display_name = self.display_name.text()
        form.roles = [role for role, box in self.roles.items() if box.isChecked()]
        form.professional_title = self.title.currentData()
        form.pharmacist_level = self.level.currentData()
        return form

    def submit(self) -> None:
        form = self.form()
        found = problems(form)
        for name, label in self.errors.items():
            problem = found.get(name)
            label.setText(problem_text(problem, form) if problem else "")
            label.setVisible(problem is not None)
        self.server_error.clear()
        if not found:
            self.buttons.setEnabled(False)
            self.save_requested.emit(form)

    def show_failure(self, exc: BaseException) -> None:
        """The server refused: its message, next to the field it names when there is one."""
        self.buttons.setEnabled(True)
        text = failure_text(exc)
        field = getattr(exc, "field", None) or ""
        name = field.split(".")[-1] if field else ""
        if name in self.errors:
            self.errors[name].setText(text)
            self.errors[name].show()
        self.server_error.setText(text)


class CertificateDialog(QDialog):
    """A doctor's or pharmacist's public signing key, to register."""

    def __init__(self, user: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Register signing key of %1").replace(
            "%1", user["display_name"]))
        form = QFormLayout(self)
        self.algorithm = QComboBox()
        self.algorithm.addItem(self.tr("SM2 with SM3 (national standard)"), "sm2-sm3")
        self.algorithm.addItem(self.tr("ECDSA P-256 with SHA-256"), "ecdsa-p256-sha256")
        self.public_key = QPlainTextEdit()
        self.public_key.setPlaceholderText(self.tr(
            "Public key as PEM (PUBLIC KEY), an X.509 certificate, or hex (04||X||Y)"))
        form.addRow(self.tr("Algorithm"), self.algorithm)
        form.addRow(self.tr("Public key"), self.public_key)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class UsersView(Page):
    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(services, parent)
        self.users: list[dict[str, Any]] = []
        self.organisations: list[dict[str, Any]] = []
        self.dialog: UserDialog | None = None
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(self.tr("Username or name"))
        self.search.returnPressed.connect(self.load)
        search_button = QPushButton(self.tr("Search"))
        search_button.clicked.connect(self.load)
        self.table = make_table([self.tr("Username"), self.tr("Name"), self.tr("Organisation"),
                                 self.tr("Department"), self.tr("Roles"),
                                 self.tr("Title / level"), self.tr("Status")], "users")
        self.table.doubleClicked.connect(self.open_edit)
        buttons = QHBoxLayout()
        self.action_buttons: dict[str, QPushButton] = {}
        for name, text, slot, permission in [
                ("new", self.tr("New user…"), self.open_new, "user.manage"),
                ("edit", self.tr("Edit…"), self.open_edit, "user.manage"),
                ("freeze", self.tr("Freeze…"), self._on_freeze_clicked, "user.freeze"),
                ("unfreeze", self.tr("Unfreeze"), self._on_unfreeze_clicked, "user.freeze"),
                ("reset", self.tr("Reset second factor"), self._on_reset_clicked,
                 "user.reset_second_factor"),
                ("certificate", self.tr("Register signing key…"),
                 self._on_certificate_clicked, "certificate.manage")]:
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(slot)
            button.setEnabled(services.can(permission))
            self.action_buttons[name] = button
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.secret = QGroupBox(self.tr("Second factor to enrol (shown once)"))
        self.secret.setObjectName("secret")
        secret_box = QVBoxLayout(self.secret)
        self.secret_text = QLabel()
        self.secret_text.setObjectName("secret_text")
        self.secret_text.setWordWrap(True)
        self.secret_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        hide = QPushButton(self.tr("Hide"))
        hide.clicked.connect(self.secret.hide)
        secret_box.addWidget(self.secret_text)
        secret_box.addWidget(hide, 0, Qt.AlignmentFlag.AlignRight)
        self.secret.hide()
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(search_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.secret)
        layout.addWidget(self.table, 1)

    # -- reading -------------------------------------------------------------------------------

    def load(self) -> None:
        super().load()
        admin, query = self.services.admin, self.search.text().strip() or None
        self.call(lambda: (admin.organisations(), admin.users(q=query)), self._on_loaded,
                  latest="users")

    def _on_loaded(self, answer: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> None:
        self.organisations, self.users = answer
        self.show_users()

    def show_users(self) -> None:
        names = {str(o["id"]): o["name"] for o in self.organisations}
        rows, colours = [], []
        for user in self.users:
            rows.append([
                user["username"], user["display_name"], names.get(str(user["org_id"]), ""),
                names.get(str(user.get("department_id")), ""),
                "、".join(role_label(r) for r in user["roles"]),
                title_label(user.get("professional_title"))
                or level_label(user.get("pharmacist_level")),
                user_status_label(user["status"])
                + (f"（{user['frozen_reason']}）" if user.get("frozen_reason") else "")])
            colours.append("#b71c1c" if user["status"] == "frozen" else None)
        fill_table(self.table, rows, colours)

    def selected(self) -> dict[str, Any] | None:
        row = self.table.currentRow()
        return self.users[row] if 0 <= row < len(self.users) else None

    def select(self, username: str) -> None:
        for row, user in enumerate(self.users):
            if user["username"] == username:
                self.table.selectRow(row)
                return
        raise KeyError(username)

    # -- creating and editing ------------------------------------------------------------------

    def open_new(self) -> UserDialog:
        return self._open_dialog(None)

    def open_edit(self) -> UserDialog | None:
        user = self.selected()
        return self._open_dialog(user) if user else None

    def _open_dialog(self, user: dict[str, Any] | None) -> UserDialog:
        dialog = UserDialog(self.organisations, user, self)
        dialog.save_requested.connect(self._on_dialog_save_requested)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_dialog_save_requested(self, form: UserForm) -> None:
        dialog = self.dialog
        admin = self.services.admin
        if form.creating:
            body = create_body(form)
            self.call(lambda: admin.create_user(body), self._on_created,
                      dialog.show_failure if dialog else None)
        else:
            assert dialog is not None and dialog.user is not None
            user_id, update = dialog.user["id"], update_body(form, dialog.user)
            self.call(lambda: admin.update_user(user_id, update), self._on_updated,
                      dialog.show_failure)

    def _close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.accept()
            self.dialog = None

    def _on_created(self, created: dict[str, Any]) -> None:
        self._close_dialog()
        user = created["user"]
        self.users.insert(0, user)
        self.show_users()
        self.table.selectRow(0)
        self.show_info(self.tr("User %1 created.").replace("%1", user["username"]))
        self._show_secret(user, created["totp_secret"], created["totp_uri"])

    def _on_updated(self, user: dict[str, Any]) -> None:
        self._close_dialog()
        self._replace(user)
        self.show_info(self.tr("User %1 saved.").replace("%1", user["username"]))

    def _show_secret(self, user: dict[str, Any], secret: str, uri: str) -> None:
        self.secret_text.setText(self.tr(
            "%1: enrol this key in the authenticator app now; it is not shown again.\n"
            "Key: %2\n%3").replace("%1", user["display_name"]).replace("%2", secret)
            .replace("%3", uri))
        self.secret.show()

    def _replace(self, user: dict[str, Any]) -> None:
        for index, known in enumerate(self.users):
            if known["id"] == user["id"]:
                self.users[index] = user
        row = self.table.currentRow()
        self.show_users()
        if row >= 0:
            self.table.selectRow(row)

    # -- account state -------------------------------------------------------------------------

    def freeze(self, user: dict[str, Any], reason: str) -> None:
        admin = self.services.admin
        self.call(lambda: admin.freeze_user(user["id"], reason), self._on_frozen)

    def _on_frozen(self, user: dict[str, Any]) -> None:
        self._replace(user)
        self.show_info(self.tr("%1 is frozen: their sessions stop at their next request.")
                       .replace("%1", user["display_name"]))

    def unfreeze(self, user: dict[str, Any]) -> None:
        admin = self.services.admin
        self.call(lambda: admin.unfreeze_user(user["id"]), self._on_unfrozen)

    def _on_unfrozen(self, user: dict[str, Any]) -> None:
        self._replace(user)
        self.show_info(self.tr("%1 may log in again.").replace("%1", user["display_name"]))

    def reset_second_factor(self, user: dict[str, Any]) -> None:
        admin = self.services.admin
        self.call(lambda: admin.reset_second_factor(user["id"]),
                  lambda reset: self._show_secret(user, reset["totp_secret"],
                                                  reset["totp_uri"]))

    def register_certificate(self, user: dict[str, Any], algorithm: str,
                             public_key: str) -> None:
        admin = self.services.admin
        self.call(lambda: admin.register_certificate(user["id"], algorithm=algorithm,
                                                     public_key=public_key),
                  lambda _c: self.show_info(self.tr("Signing key of %1 registered.")
                                            .replace("%1", user["display_name"])))

    def _on_freeze_clicked(self) -> None:
        user = self.selected()
        if user is None:
            return
        reason = self.ask_reason(self.tr("Freeze %1").replace("%1", user["display_name"]))
        if reason:
            self.freeze(user, reason)

    def _on_unfreeze_clicked(self) -> None:
        user = self.selected()
        if user is not None:
            self.unfreeze(user)

    def _on_reset_clicked(self) -> None:
        user = self.selected()
        if user is not None:
            self.reset_second_factor(user)

    def _on_certificate_clicked(self) -> None:
        user = self.selected()
        if user is None:
            return
        dialog = CertificateDialog(user, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.register_certificate(user, dialog.algorithm.currentData(),
                                      dialog.public_key.toPlainText().strip())
        dialog.deleteLater()
