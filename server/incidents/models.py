"""An incident and its timeline.

The clocks are stored as due times fixed when the incident is opened (or its severity changes),
so the monthly report reads what was promised at the time, not what the rules say today.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, Entity


class Incident(Entity, Base):
    __tablename__ = "incident"

    number: Mapped[str] = mapped_column(String(20), unique=True)
    # The organisation the fault is reported for (the group for platform-wide faults).
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(10))  # general | serious
    # What the fault stops: prescribing | review | circulation | purchase | other.
    service: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))  # open | acknowledged | responding | resolved
    source: Mapped[str] = mapped_column(String(20))  # manual | alert
    alert_name: Mapped[str | None] = mapped_column(String(100))
    opened_at: Mapped[datetime]
    reported_by_id: Mapped[uuid.UUID | None]
    reported_by_name: Mapped[str] = mapped_column(String(100))
    respond_due_at: Mapped[datetime]
    fix_due_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[uuid.UUID | None]
    responded_at: Mapped[datetime | None]
    responded_by_id: Mapped[uuid.UUID | None]
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[uuid.UUID | None]
    resolution: Mapped[str | None] = mapped_column(Text)
    # When each clock was escalated as about to run out, and when it ran out unmet.
    respond_warned_at: Mapped[datetime | None]
    respond_breached_at: Mapped[datetime | None]
    fix_warned_at: Mapped[datetime | None]
    fix_breached_at: Mapped[datetime | None]

    __table_args__ = (
        # The escalation loop's work list.
        Index("ix_incident_unresolved", "fix_due_at",
              postgresql_where=text("status <> 'resolved'")),
        Index("ix_incident_opened_at", "opened_at"),
    )


class IncidentEvent(Base):
    """One line of an incident's timeline: opened, acknowledged, responded, a note, escalated,
    breached, severity changed, resolved."""

    __tablename__ = "incident_event"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incident.id"), index=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[uuid.UUID | None]
    actor_name: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
