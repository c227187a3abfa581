"""Figures read from the database at scrape time, so every worker answers the same and nothing
is kept in memory between scrapes: review queue, outboxes, kiosk devices, login failures,
incidents, and the replicas' state."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from server.access import scope
from server.core.services import Services
from server.ops import outboxes, replication

log = logging.getLogger(__name__)

LOGIN_WINDOWS = {"15m": timedelta(minutes=15), "24h": timedelta(hours=24)}
# A kiosk reports every minute; five minutes of silence means it is off or cut off.
SILENT_AFTER = timedelta(minutes=5)


@dataclass
class Figures:
    database_up: bool = False
    review_open: int = 0
    review_overdue: int = 0
    outboxes: list[outboxes.OutboxFigures] = field(default_factory=list)
    login_failures: dict[str, int] = field(default_factory=dict)
    accounts_locked: int = 0
    # (device, fault) -> kiosks with that fault now; state -> devices.
    device_faults: dict[tuple[str, str], int] = field(default_factory=dict)
    devices_by_state: dict[str, int] = field(default_factory=dict)
    devices_silent: int = 0
    # (severity, status) -> unresolved incidents; severity -> clocks run out unmet.
    incidents_unresolved: dict[tuple[str, str], int] = field(default_factory=dict)
    incident_clocks_breached: dict[str, int] = field(default_factory=dict)
    replicas: list[replication.ReplicaState] = field(default_factory=list)


async def _database(session: AsyncSession, now: datetime, found: Figures) -> None:
    await scope.system_scope(session)
    found.review_open, found.review_overdue = (await session.execute(text(
        "SELECT count(*), count(*) FILTER (WHERE due_at < :now)"
        " FROM review_task WHERE status = 'open'"), {"now": now})).one()
    found.outboxes = await outboxes.figures(session, now)
    # The audit log is stamped by the wall clock (server/core/unit_of_work.py), whatever clock
    # the app runs on: its windows are measured by the same.
    audited_now = datetime.now(UTC)
    for window, span in LOGIN_WINDOWS.items():
        found.login_failures[window] = int((await session.execute(text(
            "SELECT count(*) FROM audit_event WHERE occurred_at >= :since"
            " AND action = 'auth.login' AND outcome <> 'success'"),
            {"since": audited_now - span})).scalar_one())
    found.accounts_locked = int((await session.execute(text(
        "SELECT count(*) FROM staff_user WHERE locked_until > :now"), {"now": now})).scalar_one())
    for device, fault, count in await session.execute(text(
            "SELECT device, fault, count(*) FROM device_status WHERE state = 'fault'"
            " GROUP BY device, fault")):
        found.device_faults[(device, fault or "unknown")] = int(count)
    for state, count in await session.execute(text(
            "SELECT state, count(*) FROM device_status GROUP BY state")):
        found.devices_by_state[state] = int(count)
    found.devices_silent = int((await session.execute(text(
        "SELECT count(*) FROM device_status WHERE reported_at < :since"),
        {"since": now - SILENT_AFTER})).scalar_one())
    for severity, status, count in await session.execute(text(
            "SELECT severity, status, count(*) FROM incident WHERE status <> 'resolved'"
            " GROUP BY severity, status")):
        found.incidents_unresolved[(severity, status)] = int(count)
    for severity, count in await session.execute(text(
            "SELECT severity, count(*) FROM incident WHERE status <> 'resolved' AND"
            " ((responded_at IS NULL AND respond_due_at < :now) OR fix_due_at < :now)"
            " GROUP BY severity"), {"now": now}):
        found.incident_clocks_breached[severity] = int(count)


async def collect(svc: Services) -> Figures:
    found = Figures()
    now = svc.clock.now()
    primary_lsn = None
    try:
        async with svc.db.session() as session, session.begin():
            await _database(session, now, found)
        found.database_up = True
        if svc.db.replicas:
            primary_lsn = await replication.primary_wal_position(svc.db.primary)
    except Exception:  # the scrape must answer, with the database reported down
        log.exception("metrics: reading the database failed")
        found.database_up = False
    for replica in svc.db.replicas:
        found.replicas.append(await replication.replica_state(replica.name, replica.engine,
                                                              primary_lsn))
    return found
