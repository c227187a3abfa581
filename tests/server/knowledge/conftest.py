"""Fixtures of the knowledge tests: the seed CSV files as text, logged-in headers, and the
database reached as the schema owner."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text

from installers.database import DatabaseUrls
from server.core.clock import FakeClock
from server.knowledge import loader
from server.knowledge.seed import SEED_FOLDER
from server.seed.demo import DemoGroup
from tests.helpers import login

HeadersFor = Callable[[str], Awaitable[dict[str, str]]]


@pytest.fixture
def seed_files() -> dict[str, str]:
    return loader.read_folder(SEED_FOLDER)


@pytest.fixture
def headers_for(client: httpx.AsyncClient, demo: DemoGroup, clock: FakeClock) -> HeadersFor:
    cache: dict[str, dict[str, str]] = {}

    async def headers(username: str) -> dict[str, str]:
        if username not in cache:
            cache[username] = await login(client, demo.account(username), clock)
        return cache[username]

    return headers


@pytest.fixture
def owner_engine(db: DatabaseUrls) -> Iterator[Engine]:
    engine = create_engine(db.owner)
    yield engine
    engine.dispose()


def scalar(engine: Engine, sql: str) -> object:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def with_row(files: dict[str, str], name: str, row: str) -> dict[str, str]:
    """`files` with one more line at the end of `name`."""
    changed = dict(files)
    changed[name] = files[name].rstrip("\n") + "\n" + row + "\n"
    return changed


def line_count(text_: str) -> int:
    return len(text_.rstrip("\n").split("\n"))
