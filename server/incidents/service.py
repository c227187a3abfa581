"""Incident rules: opening with the contract's clocks, the acknowledge / respond / resolve
transitions (each audited and on the timeline), severity changes, escalation before a clock
runs out, and the monthly report of clocks met and missed."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from server.access.roles import Role
from server.core.context import Principal, RequestContext
from server.core.errors import Conflict, NotFound, NotPermitted, Unprocessable
from server.core.services import Services
from server.events.service import publish
from server.incidents import repository
from server.incidents.clocks import SEVERITY_LABELS, ClockName, Severity, due_times, warn_at
from server.incidents.models import Incident, IncidentEvent

log = logging.getLogger(__name__)

# Business months are Beijing months, whatever the server's zone.
CHINA = ZoneInfo("Asia/Shanghai")
CLOCKS: tuple[ClockName, ...] = ("respond", "fix")
# Who is told live when an incident opens or a clock is about to run out.
ON_CALL_ROLES = (Role.SYSTEM_ADMIN, Role.HOSPITAL_ADMIN, Role.SECURITY_ADMIN)

STATUS_LABELS = {"open": "待确认", "acknowledged": "已确认", "responding": "处理中",
                 "resolved": "已修复"}
# The statuses each transition may start from.
ACKNOWLEDGE_FROM = ("open",)
RESPOND_FROM = ("open", "acknowledged")
RESOLVE_FROM = ("open", "acknowledged", "responding")


async def _timeline(session: AsyncSession, incident: Incident, kind: str, at: datetime, *,
                    actor: Principal | None, note: str | None = None) -> None:
    session.add(IncidentEvent(incident_id=incident.id, org_id=incident.org_id, at=at, kind=kind,
                              actor_id=actor.id if actor else None,
                              actor_name=actor.name if actor else "系统", note=note))


async def _announce(session: AsyncSession, incident: Incident, type_: str,
                    **payload: Any) -> None:
    users = [u for u in (incident.acknowledged_by_id, incident.responded_by_id) if u]
    await publish(session, type=type_, org_id=incident.org_id, entity_type="incident",
                  entity_id=incident.id, roles=ON_CALL_ROLES, user_ids=users,
                  payload={"incident_id": str(incident.id), "number": incident.number,
                           "severity": incident.severity, "status": incident.status,
                           "title": incident.title, **payload})


async def open_incident(ctx: RequestContext, svc: Services, actor: Principal, *, title: str,
                        description: str | None, severity: Severity, service: str,
                        org_id: uuid.UUID | None, source: str = "manual",
                        alert_name: str | None = None) -> Incident:
    org = org_id or actor.org_id
    if org is None:
        raise Unprocessable("请指定故障所属机构", field="org_id")
    if not actor.sees(org):
        raise NotPermitted("不能为无权查看的机构登记故障", field="org_id")
    now = svc.clock.now()
    respond_due, fix_due = due_times(severity, now)
    incident = Incident(number=await repository.next_number(ctx.session), org_id=org,
                        title=title, description=description, severity=severity,
                        service=service, status="open", source=source, alert_name=alert_name,
                        opened_at=now, reported_by_id=actor.id, reported_by_name=actor.name,
                        respond_due_at=respond_due, fix_due_at=fix_due)
    ctx.session.add(incident)
    await ctx.session.flush()
    await _timeline(ctx.session, incident, "opened", now, actor=actor, note=description)
    await _announce(ctx.session, incident, "incident.opened",
                    respond_due_at=respond_due, fix_due_at=fix_due)
    ctx.note("incident.open", "incident", incident.id, number=incident.number,
             severity=str(severity), service=service)
    return incident


async def incident_for(session: AsyncSession, incident_id: uuid.UUID, *,
                       for_update: bool = False) -> Incident:
    # Row-level security hides other organisations' incidents: they are simply not found.
    incident = await repository.get(session, incident_id, for_update=for_update)
    if incident is None:
        raise NotFound("故障单不存在", field="incident_id")
    return incident


def _require_status(incident: Incident, allowed: Sequence[str], doing: str) -> None:
    if incident.status not in allowed:
        raise Conflict(f"故障单当前为“{STATUS_LABELS[incident.status]}”，不能{doing}",
                       status=incident.status)


async def acknowledge(ctx: RequestContext, svc: Services, actor: Principal,
                      incident_id: uuid.UUID, *, note: str | None) -> Incident:
    """Someone on call has seen it and takes it (the response clock runs on)."""
    incident = await incident_for(ctx.session, incident_id, for_update=True)
    _require_status(incident, ACKNOWLEDGE_FROM, "确认")
    now = svc.clock.now()
    incident.status, incident.acknowledged_at, incident.acknowledged_by_id = \
        "acknowledged", now, actor.id
    await _timeline(ctx.session, incident, "acknowledged", now, actor=actor, note=note)
    await _announce(ctx.session, incident, "incident.changed")
    ctx.note("incident.acknowledge", "incident", incident.id, number=incident.number)
    return incident


async def respond(ctx: RequestContext, svc: Services, actor: Principal,
                  incident_id: uuid.UUID, *, note: str) -> Incident:
    """The response the contract measures: work has begun and the hospital has been told what
    is being done. Stops the response clock."""
    incident = await incident_for(ctx.session, incident_id, for_update=True)
    _require_status(incident, RESPOND_FROM, "登记响应")
    now = svc.clock.now()
    if incident.acknowledged_at is None:
        incident.acknowledged_at, incident.acknowledged_by_id = now, actor.id
    incident.status, incident.responded_at, incident.responded_by_id = "responding", now, actor.id
    await _timeline(ctx.session, incident, "responded", now, actor=actor, note=note)
    await _announce(ctx.session, incident, "incident.changed")
    ctx.note("incident.respond", "incident", incident.id, number=incident.number,
             met=now <= incident.respond_due_at)
    return incident


async def resolve(ctx: RequestContext, svc: Services, actor: Principal,
                  incident_id: uuid.UUID, *, resolution: str) -> Incident:
    """Service restored. A fix is also a response: an unanswered clock stops with it."""
    incident = await incident_for(ctx.session, incident_id, for_update=True)
    _require_status(incident, RESOLVE_FROM, "登记修复")
    now = svc.clock.now()
    if incident.acknowledged_at is None:
        incident.acknowledged_at, incident.acknowledged_by_id = now, actor.id
    if incident.responded_at is None:
        incident.responded_at, incident.responded_by_id = now, actor.id
    incident.status, incident.resolved_at, incident.resolved_by_id = "resolved", now, actor.id
    incident.resolution = resolution
    await _timeline(ctx.session, incident, "resolved", now, actor=actor, note=resolution)
    await _announce(ctx.session, incident, "incident.changed")
    ctx.note("incident.resolve", "incident", incident.id, number=incident.number,
             met=now <= incident.fix_due_at)
    return incident


async def add_note(ctx: RequestContext, svc: Services, actor: Principal,
                   incident_id: uuid.UUID, *, note: str) -> Incident:
    incident = await incident_for(ctx.session, incident_id)
    await _timeline(ctx.session, incident, "note", svc.clock.now(), actor=actor, note=note)
    ctx.note("incident.note", "incident", incident.id, number=incident.number)
    return incident


async def change_severity(ctx: RequestContext, svc: Services, actor: Principal,
                          incident_id: uuid.UUID, *, severity: Severity,
                          reason: str) -> Incident:
    """Re-grade an unresolved incident; its clocks become the new grade's, from when it was
    opened (a fault found to stop prescribing was serious from the start)."""
    incident = await incident_for(ctx.session, incident_id, for_update=True)
    _require_status(incident, RESOLVE_FROM, "调整级别")
    if incident.severity == severity:
        return incident
    previous = incident.severity
    incident.severity = severity
    incident.respond_due_at, incident.fix_due_at = due_times(severity, incident.opened_at)
    # The new clocks escalate afresh.
    incident.respond_warned_at = incident.respond_breached_at = None
    incident.fix_warned_at = incident.fix_breached_at = None
    await _timeline(ctx.session, incident, "severity_changed", svc.clock.now(), actor=actor,
                    note=f"{previous} -> {severity}: {reason}")
    await _announce(ctx.session, incident, "incident.changed")
    ctx.note("incident.severity", "incident", incident.id, number=incident.number,
             previous=previous, severity=str(severity))
    return incident


def _clock_stop(incident: Incident, clock: ClockName) -> datetime | None:
    return incident.responded_at if clock == "respond" else incident.resolved_at


def _clock_due(incident: Incident, clock: ClockName) -> datetime:
    return incident.respond_due_at if clock == "respond" else incident.fix_due_at


@dataclass(frozen=True)
class Escalation:
    """One clock escalated (`breached` False: about to run out) or run out, for the on-call
    message sent once the round has committed."""

    number: str
    title: str
    severity: str
    clock: ClockName
    due_at: datetime
    breached: bool

    def message(self, now: datetime) -> str:
        what = SEVERITY_LABELS[Severity(self.severity)]
        which = "响应" if self.clock == "respond" else "修复"
        due = self.due_at.astimezone(CHINA)
        if self.breached:
            return (f"【处方流转平台】{what} {self.number}「{self.title[:30]}」{which}时限"
                    f"（{due:%H:%M}）已超时，请立即升级处理。")
        minutes = max(0, int((self.due_at - now).total_seconds() // 60))
        return (f"【处方流转平台】{what} {self.number}「{self.title[:30]}」{which}时限 "
                f"{due:%H:%M} 将到（剩 {minutes} 分钟），请立即处理。")


async def escalate_due(ctx: RequestContext, svc: Services) -> list[Escalation]:
    """Escalate every running clock that is about to run out, and mark those that ran out.

    Each step happens once per clock: the live event reaches the on-call roles and whoever
    took the incident; a breach goes to the server log as a warning too. The steps are
    returned for the on-call text messages (background.py sends them after the commit)."""
    now = svc.clock.now()
    done: list[Escalation] = []
    for incident in await repository.unresolved_for_escalation(ctx.session):
        for clock in CLOCKS:
            if _clock_stop(incident, clock) is not None:
                continue
            due = _clock_due(incident, clock)
            warned = f"{clock}_warned_at"
            breached = f"{clock}_breached_at"
            if now >= due and getattr(incident, breached) is None:
                setattr(incident, breached, now)
                if getattr(incident, warned) is None:
                    setattr(incident, warned, now)
                await _timeline(ctx.session, incident, f"{clock}_breached", now, actor=None)
                await _announce(ctx.session, incident, "incident.breached", clock=clock,
                                due_at=due)
                log.warning("incident %s: %s clock ran out at %s", incident.number, clock,
                            due.isoformat())
                done.append(Escalation(incident.number, incident.title, incident.severity,
                                       clock, due, breached=True))
            elif (now >= warn_at(incident.opened_at, due) and now < due
                  and getattr(incident, warned) is None):
                setattr(incident, warned, now)
                await _timeline(ctx.session, incident, f"{clock}_escalated", now, actor=None)
                await _announce(ctx.session, incident, "incident.escalated", clock=clock,
                                due_at=due, remaining_seconds=(due - now).total_seconds())
                done.append(Escalation(incident.number, incident.title, incident.severity,
                                       clock, due, breached=False))
    if done:
        ctx.note("incident.escalate", "incident", None, steps=len(done),
                 incidents=sorted({e.number for e in done}))
    return done


# -- the monthly report ---------------------------------------------------------------------
@dataclass
class ClockTally:
    met: int = 0
    missed: int = 0
    running: int = 0


@dataclass
class SeverityReport:
    severity: str
    total: int = 0
    respond: ClockTally = field(default_factory=ClockTally)
    fix: ClockTally = field(default_factory=ClockTally)


@dataclass
class MonthlyReport:
    month: str
    start: datetime
    end: datetime
    severities: list[SeverityReport]
    missed: list[tuple[Incident, list[ClockName]]]


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=CHINA)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following


def _outcome(incident: Incident, clock: ClockName, now: datetime) -> str:
    stop = _clock_stop(incident, clock)
    due = _clock_due(incident, clock)
    if stop is not None:
        return "met" if stop <= due else "missed"
    # Still running: missed once its time is up, whether or not it is fixed later.
    return "missed" if now > due else "running"


async def monthly_report(session: AsyncSession, *, month: date, now: datetime) -> MonthlyReport:
    """Incidents opened in the (Beijing) month: per severity, each clock met, missed or still
    running, and the incidents that missed one."""
    start, end = month_bounds(month)
    by_severity = {s.value: SeverityReport(s.value) for s in Severity}
    missed: list[tuple[Incident, list[ClockName]]] = []
    for incident in await repository.opened_between(session, start, end):
        report = by_severity[incident.severity]
        report.total += 1
        missed_clocks: list[ClockName] = []
        for clock in CLOCKS:
            outcome = _outcome(incident, clock, now)
            tally: ClockTally = getattr(report, clock)
            setattr(tally, outcome, getattr(tally, outcome) + 1)
            if outcome == "missed":
                missed_clocks.append(clock)
        if missed_clocks:
            missed.append((incident, missed_clocks))
    return MonthlyReport(month=f"{month.year:04d}-{month.month:02d}", start=start, end=end,
                         severities=list(by_severity.values()), missed=missed)
