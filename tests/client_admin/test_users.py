"""Users at the administration workstation against the real server: an administrator creates
a doctor (the one-time second factor shown), grants the department a right in the matrix,
freezes the account, and the doctor's next call is refused; the form names a separation-of-
duties conflict and shows the server's refusals next to the field."""

from __future__ import annotations

import uuid

import pyotp
import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from client_admin.ui.rights_view import RightsView
from client_admin.ui.users_view import UserDialog, UsersView
from common import signing
from common.api import ApiClient
from common.api.errors import AccountFrozen
from common.auth import CredentialStore, Session
from server.seed.demo import DemoGroup
from tests.client_admin.conftest import settled
from tests.clients import FAST_RETRY

PASSWORD = "Ward-7#Night-Shift"


def fill_doctor(dialog: UserDialog, demo: DemoGroup, username: str) -> None:
    dialog.org.setCurrentIndex(dialog.org.findData(demo.organisations["H1"]))
    dialog.department.setCurrentIndex(dialog.department.findData(
        demo.organisations["H1-CARD"]))
    dialog.username.setText(username)
    dialog.display_name.setText("欧阳明")
    dialog.password.setText(PASSWORD)
    dialog.roles["doctor"].setChecked(True)
    dialog.title.setCurrentIndex(dialog.title.findData("attending"))


def ok(dialog: UserDialog) -> None:
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert button is not None
    button.click()


def test_create_doctor_grant_right_freeze_and_the_doctor_is_refused(
        qtbot: QtBot, workstation, demo: DemoGroup, live_server, clock) -> None:
    station, _admin = workstation("admin_h1")
    users = station.window.show_page("users")
    assert isinstance(users, UsersView)
    settled(qtbot, users)
    assert "doctor_wang" in [u["username"] for u in users.users]
    assert station.window.tabs.tabText(0) == "用户"

    username = f"dr_{uuid.uuid4().hex[:6]}"
    dialog = users.open_new()
    fill_doctor(dialog, demo, username)
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        ok(dialog)
    settled(qtbot, users)
    created = next(u for u in users.users if u["username"] == username)
    assert created["roles"] == ["doctor"] and created["professional_title"] == "attending"
    assert created["department_id"] == demo.organisations["H1-CARD"]
    assert users.secret.isVisible()
    secret = users.secret_text.text().split("密钥：")[1].split("\n")[0]

    # The new doctor enrols the secret and logs in through the client base.
    doctor_api = ApiClient(live_server.url, retry=FAST_RETRY, workstation="TEST-DR")
    session = Session(doctor_api, store=CredentialStore(doctor_api.base_url))
    clock.advance(seconds=30)
    session.login(username, PASSWORD, pyotp.TOTP(secret).at(clock.now()))
    assert doctor_api.me().name == "欧阳明"

    # Rights: the cardiology matrix gets narcotics for attending physicians.
    rights = station.window.show_page("rights")
    assert isinstance(rights, RightsView)
    settled(qtbot, rights)
    rights.department.setCurrentIndex(rights.department.findData(
        demo.organisations["H1-CARD"]))
    settled(qtbot, rights)
    matrix = rights.prescribing.matrix
    assert matrix is not None and not matrix.is_granted("attending", "narcotic")
    rights.prescribing.toggle("attending", "narcotic")
    assert matrix.added == {("attending", "narcotic")}
    rights.save_prescribing_button.click()
    settled(qtbot, rights)
    assert "已保存" in rights.message.text()
    granted = station.services.admin.prescribing_rights(demo.organisations["H1-CARD"])
    assert {"title": "attending", "drug_class": "narcotic"} in granted["cells"]

    # Freeze: the doctor's very next request is refused.
    users = station.window.show_page("users")
    assert isinstance(users, UsersView)
    users.select(username)
    user = users.selected()
    assert user is not None
    users.freeze(user, "离职交接")
    settled(qtbot, users)
    row = [u["username"] for u in users.users].index(username)
    assert users.table.item(row, 6).text() == "已冻结（离职交接）"
    assert "已冻结" in users.message.text()
    with pytest.raises(AccountFrozen):
        doctor_api.me()
    doctor_api.close()


def test_the_form_names_separation_of_duties_and_server_refusals(
        qtbot: QtBot, workstation, demo: DemoGroup) -> None:
    station, _admin = workstation("admin_group")
    users = station.window.show_page("users")
    assert isinstance(users, UsersView)
    settled(qtbot, users)
    dialog = users.open_new()
    dialog.org.setCurrentIndex(dialog.org.findData(demo.organisations["GRP"]))
    dialog.username.setText("two_hats")
    dialog.display_name.setText("钱多")
    dialog.password.setText(PASSWORD)
    dialog.roles["system_admin"].setChecked(True)
    dialog.roles["auditor"].setChecked(True)
    ok(dialog)
    error = dialog.errors["roles"]
    assert error.isVisible()
    assert error.text() == "三权分立：同一账号不得同时担任系统管理员、审计管理员，请只选其一。"
    assert dialog.isVisible() and not users.busy

    # A weak password passes the form; the server refuses it and the dialog says why.
    dialog.roles["system_admin"].setChecked(False)
    dialog.password.setText("123")
    ok(dialog)
    qtbot.waitUntil(lambda: bool(dialog.server_error.text()), timeout=15_000)
    assert "密码" in dialog.server_error.text()
    assert dialog.isVisible()
    dialog.reject()


def test_edit_level_and_register_a_signing_key(qtbot: QtBot, workstation) -> None:
    station, admin = workstation("admin_h1")
    users = station.window.show_page("users")
    assert isinstance(users, UsersView)
    settled(qtbot, users)
    users.select("pharm_liu")
    dialog = users.open_edit()
    assert dialog is not None
    assert dialog.level.currentData() == "pharmacist"
    dialog.level.setCurrentIndex(dialog.level.findData("supervising_pharmacist"))
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        ok(dialog)
    settled(qtbot, users)
    liu = users.selected()
    assert liu is not None and liu["pharmacist_level"] == "supervising_pharmacist"
    assert users.table.item(users.table.currentRow(), 5).text() == "主管药师"

    key = signing.generate_private_key()
    users.register_certificate(liu, "sm2-sm3", signing.export_public_key(key))
    settled(qtbot, users)
    assert users.message.text() == "已登记 刘洋 的签名公钥。"
    assert len(admin.api.call("GET", f"/users/{liu['id']}/certificates")) == 2
