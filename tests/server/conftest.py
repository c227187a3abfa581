"""Fixtures for server tests: settings, the app (with a clock tests can move), an HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import Engine, create_engine

from installers.database import DatabaseUrls
from server.app import create_app
from server.core.clock import FakeClock
from server.payments.sandbox import SandboxGateway
from server.seed.demo import DemoGroup
from server.settings import Settings
from tests.helpers import HeadersFor, daytime_clock, login


@pytest.fixture
def settings(db: DatabaseUrls, key_dir: Path, checkpoint_dir: Path) -> Settings:
    return Settings(RXP_ENV="test", DATABASE_URL=db.app, RXP_KEY_DIR=key_dir,
                    RXP_AUDIT_CHECKPOINT_DIR=checkpoint_dir, RXP_DB_POOL_SIZE=5)


@pytest.fixture
def clock() -> FakeClock:
    return daytime_clock()


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[FastAPI]:
    application = create_app(settings, clock=clock)
    gateway = application.state.services.payment_gateway
    if isinstance(gateway, SandboxGateway):
        # The sandbox gateway's callbacks reach this very app, through its middleware and
        # router, as they reach a server over the network.
        gateway.deliver_with(httpx.ASGITransport(app=application, client=("127.0.0.1", 40001)))
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://rxp.test",
                                 headers={"X-Workstation": "TEST-WS-01"}) as http:
        yield http


@pytest.fixture
def headers_for(client: httpx.AsyncClient, demo: DemoGroup, clock: FakeClock) -> HeadersFor:
    """Log a demo account in (once per test) and return its Authorization header."""
    cache: dict[str, dict[str, str]] = {}

    async def headers(username: str) -> dict[str, str]:
        if username not in cache:
            cache[username] = await login(client, demo.account(username), clock)
        return cache[username]

    return headers


@pytest.fixture
def owner_engine(db: DatabaseUrls) -> Iterator[Engine]:
    """A synchronous engine as the schema owner, for looking behind the API."""
    engine = create_engine(db.owner)
    yield engine
    engine.dispose()
