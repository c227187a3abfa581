"""My prescriptions and templates in the real app: void with a reason, reissue (the new draft
opens in the editor), PDF with the QR code, the list read again on a resync; save the lines as a
template and apply it."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from client_doctor.ui.dialogs import TemplateSaveDialog
from common.api.models import LiveEvent, PrescriptionPage
from common.events import resync_event
from tests.client_doctor.journey import (
    WAIT,
    click_ok,
    log_in,
    open_patient,
    pick_drug,
    settled,
    type_line,
    type_text,
)
from tests.clients import draft, sign_and_submit

pytestmark = pytest.mark.slow


class TestMyPrescriptions:
    def test_void_reissue_and_pdf(self, qtbot, doctor_app, demo, clock, staff, tmp_path):
        doctor = staff("doctor_wang")
        body = draft(demo, doctor.api)
        first = sign_and_submit(doctor, body, doctor.api.create_draft(body))
        second = sign_and_submit(doctor, body, doctor.api.create_draft(body))
        app = doctor_app()
        window = log_in(qtbot, app, demo, clock)
        view = window.prescriptions
        view.pdf_dir = tmp_path
        qtbot.waitUntil(lambda: view.status_of(second.id) == "under_review", timeout=WAIT)
        # Whose each one is, from the list itself (no patient was opened in this app).
        patients = {view.table.item(i, 1).text() for i in range(view.table.rowCount())}
        assert patients and "" not in patients

        view.show_prescription(doctor.api.get_prescription(first.id))
        qtbot.mouseClick(view.void_button, Qt.MouseButton.LeftButton)
        dialog = view.reason_dialog
        assert dialog is not None
        type_text(qtbot, dialog.reason, "患者要求更换药品")
        click_ok(qtbot, dialog)
        qtbot.waitUntil(lambda: view.status_of(first.id) == "voided", timeout=WAIT)
        qtbot.waitUntil(lambda: view.badge.code == "voided", timeout=WAIT)
        assert not view.void_button.isEnabled()
        details = view.details.toPlainText()
        assert str(first.patient_id) not in details
        assert any(f"患者：{name}" in details for name in patients)

        qtbot.mouseClick(view.pdf_button, Qt.MouseButton.LeftButton)
        pdf = tmp_path / f"{first.number}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 2000

        view.show_prescription(doctor.api.get_prescription(second.id))
        qtbot.mouseClick(view.reissue_button, Qt.MouseButton.LeftButton)
        dialog = view.reason_dialog
        assert dialog is not None
        type_text(qtbot, dialog.reason, "剂量调整后重开")
        click_ok(qtbot, dialog)
        editor = window.editor
        qtbot.waitUntil(lambda: editor.editor is not None and editor.editor.saved is not None
                        and editor.editor.saved.supersedes_id == second.id, timeout=WAIT)
        assert window.tabs.currentWidget() is editor
        assert editor.editor is not None and editor.editor.lines[0].product.generic_name \
            .startswith("布洛芬")
        qtbot.waitUntil(lambda: view.status_of(second.id) == "voided", timeout=WAIT)


    def test_answers_arriving_out_of_order(self, qtbot, doctor_app, demo, clock, staff):
        doctor = staff("doctor_wang")
        body = draft(demo, doctor.api)
        rx = sign_and_submit(doctor, body, doctor.api.create_draft(body))
        app = doctor_app()
        window = log_in(qtbot, app, demo, clock)
        view = window.prescriptions
        before = doctor.api.get_prescription(rx.id)
        view.show_prescription(before)
        assert view.void_button.isEnabled()
        voided = doctor.api.void_prescription(rx.id, version=before.version, reason="患者要求")
        # The status event comes first: "Void" goes with the badge, not with the details.
        view.on_event(LiveEvent(id=10**9, type="prescription.status", created_at=clock.now(),
                                org_id=rx.org_id, entity_type="prescription",
                                entity_id=str(rx.id),
                                payload={"id": str(rx.id), "status": "voided"}))
        assert view.badge.code == "voided" and not view.void_button.isEnabled()
        # A read started before the void answers after it: it changes nothing.
        view.on_details_loaded(voided)
        view.on_details_loaded(before)
        assert view.badge.code == "voided" and view.status_of(rx.id) == "voided"
        assert not view.void_button.isEnabled() and view.reissue_button.isEnabled()
        qtbot.waitUntil(lambda: not view.busy, timeout=WAIT)


class TestResync:
    def test_a_resync_reads_the_list_again(self, qtbot, doctor_app, demo, clock, staff):
        app = doctor_app()
        window = log_in(qtbot, app, demo, clock)
        view = window.prescriptions
        qtbot.waitUntil(lambda: not view.busy, timeout=WAIT)
        events = app.events
        assert events is not None
        events.stop()  # what follows is missed, as by a workstation that was away
        doctor = staff("doctor_wang")
        body = draft(demo, doctor.api)
        missed = sign_and_submit(doctor, body, doctor.api.create_draft(body))
        events.on_event(resync_event(1))  # as the subscriber delivers the server's resync
        qtbot.waitUntil(lambda: view.status_of(missed.id) == "under_review", timeout=WAIT)

    def test_an_earlier_list_answering_last_changes_nothing(self, qtbot, doctor_app, demo, clock,
                                                           staff, monkeypatch):
        app = doctor_app()
        window = log_in(qtbot, app, demo, clock)
        view = window.prescriptions
        qtbot.waitUntil(lambda: not view.busy, timeout=WAIT)
        assert app.events is not None
        app.events.stop()  # only the list reads tell the view of the new prescription
        api = view.ctx.api
        real, release, calls = api.list_my_prescriptions, threading.Event(), []

        def list_my_prescriptions(**kw):
            calls.append(kw)
            if len(calls) == 1:
                release.wait(10)
                return PrescriptionPage(items=[], total=0)  # read before the submission
            return real(**kw)

        monkeypatch.setattr(api, "list_my_prescriptions", list_my_prescriptions)
        doctor = staff("doctor_wang")
        body = draft(demo, doctor.api)
        rx = sign_and_submit(doctor, body, doctor.api.create_draft(body))
        view.refresh()
        qtbot.waitUntil(lambda: bool(calls), timeout=WAIT)  # the first read is under way
        view.refresh()
        qtbot.waitUntil(lambda: view.status_of(rx.id) is not None, timeout=WAIT)
        release.set()
        qtbot.waitUntil(lambda: not view.busy and view.ctx.worker.pending == 0, timeout=WAIT)
        assert view.status_of(rx.id) is not None


class TestTemplates:
    def test_save_and_apply(self, qtbot, doctor_app, demo, clock):
        app = doctor_app()
        window = log_in(qtbot, app, demo, clock)
        editor = open_patient(qtbot, window, "吴敏")
        pick_drug(qtbot, editor, "anl", name="氨氯地平")
        type_line(qtbot, editor, frequency="qd", days="7")
        qtbot.waitUntil(lambda: settled(editor), timeout=WAIT)
        qtbot.mouseClick(editor.save_template_button, Qt.MouseButton.LeftButton)
        save = editor.template_dialog
        assert isinstance(save, TemplateSaveDialog)
        type_text(qtbot, save.name, "高血压常用")
        save.department.setChecked(True)
        click_ok(qtbot, save)
        qtbot.waitUntil(lambda: "高血压常用" in editor.readiness.text(), timeout=WAIT)
        [made] = [t for t in app.api.list_templates() if t.name == "高血压常用"]
        assert made.scope == "department" and made.lines[0]["frequency"] == "qd"

        editor.new_prescription()
        assert editor.editor is not None and editor.editor.lines == []
        qtbot.mouseClick(editor.use_template_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: editor.template_dialog is not None
                        and editor.template_dialog.isVisible(), timeout=WAIT)
        pick = editor.template_dialog
        assert pick is not None
        click_ok(qtbot, pick)
        qtbot.waitUntil(lambda: editor.editor is not None and len(editor.editor.lines) == 1
                        and settled(editor), timeout=WAIT)
        line = editor.editor.lines[0]
        assert "氨氯地平" in line.product.generic_name and line.days == 7
        assert line.quantity is not None
