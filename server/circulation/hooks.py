"""What other parts of the server do when an order moves on (a message to the HIS that placed
the prescription). They register here; circulation does not import them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from server.circulation.models import CirculationOrder
from server.core.context import RequestContext
from server.prescriptions.models import Prescription

# (ctx, prescription, order, event type such as "order.dispensed")
ChangeListener = Callable[[RequestContext, Prescription, CirculationOrder, str], Awaitable[None]]
_change_listeners: list[ChangeListener] = []


def on_change(listener: ChangeListener) -> ChangeListener:
    if listener not in _change_listeners:
        _change_listeners.append(listener)
    return listener


async def changed(ctx: RequestContext, rx: Prescription, order: CirculationOrder,
                  type: str) -> None:
    for listener in _change_listeners:
        await listener(ctx, rx, order, type)
