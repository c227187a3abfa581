"""HTTP routes of the audit log (auditors only)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from server.access.roles import Permission
from server.audit import repository, service
from server.core.context import Principal
from server.core.deps import Ctx, Offset, QueryMoment, Svc
from server.core.errors import ERROR_RESPONSES
from server.identity.dependencies import require

router = APIRouter(prefix="/audit", tags=["审计 audit"], responses=ERROR_RESPONSES)

ReadAudit = Annotated[Principal, require(Permission.AUDIT_READ)]
VerifyAudit = Annotated[Principal, require(Permission.AUDIT_VERIFY)]


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    seq: int
    occurred_at: datetime
    actor_kind: str | None
    actor_id: uuid.UUID | None
    actor_name: str | None
    actor_role: str | None
    org_id: uuid.UUID | None
    ip: str | None
    workstation: str | None
    action: str
    entity_type: str | None
    entity_id: str | None
    outcome: str
    status_code: int | None
    summary: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditEventOut]
    total: int
    served_by: str


class VerifyOut(BaseModel):
    ok: bool
    message: str
    events_checked: int
    head_seq: int
    first_broken_seq: int | None
    checkpoints_checked: int
    warnings: list[str]


@router.get("/events", operation_id="search_audit_events", response_model=AuditPage)
async def search_events(
    principal: ReadAudit, svc: Svc,
    actor_id: uuid.UUID | None = None, action: str | None = Query(None, max_length=100),
    entity_type: str | None = Query(None, max_length=60),
    entity_id: str | None = Query(None, max_length=64),
    since: QueryMoment | None = None, until: QueryMoment | None = None,
    limit: int = Query(50, ge=1, le=500), offset: Offset = 0,
) -> AuditPage:
    """Search the audit log (a read-only query: served by a replica when one is up)."""
    async with svc.db.read_session() as (session, source):
        rows, total = await repository.search(
            session, actor_id=actor_id, action=action, entity_type=entity_type,
            entity_id=entity_id, since=since, until=until,
            org_ids=principal.visible_org_ids, limit=limit, offset=offset)
        items = [AuditEventOut.model_validate(r) for r in rows]
    return AuditPage(items=items, total=total, served_by=source)


@router.post("/verify", operation_id="verify_audit_chain", response_model=VerifyOut)
async def verify_chain(principal: VerifyAudit, ctx: Ctx, svc: Svc) -> VerifyOut:
    """Recompute the hash chain and compare it with the signed checkpoints."""
    result = await service.verify(ctx.session, svc.settings, svc.keys)
    ctx.note("audit.verify", "audit_event", None, ok=result.ok,
             first_broken_seq=result.first_broken_seq)
    return VerifyOut(ok=result.ok, message=result.describe(), events_checked=result.events_checked,
                     head_seq=result.head_seq, first_broken_seq=result.first_broken_seq,
                     checkpoints_checked=result.checkpoints_checked, warnings=result.warnings)
