"""Liveness and readiness probes for load balancers and the daily inspection."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from server.core.deps import Svc
from server.core.migrations import head_revision

router = APIRouter(tags=["运行状态 health"])


@router.get("/health", operation_id="health")
async def health() -> dict[str, str]:
    """The process is alive (no dependencies checked)."""
    return {"status": "alive"}


@router.get("/ready", operation_id="ready", responses={503: {"description": "未就绪"}})
async def ready(svc: Svc) -> JSONResponse:
    """Ready to serve: the primary answers, the schema is at the migrations' head; replicas'
    state is reported (a replica down degrades reads to the primary, it does not stop service)."""
    body: dict[str, Any] = {"primary": "down", "migrations": "unknown"}
    try:
        async with svc.db.primary.connect() as conn:
            revision = (await conn.execute(text("SELECT version_num FROM alembic_version")))\
                .scalar_one_or_none()
        body["primary"] = "up"
        expected = head_revision()
        body["migrations"] = "head" if revision == expected else f"at {revision}, head {expected}"
    except Exception as exc:  # any failure here means "not ready", never a 500
        body["error"] = type(exc).__name__
    body["replicas"] = await svc.db.replica_states()
    ok = body["primary"] == "up" and body["migrations"] == "head"
    body["status"] = "ready" if ok else "not_ready"
    return JSONResponse(body, status_code=200 if ok else 503)
