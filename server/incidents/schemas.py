"""Request and response bodies of the incident API. Times are UTC; the clocks carry their
state at the moment of the answer so an app can show them running."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from server.incidents.clocks import ClockName, ClockState, Severity

AffectedService = Literal["prescribing", "review", "circulation", "purchase", "other"]
Text = Field(min_length=1, max_length=4000)


class IncidentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title: str = Field(min_length=1, max_length=200, description="故障摘要")
    description: str | None = Field(None, max_length=4000, description="现象、影响范围")
    severity: Severity = Field(
        description="general 一般故障；serious 严重故障（开方、流转或购药中断）")
    service: AffectedService = Field(description="受影响的业务")
    org_id: uuid.UUID | None = Field(None, description="故障所属机构；默认登记人所在机构")
    alert_name: str | None = Field(None, max_length=100, description="由告警触发时的告警名")


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    note: str = Text


class OptionalNoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    note: str | None = Field(None, max_length=4000)


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    resolution: str = Field(min_length=1, max_length=4000, description="原因与处理结果")


class SeverityIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    severity: Severity
    reason: str = Field(min_length=1, max_length=1000, description="调整原因")


class ClockOut(BaseModel):
    name: ClockName
    due_at: datetime
    stopped_at: datetime | None
    state: ClockState = Field(description="running 计时中；escalated 即将超时已升级；"
                                          "breached 已超时未完成；met 按时完成；missed 超时完成")
    remaining_seconds: float | None


class IncidentEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    at: datetime
    kind: str
    actor_name: str
    note: str | None


class IncidentOut(BaseModel):
    id: uuid.UUID
    number: str
    org_id: uuid.UUID
    title: str
    description: str | None
    severity: Severity
    service: str
    status: str
    source: str
    alert_name: str | None
    opened_at: datetime
    reported_by_name: str
    acknowledged_at: datetime | None
    responded_at: datetime | None
    resolved_at: datetime | None
    resolution: str | None
    respond: ClockOut
    fix: ClockOut
    version: int
    events: list[IncidentEventOut] | None = None


class IncidentPage(BaseModel):
    items: list[IncidentOut]
    total: int


class ClockTallyOut(BaseModel):
    met: int
    missed: int
    running: int


class SeverityReportOut(BaseModel):
    severity: Severity
    total: int
    respond: ClockTallyOut
    fix: ClockTallyOut


class MissedOut(BaseModel):
    id: uuid.UUID
    number: str
    title: str
    severity: Severity
    opened_at: datetime
    missed: list[ClockName]


class MonthlyReportOut(BaseModel):
    month: str
    start: datetime
    end: datetime
    severities: list[SeverityReportOut]
    missed: list[MissedOut]
