"""The outbox: a notification is a row written in the caller's transaction (rolled back with
it), sent by deliver_pending after the commit, retried with back-off, given up on in the end."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from datetime import timedelta

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text

from server.access import scope
from server.app import create_app
from server.core.deps import Ctx, Svc
from server.core.errors import Conflict, NotFound
from server.notifications.service import deliver_pending, notify_patient
from server.notifications.templates import TemplateParamsInvalid, UnknownTemplate
from tests.helpers import audit_rows, sql
from tests.server.notifications.conftest import audit, blob, gateway_of, outbox, patient_uuid


@pytest.fixture
def settings(settings):
    """No delivery loop: these tests deliver by hand, step by step."""
    return settings.model_copy(update={"notification_delivery": False})


@pytest.fixture
def svc(app):
    return app.state.services


async def queue(svc, patient, template="delivered", params=None, **kw):
    async with svc.db.session() as session, session.begin():
        return await notify_patient(session, svc, patient_id=patient_uuid(patient),
                                    template=template, params=params or {"number": "RX0001"},
                                    **kw)


class TestWriting:
    async def test_a_committed_notification_waits_in_the_outbox(self, svc, li_na, db, gateway):
        await queue(svc, li_na)
        [row] = outbox(db)
        assert row["status"] == "pending" and row["attempts"] == 0
        assert row["template"] == "delivered" and "RX0001" in row["text"]
        assert row["destination_masked"] == "150****3456"
        assert gateway.sent == []  # nothing goes out before delivery

    async def test_a_rolled_back_transaction_notifies_nobody(self, svc, li_na, db, gateway):
        with pytest.raises(RuntimeError):
            async with svc.db.session() as session, session.begin():
                await notify_patient(session, svc, patient_id=patient_uuid(li_na),
                                     template="delivered", params={"number": "RX0001"})
                raise RuntimeError("the change failed")
        assert outbox(db) == []
        assert (await deliver_pending(svc)).handled == 0
        assert gateway.sent == []

    async def test_the_number_and_the_text_are_stored_encrypted(self, svc, li_na, db):
        await queue(svc, li_na)
        [(destination, body)] = sql(db.owner,
                                    "SELECT destination_enc, body_enc FROM notification")
        assert li_na["phone"].encode() not in blob(destination)
        assert b"RX0001" not in blob(body)

    async def test_a_secret_code_is_masked_in_the_stored_text(self, svc, li_na, db, gateway):
        await queue(svc, li_na, "sms_login_code", {"code": "740215", "minutes": 5})
        [row] = outbox(db)
        assert "740215" not in row["text"] and "******" in row["text"]
        await deliver_pending(svc)
        assert "740215" in gateway.sent[0].text

    async def test_unknown_template_and_wrong_parameters_are_refused(self, svc, li_na, db):
        with pytest.raises(UnknownTemplate):
            await queue(svc, li_na, "no_such_template", {"number": "RX1"})
        with pytest.raises(TemplateParamsInvalid, match="carrier"):
            await queue(svc, li_na, "dispatched", {"number": "RX1", "tracking_number": "SF1"})
        assert outbox(db) == []

    async def test_unknown_patient(self, svc):
        with pytest.raises(NotFound):
            await queue(svc, {"id": str(uuid.uuid4())})

    async def test_a_patient_without_a_phone_gets_a_failed_row(self, svc, li_na, db, gateway):
        sql(db.owner, "UPDATE patient SET phone_enc = NULL, phone_bidx = NULL WHERE id = %s",
            (li_na["id"],))
        row = await queue(svc, li_na)
        assert row.status == "failed" and row.last_error == "患者未登记手机号码"
        assert (await deliver_pending(svc)).handled == 0
        assert gateway.sent == []

    async def test_whoever_triggers_it_need_not_see_the_patient(self, svc, li_na, demo, db):
        """A pharmacy notifies a hospital's patient; its own scope is left as it was."""
        pharmacy = uuid.UUID(demo.organisations["P1"])
        async with svc.db.session() as session, session.begin():
            await scope.set_visible(session, frozenset({pharmacy}))
            await notify_patient(session, svc, patient_id=patient_uuid(li_na),
                                 template="pharmacy_accepted",
                                 params={"pharmacy": "康宁大药房", "number": "RX1"})
            visible = (await session.execute(
                text("SELECT current_setting('rxp.visible_orgs', true)"))).scalar()
            assert visible == str(pharmacy)
            hidden = (await session.execute(text("SELECT count(*) FROM patient"))).scalar()
            assert hidden == 0  # the pharmacy still sees no hospital's patients
        [row] = outbox(db)
        assert row["destination_masked"] == "150****3456"


