"""HTTP route of the notification outbox's state, for the administrators' system screen."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel

from server.access.roles import Permission
from server.core.context import Principal
from server.core.deps import Ctx
from server.core.errors import ERROR_RESPONSES
from server.identity.dependencies import require
from server.notifications import repository

router = APIRouter(prefix="/notifications", tags=["通知 notifications"],
                   responses=ERROR_RESPONSES)
ManageConfig = Annotated[Principal, require(Permission.CONFIG_MANAGE)]


class OutboxState(BaseModel):
    pending: int
    failed: int
    oldest_pending_at: datetime | None


@router.get("/outbox", operation_id="notification_outbox_state", response_model=OutboxState)
async def outbox_state(principal: ManageConfig, ctx: Ctx) -> OutboxState:
    """Messages to patients waiting to be sent, given up after their retries, and how long
    the oldest has waited (the SMS gateway is down or slow when it grows)."""
    return OutboxState.model_validate(await repository.outbox_state(ctx.session))
