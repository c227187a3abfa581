"""The escalation loop of the incident clocks (see server/core/jobs.py for how a round runs),
and the on-call text messages it sends once a round has committed.

The messages go straight to the SMS gateway, once: the notification outbox is for patients, and
an escalation that could not be texted is still on the timeline, in the live events and in the
`RxpIncidentClockBreached` alert."""

from __future__ import annotations

import asyncio
import logging

from server.core import jobs
from server.core.services import Services
from server.incidents import service
from server.notifications.gateway import GatewayError

log = logging.getLogger(__name__)
JOB = "incident.escalation"


async def notify_on_call(svc: Services, escalations: list[service.Escalation]) -> int:
    sent = 0
    now = svc.clock.now()
    for escalation in escalations:
        for phone in svc.settings.incident_oncall_phones:
            try:
                await svc.notification_gateway.send_sms(phone, escalation.message(now))
                sent += 1
            except GatewayError:
                log.exception("incident %s: on-call SMS to %s…%s failed", escalation.number,
                              phone[:3], phone[-2:])
    return sent


async def escalate_once(svc: Services) -> int:
    """One round: escalate in a transaction, then text the on-call phones; the steps taken."""
    escalations = await jobs.run_once(svc, JOB, service.escalate_due)
    await notify_on_call(svc, escalations)
    return len(escalations)


async def escalation_loop(svc: Services, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await escalate_once(svc)
        except asyncio.CancelledError:
            raise
        except Exception:  # a failed round is retried next round; the loop must live on
            log.exception("background job %s failed", JOB)
        await jobs.pause(stop, svc.settings.incident_check_seconds)
