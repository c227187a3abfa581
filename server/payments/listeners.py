"""Who is told when a payment becomes paid: the circulation core moves its order on.

Listeners register at import time (`@on_paid`) and run in the transaction that marks the payment
paid: for an online payment that is the gateway's callback, under the system scope (it has no
user); if a listener fails there, the payment stays unpaid, the gateway is answered with a
failure and calls again later. For a counter payment it is the registering staff's request, in
their scope. Payments that are paid after their QR code was closed are refunded, not announced.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from server.core.context import RequestContext
from server.core.services import Services

if TYPE_CHECKING:
    from server.payments.models import Payment

PaidListener = Callable[[RequestContext, Services, "Payment"], Awaitable[None]]

_listeners: list[PaidListener] = []


def on_paid(listener: PaidListener) -> PaidListener:
    """Register `listener` (once, however often its module is imported); usable as decorator."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def remove_listener(listener: PaidListener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


async def notify_paid(ctx: RequestContext, svc: Services, payment: Payment) -> None:
    for listener in list(_listeners):
        await listener(ctx, svc, payment)
