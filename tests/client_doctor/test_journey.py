"""Acceptance: the real app (offscreen) against the real server. Log in with TOTP, open the
penicillin-allergic patient, type `amxl`, pick amoxicillin, see the allergy warning, replace it
with a safe drug, sign, submit; the pharmacist's approval arrives without a refresh; a
rejection shows its reason and the revised prescription resubmits."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from client_doctor.editor import Readiness
from client_doctor.ui.main_window import MainWindow
from tests.client_doctor.journey import (
    WAIT,
    approve,
    log_in,
    open_patient,
    pick_drug,
    reject,
    settled,
    sign,
    type_line,
)

pytestmark = pytest.mark.slow


def submitted_number(qtbot: QtBot, window: MainWindow) -> str:
    view = window.prescriptions
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is view and view.selected is not None,
                    timeout=WAIT)
    assert view.selected is not None
    return str(view.selected)


class TestPrescribing:
    def test_allergy_warning_then_a_safe_drug_is_signed_and_approved_live(
            self, qtbot, doctor_app, demo, clock, staff):
        app = doctor_app()
        window = log_in(qtbot, app, demo, clock)
        editor = open_patient(qtbot, window, "吴敏")
        # The patient's context is in view: allergy, diagnosis.
        assert "青霉素" in editor.banner.allergies.text()
        assert editor.allergy_list.item(0).text().startswith("青霉素")
        assert "I10 原发性高血压" in editor.diagnoses.text()

        pick_drug(qtbot, editor, "amxl")
        assert editor.editor is not None
        assert editor.editor.lines[0].product.generic_name.startswith("阿莫西林")
        # The cursor went on to the dose of the new line.
        assert editor.fields["dose"].hasFocus() or editor.current_row == 0
        qtbot.waitUntil(lambda: any(r.warning.level == 3 for r in editor.warnings.rows()),
                        timeout=WAIT)
        allergy = next(r for r in editor.warnings.rows() if r.warning.level == 3)
        assert "青霉素" in allergy.warning.message or "过敏" in allergy.warning.message
        assert allergy.level_chip.text() == "禁用"  # black, in the Chinese UI
        assert editor.editor.readiness is Readiness.BLOCKED
        assert not editor.sign_button.isEnabled()

        # Replace it: Delete on the line, then a drug that suits a hypertensive patient.
        editor.table.setFocus()
        qtbot.keyClick(editor.table, Qt.Key.Key_Delete)
        assert editor.editor.lines == []
        pick_drug(qtbot, editor, "anl", name="氨氯地平")
        line = editor.editor.lines[0]
        assert "氨氯地平" in line.product.generic_name
        type_line(qtbot, editor, dose="1", frequency="qd", days="7")
        qtbot.waitUntil(lambda: settled(editor), timeout=WAIT)
        assert not any(r.warning.level == 3 for r in editor.warnings.rows())
        assert line.frequency == "qd" and line.days == 7
        assert line.quantity is not None and line.quantity >= 1  # from the saved draft
        quantity_cell = editor.table.item(0, 6)
        assert quantity_cell is not None and quantity_cell.text().startswith(str(line.quantity))

        shown = sign(qtbot, editor)
        assert "氨氯地平" in shown and "I10 原发性高血压" in shown
        number = submitted_number(qtbot, window)
        view = window.prescriptions
        rx_id = view.selected
        assert rx_id is not None
        qtbot.waitUntil(lambda: view.status_of(rx_id) == "under_review", timeout=WAIT)

        approve(staff, rx_id)  # by a pharmacist, through the API
        # No refresh: the live event moves the status on.
        qtbot.waitUntil(lambda: view.status_of(rx_id) == "awaiting_patient_choice",
                        timeout=WAIT)
        qtbot.waitUntil(lambda: view.badge.code == "awaiting_patient_choice", timeout=WAIT)
        assert view.badge.text() == "待患者选择药店"
        assert number

    def test_a_rejection_shows_its_reason_and_the_revision_resubmits(
            self, qtbot, doctor_app, demo, clock, staff):
        app = doctor_app()
        window = log_in(qtbot, app, demo, clock)
        editor = open_patient(qtbot, window, "李娜")
        editor.diagnoses.setText("J02.9 急性咽炎")
        editor.on_diagnoses_editing_finished()
        pick_drug(qtbot, editor, "布洛芬")
        type_line(qtbot, editor, days="5")
        qtbot.waitUntil(lambda: settled(editor), timeout=WAIT)
        # Not contraindicated, but a warning that needs the doctor's reason to go on.
        assert editor.editor is not None
        assert editor.editor.readiness is Readiness.NEEDS_OVERRIDE
        sign(qtbot, editor, override_reason="已评估，获益大于风险")
        submitted_number(qtbot, window)
        view = window.prescriptions
        rx_id = view.selected
        assert rx_id is not None

        reject(staff, rx_id, "疗程偏长，请改为3天")
        qtbot.waitUntil(lambda: view.status_of(rx_id) == "rejected", timeout=WAIT)
        qtbot.waitUntil(view.reason.isVisible, timeout=WAIT)
        assert "疗程偏长，请改为3天" in view.reason.text()
        assert view.revise_button.isEnabled()

        qtbot.mouseClick(view.revise_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.tabs.currentWidget() is editor and editor.editor
                        is not None and editor.editor.saved is not None
                        and editor.editor.saved.id == rx_id and not editor.busy, timeout=WAIT)
        editor.select_line(0)
        type_line(qtbot, editor, days="3")
        shown = sign(qtbot, editor, override_reason="已评估，获益大于风险")
        assert "3" in shown
        qtbot.waitUntil(lambda: view.status_of(rx_id) == "under_review", timeout=WAIT)
        resubmitted = app.api.get_prescription(rx_id)
        assert resubmitted.revision == 2 and resubmitted.lines[0].days == 3
        assert [t.to_status for t in resubmitted.transitions].count("submitted") == 2
