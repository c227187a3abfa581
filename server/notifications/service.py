"""Notifying patients: the outbox and its delivery.

`notify_patient` only writes a row, in the caller's transaction: a change that rolls back
notifies nobody, and a committed one is sure to be notified even if the gateway is down at that
moment. `deliver_pending` (run by the delivery loop of every server process, see background.py)
sends what is due, one row per short transaction taken with SKIP LOCKED so several processes
share the queue, retries with exponential back-off, and gives up after the configured number of
attempts. Delivery is at least once: a process that dies between the gateway's answer and its
commit leaves the row pending, and it is sent again.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import repository as audit_repository
from server.core.context import RequestContext
from server.core.errors import NotFound
from server.core.services import Services
from server.notifications import repository
from server.notifications.gateway import DestinationRejected, GatewayError
from server.notifications.models import Channel, Notification, NotificationStatus
from server.notifications.templates import ParamValue, render
from server.patients.identity import SEALED_FIELDS
from server.personal_data.masking import mask_phone

log = logging.getLogger(__name__)

DESTINATION_CONTEXT = "notification.destination"
BODY_CONTEXT = "notification.body"
PHONE_CONTEXT = SEALED_FIELDS["phone"][0]
MAX_BACKOFF = timedelta(hours=1)
ERROR_MAX = 500


async def notify_patient(ctx_or_session: RequestContext | AsyncSession, svc: Services, *,
                         patient_id: uuid.UUID, template: str, params: dict[str, ParamValue],
                         prescription_id: uuid.UUID | None = None,
                         expires_at: datetime | None = None) -> Notification:
    """Queue an SMS to the patient's phone on file, in the current transaction.

    Raises a TemplateError (a ValueError) for an unknown template or wrong parameters, and
    NotFound for an unknown patient. A patient without a phone number gets a row that is
    already `failed`, so the attempt is on record. `expires_at`: not worth sending after it.
    Does not write the request's audit note: the caller's action is what is audited.
    """
    session = ctx_or_session.session if isinstance(ctx_or_session, RequestContext) \
        else ctx_or_session
    rendered = render(template, params)
    exists, phone_enc = await repository.patient_phone(session, patient_id)
    if not exists:
        raise NotFound("患者不存在", field="patient_id")
    now = svc.clock.now()
    phone = None if phone_enc is None else svc.cipher.decrypt(phone_enc, context=PHONE_CONTEXT)
    row = Notification(
        id=uuid.uuid4(), patient_id=patient_id, prescription_id=prescription_id,
        channel=Channel.SMS, template=rendered.template.code, text=rendered.masked,
        created_at=now, next_attempt_at=now, expires_at=expires_at, attempts=0)
    if phone is None:
        row.status = NotificationStatus.FAILED
        row.last_error = "患者未登记手机号码"
    else:
        row.status = NotificationStatus.PENDING
        row.destination_enc = svc.cipher.encrypt(phone, context=DESTINATION_CONTEXT)
        row.destination_masked = mask_phone(phone)
        row.body_enc = svc.cipher.encrypt(rendered.text, context=BODY_CONTEXT)
    session.add(row)
    await session.flush()
    if phone is not None:
        await repository.announce(session)
    return row


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    retrying: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.retrying


def backoff(svc: Services, attempts: int) -> timedelta:
    """The wait before attempt `attempts + 1`: the base, doubled for every failure so far."""
    seconds = svc.settings.notification_retry_seconds * 2 ** max(0, attempts - 1)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


async def deliver_pending(svc: Services, *, limit: int = 100) -> DeliveryReport:
    """Send up to `limit` due notifications through the gateway; what happened to them."""
    report = DeliveryReport()
    for _ in range(limit):
        async with svc.db.session() as session, session.begin():
            row = await repository.lock_next_due(session, now=svc.clock.now())
            if row is None:
                break
            outcome = await _deliver(svc, row)
            setattr(report, outcome, getattr(report, outcome) + 1)
            await session.flush()
            await audit_repository.append(session, _audit(row, outcome))
    return report


async def _deliver(svc: Services, row: Notification) -> str:
    """Try `row` once; 'sent', 'retrying' or 'failed'. Changes the row, never raises for the
    gateway's failures."""
    now = svc.clock.now()
    if row.expires_at is not None and row.expires_at <= now:
        _give_up(row, "已过有效期，未发送")
        return "failed"
    assert row.destination_enc is not None and row.body_enc is not None
    phone = svc.cipher.decrypt(row.destination_enc, context=DESTINATION_CONTEXT)
    body = svc.cipher.decrypt(row.body_enc, context=BODY_CONTEXT)
    row.attempts += 1
    try:
        async with asyncio.timeout(svc.settings.sms_gateway_timeout):
            message_id = await svc.notification_gateway.send_sms(phone, body)
    except DestinationRejected as exc:
        _give_up(row, str(exc) or type(exc).__name__)
        return "failed"
    except (GatewayError, TimeoutError) as exc:
        row.last_error = (str(exc) or "短信网关超时")[:ERROR_MAX]
        if row.attempts >= svc.settings.notification_max_attempts:
            _give_up(row, f"重试{row.attempts}次仍失败：{row.last_error}")
            return "failed"
        row.next_attempt_at = now + backoff(svc, row.attempts)
        log.info("notification %s not sent (attempt %d): %s", row.id, row.attempts, exc)
        return "retrying"
    row.status = NotificationStatus.SENT
    row.sent_at = now
    row.gateway_message_id = message_id[:100]
    row.body_enc = None
    row.last_error = None
    return "sent"


def _give_up(row: Notification, reason: str) -> None:
    row.status = NotificationStatus.FAILED
    row.last_error = reason[:ERROR_MAX]
    row.body_enc = None  # nobody needs the clear text of a message that will never go out


def _audit(row: Notification, outcome: str) -> dict[str, Any]:
    return {
        "occurred_at": datetime.now(UTC), "actor_kind": "system", "actor_name": "rxp-server",
        "action": f"notification.{outcome}", "entity_type": "notification",
        "entity_id": str(row.id), "outcome": "failure" if outcome == "failed" else "success",
        "request_id": uuid.uuid4().hex,
        "summary": {"template": row.template, "patient_id": str(row.patient_id),
                    "destination": row.destination_masked, "attempts": row.attempts,
                    **({"error": row.last_error} if row.last_error else {})},
    }
