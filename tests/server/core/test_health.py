"""Liveness and readiness probes."""

from __future__ import annotations

import httpx
import pytest
from asgi_lifespan import LifespanManager

from installers.pgcluster import free_port
from server.app import create_app
from server.core.migrations import head_revision
from server.settings import Settings
from tests.helpers import login, sql


def _dead_url(url: str) -> str:
    """`url` pointing at a port where nothing listens."""
    credentials, rest = url.rsplit("@", 1)
    return f"{credentials}@127.0.0.1:{free_port()}/{rest.split('/', 1)[1]}"


async def _get(settings: Settings, clock, path: str, headers: dict | None = None
               ) -> httpx.Response:
    app = create_app(settings, clock=clock)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 5555))
        async with httpx.AsyncClient(transport=transport, base_url="http://rxp.test") as http:
            return await http.get(path, headers=headers)


class TestHealth:
    async def test_alive(self, client):
        r = await client.get("/health")
        assert r.status_code == 200
        assert r.json() == {"status": "alive"}

    async def test_alive_without_a_database(self, settings, clock):
        broken = settings.model_copy(update={"database_url": _dead_url(settings.database_url)})
        r = await _get(broken, clock, "/health")
        assert r.status_code == 200


class TestReady:
    async def test_ready_at_the_migrations_head(self, client):
        r = await client.get("/ready")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "ready"
        assert (body["primary"], body["migrations"], body["replicas"]) == ("up", "head", [])

    async def test_not_ready_when_the_schema_is_behind(self, client, db):
        sql(db.owner, "UPDATE alembic_version SET version_num = 'older'")
        r = await client.get("/ready")
        assert r.status_code == 503
        assert r.json()["status"] == "not_ready"
        assert r.json()["migrations"] == f"at older, head {head_revision()}"

    async def test_not_ready_without_the_primary(self, settings, clock):
        broken = settings.model_copy(update={"database_url": _dead_url(settings.database_url)})
        r = await _get(broken, clock, "/ready")
        assert r.status_code == 503
        assert r.json()["primary"] == "down"

    async def test_a_replica_down_is_reported_but_still_ready(self, settings, clock):
        with_dead_replica = settings.model_copy(update={
            "database_replica_urls": [_dead_url(settings.database_url)]})
        r = await _get(with_dead_replica, clock, "/ready")
        assert r.status_code == 200, r.text
        [replica] = r.json()["replicas"]
        assert replica["name"] == "replica-0" and replica["up"] is False


class TestReadsWithADeadReplica:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={
            "database_replica_urls": [_dead_url(settings.database_url)]})

    async def test_reads_fall_back_to_the_primary(self, client, demo, clock):
        headers = await login(client, demo.account("auditor"), clock)
        for path in ("/organisations", "/audit/events", "/organisations"):
            r = await client.get(path, headers=headers)
            assert r.status_code == 200, r.text
            assert r.json()["served_by"] == "primary"
