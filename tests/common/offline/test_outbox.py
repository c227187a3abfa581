"""The outbox against a real server that goes away: a write queued while offline is sent once,
in order, when the server is back (verified in the database), and survives an app restart."""

from __future__ import annotations

import sqlite3
import uuid

import pytest

from common.api.models import Prescription
from common.offline import ConnectivityMonitor, FlushResult, Outbox, OutboxSender
from tests.clients import draft, wait_for
from tests.helpers import sql

pytestmark = pytest.mark.slow


def rows_with_notes(db, notes: str) -> list[tuple[object, ...]]:
    return sql(db.owner, "SELECT id FROM prescription WHERE notes = %s", (notes,))


class TestQueuedWrites:
    def test_a_draft_queued_offline_is_created_once_when_the_server_returns(
            self, staff, demo, db, live_server, tmp_path):
        doctor = staff("doctor_wang")
        marker = f"离线开具 {uuid.uuid4().hex[:8]}"
        body = draft(demo, doctor.api, notes=marker)
        monitor = ConnectivityMonitor(doctor.api)
        monitor.start()
        live_server.stop()
        wait_for(lambda: not monitor.online, within=5, what="offline")

        queued = Outbox(tmp_path / "offline.sqlite3").enqueue(
            "POST", "/prescriptions", body, owner="doctor_wang", description="新建处方草稿：李娜")
        # The app restarts while the server is away: the queue is read back from the file.
        outbox = Outbox(tmp_path / "offline.sqlite3")
        assert [e.idempotency_key for e in outbox.pending()] == [queued.idempotency_key]
        flushed: list[FlushResult] = []
        sender = OutboxSender(outbox, doctor.api, monitor,
                              owner=lambda: doctor.session.username, on_flushed=flushed.append)
        sender.start()
        try:
            live_server.start()
            wait_for(lambda: not outbox.pending(), within=10, what="the outbox to be sent")
        finally:
            sender.stop()
            monitor.stop()
        rows = rows_with_notes(db, marker)
        assert len(rows) == 1
        [sent] = outbox.entries(status="sent")
        assert sent.idempotency_key == queued.idempotency_key and sent.status_code == 201
        assert sent.response is not None  # the server's answer, for the app to show
        assert Prescription.model_validate_json(sent.response).id == rows[0][0]
        assert [len(f.sent) for f in flushed] == [1]

    def test_a_send_repeated_after_a_crash_makes_no_second_record(self, staff, demo, db,
                                                                  tmp_path):
        doctor = staff("doctor_wang")
        marker = f"重复发送 {uuid.uuid4().hex[:8]}"
        outbox = Outbox(tmp_path / "offline.sqlite3")
        outbox.enqueue("POST", "/prescriptions", draft(demo, doctor.api, notes=marker),
                       owner="doctor_wang")
        first = outbox.flush(doctor.api, owner="doctor_wang")
        # The app died after the server committed but before the entry was marked sent.
        with sqlite3.connect(tmp_path / "offline.sqlite3") as conn:
            conn.execute("UPDATE outbox SET status = 'pending'")
        second = outbox.flush(doctor.api, owner="doctor_wang")
        assert len(first.sent) == len(second.sent) == 1
        assert first.sent[0].response == second.sent[0].response  # replayed, not redone
        assert len(rows_with_notes(db, marker)) == 1

    def test_a_refused_entry_is_marked_failed_and_the_next_is_still_sent(self, staff, demo, db,
                                                                         tmp_path):
        doctor = staff("doctor_wang")
        marker = f"顺序发送 {uuid.uuid4().hex[:8]}"
        bad = draft(demo, doctor.api).model_dump(mode="json")
        bad["diagnoses"][0]["code"] = "咽炎"
        outbox = Outbox(tmp_path / "offline.sqlite3")
        outbox.enqueue("POST", "/prescriptions", bad, owner="doctor_wang", description="错误")
        outbox.enqueue("POST", "/prescriptions", draft(demo, doctor.api, notes=marker),
                       owner="doctor_wang")
        result = outbox.flush(doctor.api, owner="doctor_wang")
        assert [e.description for e in result.failed] == ["错误"]
        assert result.failed[0].status_code == 422
        assert "格式不正确" in (result.failed[0].last_error or "")
        assert len(result.sent) == 1 and result.remaining == 0
        assert len(rows_with_notes(db, marker)) == 1
        assert [e.seq for e in outbox.failed()] == [result.failed[0].seq]

    def test_entries_wait_for_the_user_who_queued_them(self, staff, demo, db, tmp_path):
        doctor = staff("doctor_wang")
        marker = f"他人排队 {uuid.uuid4().hex[:8]}"
        outbox = Outbox(tmp_path / "offline.sqlite3")
        outbox.enqueue("POST", "/prescriptions", draft(demo, doctor.api, notes=marker),
                       owner="doctor_li")
        result = outbox.flush(doctor.api, owner="doctor_wang")
        assert result.sent == [] and result.remaining == 0
        assert len(outbox.pending("doctor_li")) == 1
        assert rows_with_notes(db, marker) == []

    def test_a_flush_stops_at_an_unreachable_server_and_keeps_the_order(self, staff, demo,
                                                                       live_server, tmp_path):
        doctor = staff("doctor_wang")
        body = draft(demo, doctor.api)
        outbox = Outbox(tmp_path / "offline.sqlite3")
        first = outbox.enqueue("POST", "/prescriptions", body, owner="doctor_wang")
        second = outbox.enqueue("POST", "/prescriptions", body, owner="doctor_wang")
        live_server.stop()
        result = outbox.flush(doctor.api, owner="doctor_wang")
        assert result.sent == [] and result.remaining == 2
        assert result.stopped and "服务器" in result.stopped
        pending = outbox.pending()
        assert [e.seq for e in pending] == [first.seq, second.seq]
        assert pending[0].attempts == 1 and pending[1].attempts == 0

    def test_only_writes_can_be_queued(self, tmp_path):
        with pytest.raises(ValueError, match="只有写操作"):
            Outbox(tmp_path / "offline.sqlite3").enqueue("GET", "/auth/me", owner="x")
