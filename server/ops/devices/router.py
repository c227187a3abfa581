"""HTTP routes of kiosks' device status: a kiosk reports, operators list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from server.access.roles import Permission
from server.core.context import Principal
from server.core.deps import Ctx, Svc
from server.core.errors import ERROR_RESPONSES
from server.identity.dependencies import require
from server.ops.devices import repository, service
from server.ops.devices.schemas import DeviceReportIn, DeviceStatusOut

router = APIRouter(prefix="/devices", tags=["设备状态 devices"], responses=ERROR_RESPONSES)

Kiosk = Annotated[Principal, require(Permission.DEVICE_REPORT)]
Reader = Annotated[Principal, require(Permission.OPS_READ)]


@router.post("/status", operation_id="report_device_status",
             response_model=list[DeviceStatusOut])
async def report(body: DeviceReportIn, principal: Kiosk, ctx: Ctx,
                 svc: Svc) -> list[DeviceStatusOut]:
    """A kiosk's devices as they are now (send every minute and on every change)."""
    rows = await service.report(ctx, svc, principal, body.devices)
    return [DeviceStatusOut.model_validate(r) for r in rows]


@router.get("/status", operation_id="list_device_status", response_model=list[DeviceStatusOut])
async def listing(principal: Reader, ctx: Ctx,
                  faults_only: bool = Query(False, description="只看故障设备"),
                  ) -> list[DeviceStatusOut]:
    """Every kiosk device's last reported state, in the organisations one sees."""
    rows = await repository.listing(ctx.session, faults_only=faults_only)
    return [DeviceStatusOut.model_validate(r) for r in rows]
