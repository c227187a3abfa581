"""Stored responses of requests sent with an `Idempotency-Key`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String, func
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base


class IdempotencyRecord(Base):
    """Written in the same transaction as the change, so a change and its stored answer commit
    together or not at all; the primary key makes concurrent retries collapse into one."""

    __tablename__ = "idempotency_record"

    # The principal's id, or "anonymous" for login / refresh.
    principal: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response_body: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)
