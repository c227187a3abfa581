"""Read-only queries served by a real streaming replica, and falling back to the primary when
it stops."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from installers.pgcluster import PgCluster, free_port
from server.settings import Settings
from tests.helpers import login, wait_until

pytestmark = pytest.mark.slow


@pytest.fixture
def replica(pg, db) -> Iterator[PgCluster]:
    """A streaming replica of the test cluster, made after the test's database exists."""
    base = Path(tempfile.mkdtemp(prefix="rxp-replica-"))
    base.chmod(0o711)  # the PostgreSQL user must reach its folder inside
    cluster = pg.cluster.make_replica(base / "replica", free_port())
    try:
        yield cluster
    finally:
        cluster.destroy()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def settings(settings: Settings, db, pg, replica: PgCluster) -> Settings:
    replica_url = db.app.replace(f"127.0.0.1:{pg.cluster.port}/", f"127.0.0.1:{replica.port}/")
    assert replica_url != db.app
    # Retry a failed replica at once: the fallback's timing is not what is tested here.
    return settings.model_copy(update={"database_replica_urls": [replica_url],
                                       "replica_retry_seconds": 0.0})


class TestReplicaReads:
    async def test_reads_are_served_by_the_replica(self, client, demo, clock, replica):
        headers = await login(client, demo.account("auditor"), clock)
        orgs = await client.get("/organisations", headers=headers)
        assert orgs.status_code == 200, orgs.text
        assert orgs.json()["served_by"] == "replica-0"
        assert {o["code"] for o in orgs.json()["items"]} == set(demo.organisations)
        events = await client.get("/audit/events", headers=headers)
        assert events.status_code == 200, events.text
        assert events.json()["served_by"] == "replica-0"

    async def test_writes_on_the_primary_reach_the_replica(self, client, demo, clock):
        admin = await login(client, demo.account("admin_group"), clock)
        code = f"T{uuid.uuid4().hex[:6].upper()}"
        r = await client.post("/organisations", headers=admin, json={
            "kind": "pharmacy", "code": code, "name": "流复制药房",
            "parent_id": demo.organisations["GRP"]})
        assert r.status_code == 201, r.text

        async def replicated() -> bool:
            page = (await client.get("/organisations", params={"kind": "pharmacy"},
                                     headers=admin)).json()
            assert page["served_by"] == "replica-0"
            return code in {o["code"] for o in page["items"]}

        await wait_until(replicated, what="the new pharmacy on the replica")

    async def test_a_stopped_replica_falls_back_to_the_primary_and_back(self, client, demo,
                                                                        clock, replica):
        headers = await login(client, demo.account("auditor"), clock)
        assert (await client.get("/organisations",
                                 headers=headers)).json()["served_by"] == "replica-0"
        replica.stop()
        for path in ("/organisations", "/audit/events"):
            r = await client.get(path, headers=headers)
            assert r.status_code == 200, r.text
            assert r.json()["served_by"] == "primary"
        ready = await client.get("/ready")
        assert ready.status_code == 200
        assert ready.json()["replicas"][0]["up"] is False
        replica.start()
        r = await client.get("/organisations", headers=headers)
        assert r.json()["served_by"] == "replica-0"

    async def test_ready_reports_the_replica(self, client, replica):
        r = await client.get("/ready")
        assert r.status_code == 200, r.text
        [state] = r.json()["replicas"]
        assert state["name"] == "replica-0" and state["up"] is True
        assert state["lag_seconds"] >= 0
