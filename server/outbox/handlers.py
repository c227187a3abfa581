"""What a destination implements to receive outbox messages.

A handler gets one `Delivery` and returns when the receiver has accepted it. It raises
`DeliveryFailed` for what is worth trying again later (no connection, a timeout, a receiver that
is down) and `DeliveryRefused` when the receiver refuses the message itself, which no retry will
change: that message goes to the dead letters at once. Any other exception counts as
`DeliveryFailed`. The same message may be delivered more than once (a relay killed between the
receiver's answer and its commit): receivers deduplicate by `Delivery.id`.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Delivery:
    id: uuid.UUID
    destination: str
    topic: str
    ordering_key: str | None
    payload: str
    attempt: int  # 1 for the first try
    created_at: datetime
    # The queue's sequence number, unique and fixed like `id`: for receivers whose message ids
    # are numbered (the insurance centre's `msgid` ends in a sequence number).
    seq: int = 0


class DeliveryFailed(Exception):
    """Not delivered this time; try again after the back-off."""


class DeliveryRefused(DeliveryFailed):
    """The receiver refuses this message for good."""


Handler = Callable[[Delivery], Awaitable[None]]
Handlers = Mapping[str, Handler]
