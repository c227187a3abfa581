"""HTTP routes of run-time settings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from server.access.roles import Permission
from server.core.context import Principal
from server.core.deps import Ctx
from server.core.errors import ERROR_RESPONSES
from server.identity.dependencies import CurrentPrincipal, require
from server.platform_settings import service
from server.platform_settings.registry import REGISTRY

router = APIRouter(prefix="/settings", tags=["设置 settings"], responses=ERROR_RESPONSES)
ManageConfig = Annotated[Principal, require(Permission.CONFIG_MANAGE)]
KeyPath = Annotated[str, Path(max_length=60, description=", ".join(REGISTRY))]


class SettingOut(BaseModel):
    key: str
    value: dict[str, Any]
    version: int


class SettingUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: dict[str, Any]
    version: int = Field(ge=0, description="读取时的版本号（从未保存过为 0）")


@router.get("/{key}", operation_id="get_setting", response_model=SettingOut)
async def get_setting(key: KeyPath, principal: CurrentPrincipal, ctx: Ctx) -> SettingOut:
    value, version = await service.read(ctx, key)
    return SettingOut(key=key, value=value, version=version)


@router.put("/{key}", operation_id="put_setting", response_model=SettingOut)
async def put_setting(key: KeyPath, body: SettingUpdate, principal: ManageConfig,
                      ctx: Ctx) -> SettingOut:
    value, version = await service.write(ctx, principal, key, body.value, body.version)
    return SettingOut(key=key, value=value, version=version)
