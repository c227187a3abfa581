"""Retention of the server's own working rows: what grows with every request and is needed only
for a while (not the records: prescriptions, orders, audit events are kept as the law asks).

- idempotency_record: the stored answer of every write a client sent with an Idempotency-Key.
  A client retries within minutes, an offline client's queue within days: kept
  `RXP_IDEMPOTENCY_RETENTION_DAYS` (30 by default), longer than any offline spell a workstation
  survives with its queue.
- patient_sms_code: login codes (a keyed hash of the ID number, the code's hash, the caller's
  address). Personal data, needed for the code's minutes and the hourly rate limits: removed a
  day after it expired.
- outbox_message: delivered messages (the dead letters stay for the administrator), kept a
  week for looking into a delivery.
- live_event: the log the apps' event streams resume from with `Last-Event-ID`. An app
  resumes within seconds (a dropped connection, a server restart, the stream ended for a token
  renewal), minutes (a switch rebooting) or hours (a workstation asleep overnight): kept
  `RXP_LIVE_EVENT_RETENTION_DAYS` (7 by default), longer than any weekend or short public
  holiday, while the table stays small. A workstation left logged in across a long holiday
  (the Spring Festival's week) resumes from before what was pruned: its stream tells it to
  reload what it shows (`resync`, server/events/stream.py), which after a week beats replaying
  a week of events. The stream knows from the highest id pruned (`live_event_horizon`), raised
  in the same statement as the delete and never lowered (server/events/repository.py).

One round deletes at most BATCH rows of each table, so it never holds many locks for long.
Several server processes may run it at once: the later DELETE waits for the earlier and finds
the rows gone. It runs hourly (`RXP_RETENTION_CHECK_SECONDS`), which keeps up with 120,000 rows
of a table a day: a busier system runs it more often. A round that deleted something is audited.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import text

from server.core import jobs
from server.core.context import RequestContext
from server.core.services import Services
from server.events import service as live_events
from server.settings import Settings

JOB = "retention.prune"
BATCH = 5000


@dataclass(frozen=True)
class Rule:
    table: str
    # Rows whose `column` is older than the cut-off (and that match `only`) are removed.
    column: str
    only: str = "true"
    key: str = "id"  # the primary key's column(s), comma-separated

    def keep(self, settings: Settings) -> timedelta:
        return {
            "idempotency_record": timedelta(days=settings.idempotency_retention_days),
            "patient_sms_code": timedelta(days=1),
            "outbox_message": timedelta(days=7),
        }[self.table]


RULES = (
    Rule("idempotency_record", "created_at", key="principal, key"),
    Rule("patient_sms_code", "expires_at"),
    Rule("outbox_message", "delivered_at", only="status = 'delivered'"),
)


async def prune(ctx: RequestContext, svc: Services) -> dict[str, int]:
    """One round: how many rows of each table went."""
    now = svc.clock.now()
    removed = {}
    for rule in RULES:
        # Table and column names are the constants above, never input.
        result = await ctx.session.execute(text(
            f"DELETE FROM {rule.table} WHERE ({rule.key}) IN ("  # noqa: S608
            f"SELECT {rule.key} FROM {rule.table} WHERE {rule.column} < :cutoff"
            f" AND {rule.only} LIMIT :batch)"),
            {"cutoff": now - rule.keep(svc.settings), "batch": BATCH})
        removed[rule.table] = int(result.rowcount or 0)  # type: ignore[attr-defined]
    removed["live_event"] = await live_events.prune(
        ctx.session, before=now - timedelta(days=svc.settings.live_event_retention_days),
        batch=BATCH)
    if any(removed.values()):
        ctx.note(JOB, "retention", None, removed=removed)
    return removed


async def retention_loop(svc: Services, stop: asyncio.Event) -> None:
    # The first round an interval after start, not at once: nothing is urgent, a restarted
    # server need not prune again, and a round racing the rows a test has just written would
    # make them disappear under it.
    await jobs.pause(stop, svc.settings.retention_check_seconds)
    if not stop.is_set():
        await jobs.forever(svc, JOB, prune, stop=stop,
                           interval=svc.settings.retention_check_seconds)
