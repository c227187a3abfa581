"""Recording what a kiosk reports about its devices."""

from __future__ import annotations

from collections.abc import Sequence

from server.core.context import Principal, RequestContext
from server.core.errors import NotPermitted
from server.core.services import Services
from server.ops.devices import repository
from server.ops.devices.models import DeviceStatus
from server.ops.devices.schemas import DeviceReport


async def report(ctx: RequestContext, svc: Services, kiosk: Principal,
                 devices: Sequence[DeviceReport]) -> list[DeviceStatus]:
    """Store the kiosk's latest state per device. Audited only when a state changes: a kiosk
    reports every minute, and the log should show faults, not heartbeats."""
    if kiosk.kind != "client" or kiosk.org_id is None:
        raise NotPermitted("只有自助机客户端可以上报设备状态")
    now = svc.clock.now()
    known = await repository.for_client(ctx.session, kiosk.id)
    changed = []
    for item in devices:
        row = known.get(item.device)
        if row is None:
            row = DeviceStatus(client_id=kiosk.id, org_id=kiosk.org_id, client_name=kiosk.name,
                               device=item.device, state=item.state, since=now)
            ctx.session.add(row)
            known[item.device] = row
            changed.append(item)
        elif (row.state, row.fault) != (item.state, item.fault):
            row.since = now
            changed.append(item)
        row.state, row.fault, row.detail, row.reported_at = (
            item.state, item.fault if item.state == "fault" else None, item.detail, now)
    await ctx.session.flush()
    if changed:
        ctx.note("device.status", "integration_client", kiosk.id,
                 changes=[f"{c.device}:{c.state}{':' + c.fault if c.fault else ''}"
                          for c in changed])
    return [known[item.device] for item in devices]
