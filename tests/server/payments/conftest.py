"""Helpers for payment tests: the service called as the circulation core calls it (inside a
transaction of its own), a recording `on_paid` listener, and the sandbox seen over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from server.access.roles import permissions_for
from server.core.context import Principal, RequestContext
from server.core.services import Services
from server.payments import listeners
from server.payments.models import Payment
from server.seed.demo import DemoGroup
from server.settings import Settings
from tests.helpers import wait_until

# The sandbox's callback back-off, shortened from WeChat Pay's 15 s and more.
FAST_RETRIES = "sim://?retry_delays=0.05,0.1,0.2,0.4"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"payment_gateway_url": FAST_RETRIES})


@dataclass
class PaidCalls:
    """What the `on_paid` listener saw; `fail_next` makes it raise that many times first."""

    payments: list[tuple[uuid.UUID, str]] = field(default_factory=list)
    failed: int = 0
    fail_next: int = 0

    async def __call__(self, ctx: RequestContext, svc: Services, payment: Payment) -> None:
        if self.fail_next:
            self.fail_next -= 1
            self.failed += 1
            raise RuntimeError("the order could not be moved on")
        self.payments.append((payment.id, payment.status))


@pytest.fixture
def paid_calls() -> Iterator[PaidCalls]:
    calls = PaidCalls()
    listeners.on_paid(calls)
    yield calls
    listeners.remove_listener(calls)



@dataclass
class Payments:
    """The service as another domain calls it, and the sandbox as a wallet app reaches it."""

    app: FastAPI
    client: httpx.AsyncClient
    demo: DemoGroup

    @property
    def svc(self) -> Services:
        services: Services = self.app.state.services
        return services

    @asynccontextmanager
    async def unit_of_work(self, principal: Principal | None = None
                           ) -> AsyncIterator[RequestContext]:
        """A transaction like a request's: committed when the block ends without an error."""
        async with self.svc.db.session() as session, session.begin():
            yield RequestContext(session=session, method="TEST", path="/tests/payments",
                                 ip="10.9.9.9", workstation=None, request_id=uuid.uuid4().hex,
                                 principal=principal)

    async def call(self, operation: Callable[..., Awaitable[Any]], *,
                   principal: Principal | None = None, **kwargs: Any) -> Any:
        async with self.unit_of_work(principal) as ctx:
            return await operation(ctx, self.svc, **kwargs)

    def staff(self, username: str) -> Principal:
        account = self.demo.account(username)
        org_id = uuid.UUID(self.demo.organisations[account.organisation_code])
        return Principal(kind="user", id=uuid.UUID(account.id), name=account.display_name,
                         roles=frozenset(account.roles),
                         permissions=permissions_for(account.roles), org_id=org_id,
                         visible_org_ids=frozenset({org_id}))

    def order(self, *, pharmacy: str = "P1", amount_fen: int = 12_345,
              **extra: Any) -> dict[str, Any]:
        """The arguments of a new order's payment."""
        return {"order_id": uuid.uuid4(), "patient_id": uuid.UUID(self.demo.patients[0]["id"]),
                "pharmacy_id": uuid.UUID(self.demo.organisations[pharmacy]),
                "amount_fen": amount_fen, **extra}

    async def trade(self, gateway_trade_no: str) -> dict[str, Any]:
        response = await self.client.get(f"/payments/sandbox/{gateway_trade_no}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def delivered(self, gateway_trade_no: str, index: int = -1) -> dict[str, Any]:
        """The trade's delivery `index` once the sandbox has stopped trying."""
        async def finished() -> bool:
            deliveries = (await self.trade(gateway_trade_no))["deliveries"]
            return bool(deliveries) and deliveries[index]["finished"]

        await wait_until(finished, what="the sandbox to finish delivering")
        delivery: dict[str, Any] = (await self.trade(gateway_trade_no))["deliveries"][index]
        return delivery

    async def pay(self, gateway_trade_no: str, **body: Any) -> dict[str, Any]:
        response = await self.client.post(f"/payments/sandbox/{gateway_trade_no}/pay",
                                          json=body or None)
        assert response.status_code == 202, response.text
        return await self.delivered(gateway_trade_no) if body.get("notify", True) else {}

    async def send(self, gateway_trade_no: str, kind: str) -> dict[str, Any]:
        response = await self.client.post(f"/payments/sandbox/{gateway_trade_no}/notifications",
                                          json={"kind": kind})
        assert response.status_code == 202, response.text
        return await self.delivered(gateway_trade_no)


@pytest.fixture
def payments(app: FastAPI, client: httpx.AsyncClient, demo: DemoGroup) -> Payments:
    return Payments(app, client, demo)