class TestInTheRequestTransaction:
    async def test_a_failed_request_leaves_no_notification(self, settings, clock, li_na, db):
        application = create_app(settings, clock=clock)

        @application.post("/test/notify-then")
        async def notify_then(ctx: Ctx, svc: Svc, fail: bool) -> dict[str, str]:
            await notify_patient(ctx, svc, patient_id=patient_uuid(li_na),
                                 template="payment_received",
                                 params={"number": "RX0001", "amount": "12.50"})
            if fail:
                raise Conflict("测试：通知写入之后请求失败")
            return {"ok": "yes"}

        async with LifespanManager(application):
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(transport=transport, base_url="http://rxp.test") as http:
                failed = await http.post("/test/notify-then", params={"fail": "true"})
                assert failed.status_code == 409
                assert outbox(db) == []
                done = await http.post("/test/notify-then", params={"fail": "false"})
                assert done.status_code == 200
            svc = application.state.services
            assert (await deliver_pending(svc)).sent == 1
            [message] = gateway_of(application).sent
            assert message.phone == li_na["phone"] and "12.50元" in message.text


class TestDelivery:
    async def test_delivered_through_the_gateway(self, svc, li_na, db, gateway):
        await queue(svc, li_na)
        report = await deliver_pending(svc)
        assert (report.sent, report.failed, report.retrying) == (1, 0, 0)
        [message] = gateway.sent
        assert message.phone == li_na["phone"]
        assert message.text.startswith("【") and "RX0001" in message.text
        [row] = outbox(db)
        assert row["status"] == "sent" and row["attempts"] == 1
        assert row["gateway_message_id"] == message.message_id and row["sent_at"] is not None
        assert row["body_enc"] is None  # the clear text is not kept once sent
        [event] = audit(db, "action = 'notification.sent'")
        assert event["entity_id"] == str(row["id"])
        assert event["summary"]["destination"] == "150****3456"

    async def test_a_failing_gateway_is_retried_with_back_off_then_given_up(
            self, svc, li_na, db, gateway, clock, settings):
        gateway.inject_failures(100)
        await queue(svc, li_na)
        waits = []
        for attempt in range(1, settings.notification_max_attempts):
            assert (await deliver_pending(svc)).retrying == 1
            [row] = outbox(db)
            assert row["status"] == "pending" and row["attempts"] == attempt
            assert "注入的发送失败" in row["last_error"]
            wait = row["next_attempt_at"] - clock.now()
            waits.append(wait)
            # Not due yet: nothing happens.
            assert (await deliver_pending(svc)).handled == 0
            clock.advance(seconds=wait.total_seconds())
        assert waits[0] == timedelta(seconds=settings.notification_retry_seconds)
        assert all(b == 2 * a for a, b in itertools.pairwise(waits))
        assert (await deliver_pending(svc)).failed == 1
        [row] = outbox(db)
        assert row["status"] == "failed"
        assert row["attempts"] == settings.notification_max_attempts
        assert row["last_error"].startswith(f"重试{settings.notification_max_attempts}次仍失败")
        assert row["body_enc"] is None
        assert gateway.sent == []
        assert len(audit_rows(db.owner, "action = 'notification.retrying'")) == len(waits)
        assert len(audit_rows(db.owner, "action = 'notification.failed'")) == 1

    async def test_a_gateway_that_recovers_delivers_on_the_retry(self, svc, li_na, db, gateway,
                                                                 clock, settings):
        gateway.inject_failures(1)
        await queue(svc, li_na)
        assert (await deliver_pending(svc)).retrying == 1
        clock.advance(seconds=settings.notification_retry_seconds)
        assert (await deliver_pending(svc)).sent == 1
        assert [r["status"] for r in outbox(db)] == ["sent"]
        assert len(gateway.sent) == 1

    async def test_a_message_past_its_use_is_not_sent(self, svc, li_na, db, gateway, clock):
        gateway.inject_failures(1)
        await queue(svc, li_na, "sms_login_code", {"code": "111111", "minutes": 5},
                    expires_at=clock.now() + timedelta(minutes=5))
        assert (await deliver_pending(svc)).retrying == 1
        clock.advance(minutes=6)
        assert (await deliver_pending(svc)).failed == 1
        assert outbox(db)[0]["last_error"] == "已过有效期，未发送"
        assert gateway.sent == []

    async def test_two_deliverers_at_once_send_each_message_once(self, svc, li_na, db, gateway):
        for n in range(12):
            await queue(svc, li_na, params={"number": f"RX{n:04d}"})
        first, second = await asyncio.gather(deliver_pending(svc), deliver_pending(svc))
        assert first.sent + second.sent == 12
        texts = sorted(m.text for m in gateway.sent)
        assert len(texts) == 12 and len(set(texts)) == 12
        assert {r["status"] for r in outbox(db)} == {"sent"}
