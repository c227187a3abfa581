"""Reading and changing settings groups (validated against their model; versioned)."""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.context import Principal, RequestContext
from server.core.errors import NotFound, Unprocessable, VersionConflict
from server.platform_settings.models import PlatformSetting
from server.platform_settings.registry import REGISTRY

M = TypeVar("M", bound=BaseModel)


# Session.info key: (the transaction, every group's stored value) as this transaction read them.
_CACHE = "rxp.platform_settings"


@cache
def _all_settings() -> Select[Any]:
    """Built once: nearly every write reads the settings."""
    return select(PlatformSetting.key, PlatformSetting.value)


async def load(session: AsyncSession, model: type[M]) -> M:
    """The group's value as this transaction sees it. The first call reads every group in one
    statement (a request often needs two or three: the prescription limits, the review time
    limits...); the rest of the transaction reuses them. `write` drops the copy."""
    key = next(k for k, m in REGISTRY.items() if m is model)
    sync = session.sync_session
    transaction = sync.get_transaction()
    cached = sync.info.get(_CACHE)
    if cached is None or transaction is None or cached[0] is not transaction:
        rows = (await session.execute(_all_settings())).all()
        cached = sync.info[_CACHE] = (sync.get_transaction(), {r.key: r.value for r in rows})
    value = cached[1].get(key)
    return model.model_validate(value) if value is not None else model()


async def read(ctx: RequestContext, key: str) -> tuple[dict[str, Any], int]:
    model = REGISTRY.get(key)
    if model is None:
        raise NotFound("没有这个设置项")
    row = (await ctx.session.scalars(
        select(PlatformSetting).where(PlatformSetting.key == key))).first()
    value = model.model_validate(row.value) if row else model()
    return value.model_dump(), row.version if row else 0


async def write(ctx: RequestContext, actor: Principal, key: str, value: dict[str, Any],
                version: int) -> tuple[dict[str, Any], int]:
    model = REGISTRY.get(key)
    if model is None:
        raise NotFound("没有这个设置项")
    try:
        validated = model.model_validate(value).model_dump()
    except ValidationError as exc:
        fields = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                  for e in exc.errors()]
        raise Unprocessable("设置值不合法", fields=fields) from None
    row = (await ctx.session.scalars(
        select(PlatformSetting).where(PlatformSetting.key == key).with_for_update())).first()
    current = row.version if row else 0
    if version != current:
        raise VersionConflict(current_version=current)
    if row is None:
        row = PlatformSetting(key=key, value=validated)
        ctx.session.add(row)
    else:
        row.value = validated
    row.updated_by_id, row.updated_by_name = actor.id, actor.name
    await ctx.session.flush()
    ctx.session.sync_session.info.pop(_CACHE, None)
    ctx.note("settings.update", "platform_setting", key, value=validated)
    return validated, row.version
