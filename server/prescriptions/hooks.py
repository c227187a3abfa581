"""What other parts of the server must do when a prescription is voided (an order to cancel, a
payment to refund). They register here; the prescriptions package does not import them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from server.core.context import RequestContext
from server.core.services import Services
from server.prescriptions.models import Prescription

VoidListener = Callable[[RequestContext, Services, Prescription, str], Awaitable[None]]
_void_listeners: list[VoidListener] = []


def on_void(listener: VoidListener) -> VoidListener:
    if listener not in _void_listeners:
        _void_listeners.append(listener)
    return listener


async def voided(ctx: RequestContext, svc: Services, rx: Prescription, reason: str) -> None:
    for listener in _void_listeners:
        await listener(ctx, svc, rx, reason)
