"""The incident screen's logic: the contract's two clocks of an incident counting down on the
workstation between reads, what each status allows next, and the monthly report as rows.

The server stamps each clock with its state and the seconds left at the moment it answered.
The screen counts down from that answer with the workstation's monotonic clock, not from the
deadline against the workstation's wall clock: a PC whose clock is a few minutes off would
otherwise show a serious fault's 15 minutes wrongly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

# Escalate when this share of a clock is left (the server's rule: server/incidents/clocks.py).
WARN_SHARE = 0.25
# A clock's states in the order they can follow one another while it runs.
RUNNING_STATES = ("running", "escalated", "breached")
STOPPED_STATES = ("met", "missed")
CLOCK_NAMES = ("respond", "fix")

# What each transition may start from (the server decides again).
ACTIONS_FROM: dict[str, tuple[str, ...]] = {
    "acknowledge": ("open",),
    "respond": ("open", "acknowledged"),
    "resolve": ("open", "acknowledged", "responding"),
    "severity": ("open", "acknowledged", "responding"),
    "notes": ("open", "acknowledged", "responding", "resolved"),
}
# Transitions whose text is required (the response, the resolution, a note, the reason).
TEXT_REQUIRED = {"respond", "resolve", "notes", "severity"}


@dataclass(frozen=True)
class Clock:
    """One clock as the server answered: `remaining` seconds then (None once stopped)."""

    name: str
    opened_at: datetime
    due_at: datetime
    state: str
    remaining: float | None
    stopped_at: datetime | None = None

    @classmethod
    def of(cls, incident: dict[str, Any], name: str) -> Clock:
        clock = incident[name]
        remaining = clock.get("remaining_seconds")
        stopped = clock.get("stopped_at")
        return cls(name=name, opened_at=datetime.fromisoformat(incident["opened_at"]),
                   due_at=datetime.fromisoformat(clock["due_at"]), state=str(clock["state"]),
                   remaining=None if remaining is None else float(remaining),
                   stopped_at=datetime.fromisoformat(stopped) if stopped else None)

    @property
    def length(self) -> float:
        return (self.due_at - self.opened_at).total_seconds()

    def at(self, elapsed: float) -> tuple[str, float | None]:
        """State and seconds left `elapsed` seconds after the answer (negative: overdue)."""
        if self.remaining is None:
            return self.state, None
        left = self.remaining - elapsed
        if left <= 0:
            local = "breached"
        elif left <= self.length * WARN_SHARE:
            local = "escalated"
        else:
            local = "running"
        # Never show a clock going back to an earlier state than the server saw.
        if self.state in RUNNING_STATES:
            local = max(local, self.state, key=RUNNING_STATES.index)
        return local, left


@dataclass(frozen=True)
class IncidentRow:
    id: str
    number: str
    title: str
    severity: str
    service: str
    status: str
    opened_at: datetime
    respond: Clock
    fix: Clock
    version: int

    @classmethod
    def of(cls, incident: dict[str, Any]) -> IncidentRow:
        return cls(id=str(incident["id"]), number=str(incident["number"]),
                   title=str(incident["title"]), severity=str(incident["severity"]),
                   service=str(incident["service"]), status=str(incident["status"]),
                   opened_at=datetime.fromisoformat(incident["opened_at"]),
                   respond=Clock.of(incident, "respond"), fix=Clock.of(incident, "fix"),
                   version=int(incident["version"]))

    def clocks(self) -> tuple[Clock, Clock]:
        return self.respond, self.fix

    def allows(self, action: str) -> bool:
        return self.status in ACTIONS_FROM[action]


def by_urgency(rows: list[IncidentRow]) -> list[IncidentRow]:
    """Unresolved incidents first, the one whose next deadline comes soonest on top; then the
    resolved ones, newest first (the server's order)."""
    def next_deadline(row: IncidentRow) -> float:
        left = [c.remaining for c in row.clocks() if c.remaining is not None]
        return min(left) if left else float("inf")

    open_rows = sorted((r for r in rows if r.status != "resolved"), key=next_deadline)
    return open_rows + [r for r in rows if r.status == "resolved"]


def countdown(seconds: float) -> str:
    """Seconds as H:MM:SS or MM:SS, overdue ones too (the sign is left to the caller)."""
    total = int(abs(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def newly_escalated(before: dict[tuple[str, str], str],
                    now: dict[tuple[str, str], str]) -> list[tuple[str, str, str]]:
    """(incident id, clock, state) of the clocks that have just escalated or run out since
    the previous tick: the screen raises these once, not on every second."""
    rank = {state: i for i, state in enumerate(RUNNING_STATES)}
    changed = []
    for key, state in now.items():
        previous = before.get(key)
        if state in ("escalated", "breached") and previous != state and (
                previous is None or rank.get(previous, 99) < rank[state]):
            changed.append((key[0], key[1], state))
    return changed


@dataclass(frozen=True)
class ReportRow:
    severity: str
    total: int
    respond_met: int
    respond_missed: int
    respond_running: int
    fix_met: int
    fix_missed: int
    fix_running: int

    @classmethod
    def of(cls, row: dict[str, Any]) -> ReportRow:
        return cls(severity=str(row["severity"]), total=int(row["total"]),
                   respond_met=int(row["respond"]["met"]),
                   respond_missed=int(row["respond"]["missed"]),
                   respond_running=int(row["respond"]["running"]),
                   fix_met=int(row["fix"]["met"]), fix_missed=int(row["fix"]["missed"]),
                   fix_running=int(row["fix"]["running"]))

    def cells(self) -> list[int]:
        return [self.total, self.respond_met, self.respond_missed, self.respond_running,
                self.fix_met, self.fix_missed, self.fix_running]


def recent_months(today: date, count: int = 12) -> list[str]:
    """YYYY-MM of this month and the `count - 1` before it, newest first."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months
