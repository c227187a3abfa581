"""EventSubscriber against real servers: live events on submit and approval, resuming with
Last-Event-ID after the server went away, renewing the token when the stream says it expired,
a resync when the events after the last id were pruned."""

from __future__ import annotations

import threading
import time

import pytest

from common.api.models import LiveEvent
from common.auth import Session
from common.events import RESYNC, EventSubscriber, parse_sse
from tests.clients import ServerThread, Staff, draft, sign_and_submit, wait_for
from tests.helpers import fresh_totp, sql


class Inbox:
    """What a subscriber delivered, collected from its thread."""

    def __init__(self) -> None:
        self.events: list[LiveEvent] = []
        self.connections: list[bool] = []
        self.thread_names: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, event: LiveEvent) -> None:
        with self._lock:
            self.events.append(event)
            self.thread_names.add(threading.current_thread().name)

    def statuses(self) -> list[tuple[str, str]]:
        with self._lock:
            return [(e.payload["id"], e.payload["status"]) for e in self.events]


def subscribe(staff: Staff, inbox: Inbox, **kw) -> EventSubscriber:
    subscriber = EventSubscriber(staff.api, inbox, on_connection=inbox.connections.append, **kw)
    subscriber.start()
    assert subscriber.wait_connected(10), "the event stream did not connect"
    return subscriber


def submit(doctor: Staff, demo) -> str:
    body = draft(demo, doctor.api)
    return str(sign_and_submit(doctor, body, doctor.api.create_draft(body)).id)


class TestParsing:
    def test_event_source_rules(self):
        text = ("retry: 2000\n\n: heartbeat\n\nid: 7\nevent: prescription.status\n"
                "data: {\"a\":\ndata: 1}\n\nid: 8\ndata:x\n\n")
        messages = list(parse_sse(text.split("\n")))
        assert [(m.event, m.id, m.data, m.retry) for m in messages] == [
            ("message", None, "", 2000),
            ("prescription.status", "7", "{\"a\":\n1}", None),
            ("message", "8", "x", None)]


@pytest.mark.slow
class TestLiveEvents:
    def test_submit_and_approval_reach_the_doctor(self, staff, demo):
        doctor = staff("doctor_wang")
        inbox = Inbox()
        subscriber = subscribe(doctor, inbox)
        try:
            body = draft(demo, doctor.api)
            rx = sign_and_submit(doctor, body, doctor.api.create_draft(body))
            wait_for(lambda: (str(rx.id), "under_review") in inbox.statuses(),
                     what="the submit event")
            for username in ("pharm_chen", "pharm_liu"):
                pharmacist = staff(username)
                task = next((i.task for i in pharmacist.api.review_queue().items
                             if i.task.prescription_id == rx.id), None)
                if task is not None:
                    break
            assert task is not None
            document = pharmacist.api.decision_document(task.id, "approved")
            signature, algorithm = pharmacist.sign(document.document)
            pharmacist.api.approve(task.id, version=task.version, signature=signature,
                                   algorithm=algorithm)
            wait_for(lambda: (str(rx.id), "awaiting_patient_choice") in inbox.statuses(),
                     what="the approval event")
        finally:
            subscriber.stop()
        assert inbox.thread_names == {"rxp-events"}  # delivered on the background thread
        assert subscriber.last_event_id == inbox.events[-1].id

    def test_events_published_while_disconnected_arrive_on_reconnect(
            self, staff, demo, live_server, settings, clock, make_api, memory_keyring):
        # A second server node on the same database keeps working while ours is down.
        other = ServerThread(settings, clock)
        other.start()
        try:
            doctor = staff("doctor_wang")
            inbox = Inbox()
            subscriber = subscribe(doctor, inbox)
            first = submit(doctor, demo)
            wait_for(lambda: len(inbox.events) == 1, what="the first event")
            assert inbox.events[0].payload["id"] == first

            live_server.stop()
            wait_for(lambda: not subscriber.connected, what="the stream to drop")
            via_other = make_api(base_url=other.url)
            session = Session(via_other)
            account = demo.account("doctor_wang")
            session.login(account.username, account.password, fresh_totp(account, clock))
            meanwhile = [submit(Staff(via_other, session, account), demo) for _ in range(3)]
            assert len(inbox.events) == 1  # nothing arrives while our server is down

            live_server.start()  # the same port: the subscriber reconnects by itself
            wait_for(lambda: len(inbox.events) >= 4, within=20, what="the missed events")
            # One more, after them in the stream: any duplicate would have come before it.
            last = submit(doctor, demo)
            wait_for(lambda: inbox.events[-1].payload["id"] == last, what="the last event")
            subscriber.stop()
        finally:
            other.stop()
        assert [e.payload["id"] for e in inbox.events] == [first, *meanwhile, last]
        ids = [e.id for e in inbox.events]
        assert ids == sorted(set(ids))
        assert inbox.connections.count(True) >= 2

    def test_stream_ended_for_an_expired_token_resumes_with_a_new_one(self, staff, demo,
                                                                       clock):
        doctor = staff("doctor_wang")
        inbox = Inbox()
        subscriber = subscribe(doctor, inbox)
        try:
            clock.advance(minutes=16)  # the server ends the stream at its next heartbeat
            wait_for(lambda: inbox.connections.count(True) >= 2, what="a renewed stream")
            rx = submit(doctor, demo)
            wait_for(lambda: (rx, "under_review") in inbox.statuses(), what="the event")
        finally:
            subscriber.stop()

    def test_pruned_events_make_a_resync_once_then_the_stream_goes_on(self, staff, demo, db,
                                                                        clock):
        doctor = staff("doctor_wang")
        submit(doctor, demo)
        submit(doctor, demo)
        ids = [row[0] for row in sql(db.owner, "SELECT id FROM live_event ORDER BY id")]
        # As the retention job leaves it (tests/server/ops/test_retention.py): all pruned.
        sql(db.owner, "WITH gone AS (DELETE FROM live_event RETURNING id) INSERT INTO"
                      " live_event_horizon (id, pruned_through) SELECT 1, max(id) FROM gone")
        inbox = Inbox()
        subscriber = subscribe(doctor, inbox, last_event_id=ids[0])  # it saw the first
        try:
            wait_for(lambda: len(inbox.events) == 1, what="the resync")
            assert subscriber.last_event_id == ids[-1]
            clock.advance(minutes=16)  # a reconnect, from the resync's id: no second resync
            wait_for(lambda: inbox.connections.count(True) >= 2, what="a renewed stream")
            after = submit(doctor, demo)
            wait_for(lambda: len(inbox.events) == 2, what="the next event")
        finally:
            subscriber.stop()
        resync, event = inbox.events
        assert (resync.type, resync.id, resync.payload) == (RESYNC, ids[-1], {})
        assert event.type == "prescription.status" and event.payload["id"] == after
        assert subscriber.last_event_id == event.id > ids[-1]

    def test_stop_ends_the_thread_promptly(self, staff):
        subscriber = subscribe(staff("doctor_wang"), Inbox())
        started = time.monotonic()
        subscriber.stop()
        assert time.monotonic() - started < 2
        assert not subscriber.connected
        assert not any(t.name == "rxp-events" and t.is_alive() for t in threading.enumerate())
