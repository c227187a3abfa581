"""The delivery loop runs in the app's lifespan and sends what a committed transaction
queued, woken by NOTIFY rather than waiting for its next poll."""

from __future__ import annotations

import pytest

from server.notifications.background import APPLICATION_NAME
from server.notifications.service import notify_patient
from tests.helpers import sql, wait_until
from tests.server.notifications.conftest import outbox, patient_uuid


@pytest.fixture
def settings(settings):
    # A poll far longer than the test waits: only the NOTIFY can wake the loop in time.
    return settings.model_copy(update={"notification_poll_seconds": 60.0})


class TestDeliveryLoop:
    async def test_runs_in_the_lifespan_and_sends_after_the_commit(self, app, db, gateway,
                                                                   li_na):
        [loop] = [t for t in app.state.background_tasks
                  if t.get_name() == "rxp-notification-delivery"]
        assert not loop.done()

        async def listening() -> bool:
            # The superuser: other roles' query texts are hidden from the owner.
            return bool(sql(db.superuser, "SELECT 1 FROM pg_stat_activity"
                                          " WHERE application_name = %s"
                                          " AND query LIKE 'LISTEN%%' AND state = 'idle'",
                            (APPLICATION_NAME,)))

        await wait_until(listening, within=10, what="the delivery loop listening")
        svc = app.state.services
        async with svc.db.session() as session, session.begin():
            await notify_patient(session, svc, patient_id=patient_uuid(li_na),
                                 template="delivered", params={"number": "RX0001"})

        async def sent() -> bool:
            # The gateway has it a moment before the loop's transaction marks it sent.
            return [r["status"] for r in outbox(db)] == ["sent"]

        await wait_until(sent, within=10, what="the notification sent by the loop")
        [message] = gateway.sent
        assert message.phone == li_na["phone"]

    async def test_the_loop_stops_with_the_app(self, settings, clock):
        from asgi_lifespan import LifespanManager

        from server.app import create_app

        application = create_app(settings, clock=clock)
        async with LifespanManager(application):
            tasks = list(application.state.background_tasks)
            # review escalation, order lock expiry, incident escalation, retention,
            # notifications, outbox relay
            assert len(tasks) == 6
        assert all(t.done() for t in tasks)
