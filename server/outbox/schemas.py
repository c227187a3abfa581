"""Response bodies of the outbox administration routes."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class OutboxMessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID = Field(description="消息编号（接收方据此去重）")
    destination: str = Field(description="目的地，如 hl7")
    topic: str = Field(description="目的地内的接收方，如 his-h1")
    ordering_key: str | None = Field(description="顺序键（如处方编号）：同键消息按序投递")
    status: str = Field(description="pending 待投递 | delivered 已投递 | dead 死信")
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime
    dead_at: datetime | None


class DeadLetterPage(BaseModel):
    items: list[OutboxMessageOut]
    total: int


class DestinationStats(BaseModel):
    destination: str
    pending: int = Field(description="待投递（含等待重试）")
    due: int = Field(description="已到投递时间")
    dead: int = Field(description="死信")
    oldest_pending_at: datetime | None


class OutboxStatsOut(BaseModel):
    pending: int
    dead: int
    destinations: list[DestinationStats]
