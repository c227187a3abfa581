"""A submit made while the server is down: the signed request waits in the outbox with its
Idempotency-Key and is delivered exactly once when the server returns (same port)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from client_doctor.ui.main_window import MainWindow
from tests.client_doctor.journey import (
    WAIT,
    log_in,
    open_patient,
    pick_drug,
    settled,
    sign,
    type_line,
)
from tests.clients import ServerThread
from tests.helpers import audit_rows, sql

pytestmark = pytest.mark.slow


def write_prescription(qtbot: QtBot, window: MainWindow) -> None:
    editor = open_patient(qtbot, window, "吴敏")
    pick_drug(qtbot, editor, "anl", name="氨氯地平")
    type_line(qtbot, editor, frequency="qd", days="7")
    qtbot.waitUntil(lambda: settled(editor), timeout=WAIT)


class TestSubmitWhileOffline:
    def test_the_signed_submit_is_queued_and_delivered_once(
            self, qtbot, doctor_app, demo, clock, live_server: ServerThread, db):
        app = doctor_app()
        window = log_in(qtbot, app, demo, clock)
        write_prescription(qtbot, window)
        editor = window.editor
        assert editor.editor is not None and editor.editor.saved is not None
        rx_id = editor.editor.saved.id

        # The doctor reads what is signed; meanwhile the server goes away.
        sign(qtbot, editor, before_confirm=live_server.stop)
        qtbot.waitUntil(lambda: len(app.outbox.pending("doctor_wang")) == 1, timeout=WAIT)
        [entry] = app.outbox.pending("doctor_wang")
        assert entry.path == f"/prescriptions/{rx_id}/submit" and entry.idempotency_key
        assert b'"signature"' in (entry.body or b"")
        qtbot.waitUntil(window.offline_banner.isVisible, timeout=WAIT)
        assert "网络已断开" in window.offline_banner.message.text()
        qtbot.waitUntil(lambda: window.outbox_label.text() == "1 项待发送", timeout=WAIT)
        assert sql(db.owner, "SELECT status FROM prescription WHERE id = %s",
                   (rx_id,)) == [("draft",)]

        live_server.start()  # same port, same database
        qtbot.waitUntil(lambda: not app.outbox.pending("doctor_wang"), timeout=WAIT)
        qtbot.waitUntil(lambda: not window.offline_banner.isVisible(), timeout=WAIT)
        view = window.prescriptions
        qtbot.waitUntil(lambda: view.status_of(rx_id) == "under_review", timeout=WAIT)
        assert window.outbox_label.text() == ""

        # Sent again (an answer lost, the app restarted before marking it): still one.
        [sent] = app.outbox.entries(status="sent", owner="doctor_wang")
        again = app.api.request(sent.method, sent.path, content=sent.body,
                                idempotency_key=sent.idempotency_key)
        assert again.status_code == sent.status_code == 200
        submits = audit_rows(db.owner, "action = 'prescription.submit' AND outcome = 'success'")
        assert len(submits) == 1
        transitions = sql(db.owner, "SELECT count(*) FROM prescription_transition WHERE "
                          "prescription_id = %s AND to_status = 'submitted'", (rx_id,))
        assert transitions == [(1,)]
        tasks = sql(db.owner, "SELECT count(*) FROM review_task WHERE prescription_id = %s",
                    (rx_id,))
        assert tasks == [(1,)]
