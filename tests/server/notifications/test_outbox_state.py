"""The outbox's state over HTTP (the administrators' system screen): waiting, given up, and
the oldest waiting."""

from __future__ import annotations

import pytest

from server.notifications.service import notify_patient
from tests.helpers import sql
from tests.server.notifications.conftest import patient_uuid


@pytest.fixture
def settings(settings):
    """No delivery loop: the messages stay where the test puts them."""
    return settings.model_copy(update={"notification_delivery": False})


async def test_counts_waiting_and_given_up(app, client, headers_for, li_na, db) -> None:
    svc = app.state.services
    for _ in range(2):
        async with svc.db.session() as session, session.begin():
            await notify_patient(session, svc, patient_id=patient_uuid(li_na),
                                 template="delivered", params={"number": "RX0001"})
    sql(db.owner, "UPDATE notification SET status = 'failed' WHERE id = "
                  "(SELECT id FROM notification ORDER BY created_at LIMIT 1)")
    response = await client.get("/notifications/outbox",
                                headers=await headers_for("admin_group"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["pending"], body["failed"]) == (1, 1)
    assert body["oldest_pending_at"] is not None
    refused = await client.get("/notifications/outbox", headers=await headers_for("auditor"))
    assert refused.status_code == 403
