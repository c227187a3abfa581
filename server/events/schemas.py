"""Response bodies of the live-event API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class LiveEventOut(BaseModel):
    id: int
    type: str
    created_at: datetime
    org_id: uuid.UUID
    entity_type: str | None
    entity_id: str | None
    payload: dict[str, Any]


class LiveEventPage(BaseModel):
    items: list[LiveEventOut]
    last_id: int = Field(description="下次轮询时作为 after 传入")
    resync: bool = Field(False, description="after 之后有事件已被清理：重新加载所显示的数据")
