"""HTTP routes of incidents: record, list, read with the timeline, the transitions, and the
monthly report of the contract's clocks."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from server.access.roles import Permission
from server.core.context import Principal
from server.core.deps import Ctx, Offset, Svc
from server.core.errors import ERROR_RESPONSES
from server.identity.dependencies import require
from server.incidents import repository, service
from server.incidents.clocks import ClockName, Severity, clock_view
from server.incidents.models import Incident
from server.incidents.schemas import (
    ClockOut,
    IncidentEventOut,
    IncidentIn,
    IncidentOut,
    IncidentPage,
    MissedOut,
    MonthlyReportOut,
    NoteIn,
    OptionalNoteIn,
    ResolveIn,
    SeverityIn,
    SeverityReportOut,
)

router = APIRouter(prefix="/incidents", tags=["故障管理 incidents"], responses=ERROR_RESPONSES)

Reader = Annotated[Principal, require(Permission.OPS_READ)]
Manager = Annotated[Principal, require(Permission.INCIDENT_MANAGE)]
Status = Annotated[str | None, Query(pattern="^(open|acknowledged|responding|resolved)$",
                                     description="状态")]
# This century's months: year 0000 is no date, and the report's arithmetic needs the next month.
Month = Annotated[str | None, Query(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$",
                                    description="月份 YYYY-MM（北京时间）；默认本月")]


def _out(incident: Incident, svc: Svc, *, with_events: list[IncidentEventOut] | None = None
         ) -> IncidentOut:
    now = svc.clock.now()
    stops: tuple[tuple[ClockName, datetime, datetime | None], ...] = (
        ("respond", incident.respond_due_at, incident.responded_at),
        ("fix", incident.fix_due_at, incident.resolved_at))
    clocks = {
        name: ClockOut.model_validate(clock_view(name, opened_at=incident.opened_at, due_at=due,
                                                 stopped_at=stop, now=now), from_attributes=True)
        for name, due, stop in stops
    }
    return IncidentOut(
        id=incident.id, number=incident.number, org_id=incident.org_id, title=incident.title,
        description=incident.description, severity=Severity(incident.severity),
        service=incident.service, status=incident.status, source=incident.source,
        alert_name=incident.alert_name, opened_at=incident.opened_at,
        reported_by_name=incident.reported_by_name, acknowledged_at=incident.acknowledged_at,
        responded_at=incident.responded_at, resolved_at=incident.resolved_at,
        resolution=incident.resolution, respond=clocks["respond"], fix=clocks["fix"],
        version=incident.version, events=with_events)


@router.post("", operation_id="open_incident", response_model=IncidentOut, status_code=201)
async def open_incident(body: IncidentIn, principal: Manager, ctx: Ctx, svc: Svc) -> IncidentOut:
    """Record a fault; its response and fix clocks start now."""
    incident = await service.open_incident(
        ctx, svc, principal, title=body.title, description=body.description,
        severity=body.severity, service=body.service, org_id=body.org_id,
        source="alert" if body.alert_name else "manual", alert_name=body.alert_name)
    return _out(incident, svc)


@router.get("", operation_id="list_incidents", response_model=IncidentPage)
async def list_incidents(
    principal: Reader, ctx: Ctx, svc: Svc, status: Status = None,
    severity: Annotated[Severity | None, Query(description="级别")] = None,
    unresolved: Annotated[bool, Query(description="只看未修复的")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: Offset = 0,
) -> IncidentPage:
    """Incidents, newest first, with their clocks as they stand now."""
    rows, total = await repository.page(ctx.session, status=status, severity=severity,
                                        unresolved=unresolved, limit=limit, offset=offset)
    return IncidentPage(items=[_out(i, svc) for i in rows], total=total)


@router.get("/report", operation_id="incident_monthly_report", response_model=MonthlyReportOut)
async def monthly_report(principal: Reader, ctx: Ctx, svc: Svc,
                         month: Month = None) -> MonthlyReportOut:
    """The month's incidents by severity: each clock met, missed or still running."""
    now = svc.clock.now()
    if month:
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
    else:
        today = now.astimezone(service.CHINA).date()
        first = today.replace(day=1)
    report = await service.monthly_report(ctx.session, month=first, now=now)
    return MonthlyReportOut(
        month=report.month, start=report.start, end=report.end,
        severities=[SeverityReportOut.model_validate(s, from_attributes=True)
                    for s in report.severities],
        missed=[MissedOut(id=i.id, number=i.number, title=i.title, severity=Severity(i.severity),
                          opened_at=i.opened_at, missed=clocks)
                for i, clocks in report.missed])


@router.get("/{incident_id}", operation_id="get_incident", response_model=IncidentOut)
async def get_incident(incident_id: uuid.UUID, principal: Reader, ctx: Ctx,
                       svc: Svc) -> IncidentOut:
    """One incident with its timeline."""
    incident = await service.incident_for(ctx.session, incident_id)
    events = [IncidentEventOut.model_validate(e)
              for e in await repository.events(ctx.session, incident.id)]
    return _out(incident, svc, with_events=events)


@router.post("/{incident_id}/acknowledge", operation_id="acknowledge_incident",
             response_model=IncidentOut)
async def acknowledge(incident_id: uuid.UUID, body: OptionalNoteIn, principal: Manager,
                      ctx: Ctx, svc: Svc) -> IncidentOut:
    """Take the incident (the response clock runs on until the response is recorded)."""
    return _out(await service.acknowledge(ctx, svc, principal, incident_id, note=body.note), svc)


@router.post("/{incident_id}/respond", operation_id="respond_incident",
             response_model=IncidentOut)
async def respond(incident_id: uuid.UUID, body: NoteIn, principal: Manager, ctx: Ctx,
                  svc: Svc) -> IncidentOut:
    """Record the response (what is being done): stops the response clock."""
    return _out(await service.respond(ctx, svc, principal, incident_id, note=body.note), svc)


@router.post("/{incident_id}/resolve", operation_id="resolve_incident",
             response_model=IncidentOut)
async def resolve(incident_id: uuid.UUID, body: ResolveIn, principal: Manager, ctx: Ctx,
                  svc: Svc) -> IncidentOut:
    """Service restored: stops the fix clock (and the response clock if still running)."""
    return _out(await service.resolve(ctx, svc, principal, incident_id,
                                      resolution=body.resolution), svc)


@router.post("/{incident_id}/notes", operation_id="add_incident_note",
             response_model=IncidentOut)
async def add_note(incident_id: uuid.UUID, body: NoteIn, principal: Manager, ctx: Ctx,
                   svc: Svc) -> IncidentOut:
    """A line on the timeline (progress, a call with the hospital)."""
    return _out(await service.add_note(ctx, svc, principal, incident_id, note=body.note), svc)


@router.post("/{incident_id}/severity", operation_id="change_incident_severity",
             response_model=IncidentOut)
async def change_severity(incident_id: uuid.UUID, body: SeverityIn, principal: Manager,
                          ctx: Ctx, svc: Svc) -> IncidentOut:
    """Re-grade an unresolved incident; its clocks follow the new grade from its opening."""
    return _out(await service.change_severity(ctx, svc, principal, incident_id,
                                              severity=body.severity, reason=body.reason), svc)
