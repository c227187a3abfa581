"""What every card reader offers, real or simulated.

Insert/remove events arrive on a driver thread (pyscard's CardMonitor thread, or the
simulator's event thread), never on the caller's: a GUI hands them over with
`common.qt.devices.CardEvents`, other code can collect them with `CardEventQueue`.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from typing import Protocol

from common.hardware.card.profile import CardEvent, CardIdentity

CardEventCallback = Callable[[CardEvent], None]


class CardReader(Protocol):
    name: str

    def read_card(self) -> CardIdentity:
        """Reads the card in the reader. Raises NoCardReader, NoCard, CardRemovedDuringRead,
        UnknownCard, CardStatusError, CardCommunicationError."""
        ...

    def card_present(self) -> bool: ...

    def watch(self, callback: CardEventCallback) -> None:
        """Delivers insert/remove events to `callback` from a driver thread until `unwatch`.
        A card already in the reader is reported at once as inserted."""
        ...

    def unwatch(self, callback: CardEventCallback) -> None: ...

    def close(self) -> None: ...


class CardEventQueue(queue.Queue[CardEvent]):
    """A callback that queues the events, for code that polls instead of reacting."""

    def __call__(self, event: CardEvent) -> None:
        self.put(event)
