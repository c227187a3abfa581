"""The live-event table: the durable log every stream replays from and resumes by id.

`id` grows in commit order (see `service.publish`), so "every event after N" is complete once
N has been seen: a client that reconnects with its last id misses nothing. Access follows the
API's: an event belongs to one organisation (`org_id`, matched against the principal's scope)
and optionally to an audience, some users and/or some roles (both empty: everyone in scope).
No row-level security: publishing crosses organisations (a doctor's submission notifies a
pharmacy), so the reading side filters explicitly, in `repository.visible` and `LiveEvent`'s
twin `EventRecord.visible_to`.

Old events are pruned (server/ops/retention.py); `LiveEventHorizon` remembers how far, so that
a stream can tell a client resuming from before that point to reload instead of replaying.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, SmallInteger, String, Uuid, func, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base


class LiveEvent(Base):
    __tablename__ = "live_event"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    type: Mapped[str] = mapped_column(String(60))
    org_id: Mapped[uuid.UUID]
    user_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), server_default=text("'{}'"))
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(30)), server_default=text("'{}'"))
    entity_type: Mapped[str | None] = mapped_column(String(60))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))


class LiveEventHorizon(Base):
    """The highest live-event id ever pruned: one row, only ever raised.

    Ids have gaps by design (each event takes two values of the sequence), so the lowest id
    still kept cannot say whether events were pruned after a client's last id; this can."""

    __tablename__ = "live_event_horizon"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    pruned_through: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
