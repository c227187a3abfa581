"""The contract's clocks (DOMAIN.md section 10) and where an incident stands against them.

General fault: respond within 1 hour, fix within 2. Serious fault (prescribing, circulation or
purchase stopped): respond within 15 minutes, fix within 1 hour. Both clocks start when the
incident is opened. A clock escalates when a quarter of it is left (15 min of a general
response, under 4 of a serious one), and is breached when it runs out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal


class Severity(StrEnum):
    GENERAL = "general"
    SERIOUS = "serious"


SEVERITY_LABELS = {Severity.GENERAL: "一般故障", Severity.SERIOUS: "严重故障"}


@dataclass(frozen=True)
class Limits:
    respond: timedelta
    fix: timedelta


LIMITS = {
    Severity.GENERAL: Limits(respond=timedelta(hours=1), fix=timedelta(hours=2)),
    Severity.SERIOUS: Limits(respond=timedelta(minutes=15), fix=timedelta(hours=1)),
}
# Escalate when this share of a clock is left.
WARN_SHARE = 0.25

ClockName = Literal["respond", "fix"]
ClockState = Literal["running", "escalated", "breached", "met", "missed"]


def due_times(severity: Severity, opened_at: datetime) -> tuple[datetime, datetime]:
    limits = LIMITS[severity]
    return opened_at + limits.respond, opened_at + limits.fix


def warn_at(opened_at: datetime, due_at: datetime) -> datetime:
    return due_at - (due_at - opened_at) * WARN_SHARE


@dataclass(frozen=True)
class ClockView:
    name: ClockName
    due_at: datetime
    stopped_at: datetime | None
    state: ClockState
    # Seconds left (negative: overdue by) while running; None once stopped.
    remaining_seconds: float | None


def clock_view(name: ClockName, *, opened_at: datetime, due_at: datetime,
               stopped_at: datetime | None, now: datetime) -> ClockView:
    if stopped_at is not None:
        state: ClockState = "met" if stopped_at <= due_at else "missed"
        return ClockView(name, due_at, stopped_at, state, None)
    if now >= due_at:
        state = "breached"
    elif now >= warn_at(opened_at, due_at):
        state = "escalated"
    else:
        state = "running"
    return ClockView(name, due_at, None, state, (due_at - now).total_seconds())
