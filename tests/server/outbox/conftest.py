"""Outbox test helpers: the app's services without its own relay (the tests run rounds by
hand), a recording receiver, and messages queued in committed transactions."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import FastAPI

from server.core.services import Services
from server.outbox.handlers import Delivery, DeliveryFailed, DeliveryRefused
from server.outbox.service import enqueue


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"outbox_relay": False, "outbox_max_attempts": 3,
                                       "outbox_retry_seconds": 10.0})


@pytest.fixture
def svc(app: FastAPI) -> Services:
    return app.state.services


class Receiver:
    """Records deliveries; `fail[payload] = n` fails that payload's next n deliveries,
    `refuse` refuses those payloads for good."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self.fail: dict[str, int] = {}
        self.refuse: set[str] = set()

    async def __call__(self, delivery: Delivery) -> None:
        if delivery.payload in self.refuse:
            raise DeliveryRefused(f"拒收 {delivery.payload}")
        if self.fail.get(delivery.payload, 0) > 0:
            self.fail[delivery.payload] -= 1
            raise DeliveryFailed(f"暂时失败 {delivery.payload}")
        self.deliveries.append(delivery)

    @property
    def payloads(self) -> list[str]:
        return [d.payload for d in self.deliveries]


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


async def queue(svc: Services, *messages: tuple[str | None, str],
                destination: str = "test") -> list[uuid.UUID]:
    """Queue (ordering key, payload) pairs in one committed transaction."""
    ids = []
    async with svc.db.session() as session, session.begin():
        for key, payload in messages:
            row = await enqueue(session, destination=destination, topic="t", ordering_key=key,
                                payload=payload, now=svc.clock.now())
            ids.append(row.id)
    return ids


def by_key(deliveries: list[Delivery]) -> dict[Any, list[str]]:
    grouped: dict[Any, list[str]] = {}
    for delivery in deliveries:
        grouped.setdefault(delivery.ordering_key, []).append(delivery.payload)
    return grouped
