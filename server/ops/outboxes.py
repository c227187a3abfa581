"""The outboxes the platform delivers from, and their figures: backlog, dead letters, age.

Each outbox is one table with a status column (the patients' text messages, and the general
outbox of server/outbox to the HIS and other systems); adding one is one more `OutboxSource`
line in `SOURCES`. The table and column names are
code, never input, which is why they may be written into the SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class OutboxSource:
    name: str
    table: str
    pending: str  # the status of a message still to deliver
    dead: str  # the status of a message given up on (a dead letter)
    created_column: str = "created_at"
    status_column: str = "status"


SOURCES: tuple[OutboxSource, ...] = (
    OutboxSource("notification", "notification", pending="pending", dead="failed"),
    OutboxSource("integration", "outbox_message", pending="pending", dead="dead"),
)


@dataclass(frozen=True)
class OutboxFigures:
    name: str
    backlog: int
    dead: int
    # Age of the oldest message waiting (seconds); 0 when none waits.
    oldest_pending_seconds: float


async def figures(session: AsyncSession, now: datetime,
                  sources: tuple[OutboxSource, ...] = SOURCES) -> list[OutboxFigures]:
    """One row per outbox whose table exists (an outbox not yet migrated is left out)."""
    found = []
    for source in sources:
        exists = (await session.execute(text("SELECT to_regclass(:t)"),
                                        {"t": source.table})).scalar()
        if exists is None:
            continue
        row = (await session.execute(text(
            f"SELECT count(*) FILTER (WHERE {source.status_column} = :pending),"  # noqa: S608
            f" count(*) FILTER (WHERE {source.status_column} = :dead),"
            f" min({source.created_column}) FILTER (WHERE {source.status_column} = :pending)"
            f" FROM {source.table}"), {"pending": source.pending, "dead": source.dead})).one()
        backlog, dead, oldest = row
        age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
        found.append(OutboxFigures(source.name, int(backlog), int(dead), age))
    return found
