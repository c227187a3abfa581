"""One row per settings group (e.g. `prescription_limits`), its value as JSON."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, Entity


class PlatformSetting(Entity, Base):
    __tablename__ = "platform_setting"

    key: Mapped[str] = mapped_column(String(60), unique=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSONB)
    updated_by_id: Mapped[uuid.UUID | None]
    updated_by_name: Mapped[str | None] = mapped_column(String(100))
