"""Live-event tests run over real HTTP: uvicorn servers in the test's event loop, on free ports,
each app with its own event hub, all on the test's database; an SSE reader over httpx."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel

from installers.pgcluster import free_port
from server.app import create_app
from server.core.clock import FakeClock
from server.core.deps import Ctx
from server.core.errors import Conflict
from server.events.hub import EventHub
from server.events.service import publish
from server.identity.dependencies import CurrentPrincipal
from server.settings import Settings
from tests.helpers import login, wait_until


class PublishBody(BaseModel):
    type: str = "test.event"
    org_id: uuid.UUID
    payload: dict[str, Any] = {}
    user_ids: list[uuid.UUID] = []
    roles: list[str] = []
    # Publish, then fail the request: the transaction rolls back.
    fail: bool = False


async def _publish_for_test(body: PublishBody, principal: CurrentPrincipal, ctx: Ctx) -> dict:
    """A test-only route: publishes one event in the request's transaction."""
    await publish(ctx, type=body.type, org_id=body.org_id, payload=body.payload,
                  entity_type="test", entity_id=body.payload.get("n"),
                  user_ids=body.user_ids, roles=body.roles)
    ctx.note("test.publish", "live_event")
    if body.fail:
        raise Conflict("测试：发布后回滚")
    return {"published": True}


@dataclass
class LiveServer:
    app: FastAPI
    server: uvicorn.Server
    task: asyncio.Task[None]
    url: str
    http: httpx.AsyncClient
    settings: Settings
    clock: FakeClock
    _headers: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def hub(self) -> EventHub:
        hub: EventHub = self.app.state.event_hub
        return hub

    async def headers(self, demo: Any, username: str) -> dict[str, str]:
        if username not in self._headers:
            self._headers[username] = await login(self.http, demo.account(username), self.clock)
        return self._headers[username]

    async def publish(self, headers: dict[str, str], **body: Any) -> httpx.Response:
        body = {k: str(v) if isinstance(v, uuid.UUID) else v for k, v in body.items()}
        return await self.http.post("/test-only/publish", json=body, headers=headers)


StartServer = Callable[[], Awaitable[LiveServer]]


@pytest.fixture
async def start_server(settings: Settings, clock: FakeClock) -> AsyncIterator[StartServer]:
    started: list[LiveServer] = []

    async def start() -> LiveServer:
        app = create_app(settings, clock=clock)
        app.add_api_route("/test-only/publish", _publish_for_test, methods=["POST"])
        app.state.event_hub.heartbeat_seconds = 0.5
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", ws="none",
            lifespan="on", timeout_graceful_shutdown=2))
        task = asyncio.create_task(server.serve())

        async def up() -> bool:
            if task.done():
                task.result()  # raises what stopped it
            return server.started

        await wait_until(up, what="uvicorn to start")
        url = f"http://127.0.0.1:{port}"
        http = httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(10.0, read=None),
                                 headers={"X-Workstation": "TEST-LIVE"})
        live = LiveServer(app, server, task, url, http, settings, clock)
        started.append(live)
        return live

    yield start
    for live in started:
        await live.http.aclose()
        live.server.should_exit = True
    await asyncio.gather(*(live.task for live in started), return_exceptions=True)


@pytest.fixture
async def live(start_server: StartServer) -> LiveServer:
    return await start_server()


@dataclass
class Received:
    id: int  # 0 for a message without an id (session-expired)
    event: str | None
    data: dict[str, Any]


class EventStreamReader:
    """Reads GET /events/stream in a background task; `next()` returns the next event."""

    def __init__(self, server: LiveServer, headers: dict[str, str], *,
                 last_event_id: int | None = None, query: bool = False) -> None:
        self.server = server
        self.headers = dict(headers)
        self.params: dict[str, str] = {}
        if last_event_id is not None:
            if query:
                self.params["last_event_id"] = str(last_event_id)
            else:
                self.headers["Last-Event-ID"] = str(last_event_id)
        self.events: asyncio.Queue[Received] = asyncio.Queue()
        self.heartbeats = 0
        self.status: int | None = None
        self.ended = asyncio.Event()
        self._connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> EventStreamReader:
        self._task = asyncio.create_task(self._read())
        waiter = asyncio.create_task(self._connected.wait())
        done, _ = await asyncio.wait({waiter, self._task}, timeout=10,
                                     return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if self._task in done:
            self._task.result()
            raise AssertionError(f"stream ended before it was established ({self.status})")
        assert self._connected.is_set(), "stream not established within 10 s"
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _read(self) -> None:
        try:
            async with self.server.http.stream("GET", "/events/stream", headers=self.headers,
                                               params=self.params) as response:
                self.status = response.status_code
                if response.status_code != 200:
                    await response.aread()
                    return
                assert response.headers["content-type"].startswith("text/event-stream")
                fields: dict[str, str] = {}
                async for line in response.aiter_lines():
                    if line == "":
                        self._dispatch(fields)
                        fields = {}
                    elif line.startswith(":"):
                        self.heartbeats += 1
                    else:
                        name, _, value = line.partition(":")
                        fields[name] = value.removeprefix(" ")
        finally:
            self.ended.set()

    def _dispatch(self, fields: dict[str, str]) -> None:
        if "retry" in fields:
            self._connected.set()
        if "data" in fields:
            self.events.put_nowait(Received(
                id=int(fields.get("id", 0)), event=fields.get("event"),
                data=json.loads(fields["data"])))

    async def next(self, within: float = 10.0) -> Received:
        return await asyncio.wait_for(self.events.get(), within)

    async def take(self, count: int, within: float = 10.0) -> list[Received]:
        return [await self.next(within) for _ in range(count)]
