"""`/metrics`: who may scrape it, and that it exposes the figures the operators and the alert
rules watch, equal to what the database holds."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from installers.pgcluster import free_port
from server.settings import Settings
from tests.helpers import sql

TOKEN = "scrape-secret-" + "x" * 20


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(found, name: str, **labels: str) -> float:
    return found[(name, frozenset(labels.items()))]


async def scrape(app, *, peer: str = "127.0.0.1", headers: dict[str, str] | None = None
                 ) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://rxp.test") as http:
        return await http.get("/metrics", headers=headers or {})


async def kiosk_headers(client, demo) -> dict[str, str]:
    kiosk = next(c for c in demo.clients if c.get("kind") == "kiosk")
    r = await client.post("/auth/token", json={"client_id": kiosk["client_id"],
                                               "client_secret": kiosk["client_secret"]})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


class TestAccess:
    async def test_without_a_token_only_loopback_is_answered(self, app):
        assert (await scrape(app, peer="127.0.0.1")).status_code == 200
        refused = await scrape(app, peer="10.1.2.3")
        assert refused.status_code == 403
        assert "RXP_METRICS_TOKEN" in refused.json()["detail"]


class TestAccessWithToken:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"metrics_token": TOKEN})

    async def test_a_token_is_required_from_anywhere(self, app):
        assert (await scrape(app, peer="127.0.0.1")).status_code == 401
        wrong = await scrape(app, peer="10.1.2.3", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        ok = await scrape(app, peer="10.1.2.3", headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200
        assert ok.headers["content-type"].startswith("text/plain")


class TestFigures:
    async def test_requests_by_route_template_and_the_database_figures(
            self, app, client, demo, headers_for, db):
        doctor = await headers_for("doctor_wang")
        for _ in range(3):
            r = await client.get(f"/prescriptions/{uuid.uuid4()}", headers=doctor)
            assert r.status_code == 404
        await client.get("/no/such/path")
        bad = await client.post("/auth/login", json={"username": "doctor_wang",
                                                     "password": "wrong-password-1",
                                                     "totp_code": "000000"})
        assert bad.status_code == 401
        kiosk = await kiosk_headers(client, demo)
        r = await client.post("/devices/status", headers=kiosk, json={"devices": [
            {"device": "printer", "state": "fault", "fault": "paper_out"},
            {"device": "card_reader", "state": "ok"}]})
        assert r.status_code == 200, r.text
        unnamed = await client.post("/devices/status", headers=kiosk, json={"devices": [
            {"device": "scanner", "state": "fault"}]})
        assert unnamed.status_code == 422 and "fault" in unnamed.text
        assert (await client.post("/devices/status", headers=doctor, json={"devices": [
            {"device": "printer", "state": "ok"}]})).status_code == 403

        page = await scrape(app)
        assert page.status_code == 200, page.text
        found = samples(page.text)
        route = "/prescriptions/{prescription_id}"
        assert value(found, "rxp_http_requests_total", method="GET", route=route,
                     status="404") == 3
        assert value(found, "rxp_http_request_duration_seconds_count", method="GET",
                     route=route) == 3
        # Each lookup authenticates (scope, session with user) and reads the row: a handful of
        # statements, counted per request (the unmatched path sends none).
        statements = value(found, "rxp_http_request_db_statements_sum", method="GET",
                           route=route)
        assert 3 * 3 <= statements <= 3 * 10
        assert value(found, "rxp_http_request_db_statements_sum", method="GET",
                     route="unmatched") == 0
        assert value(found, "rxp_http_requests_total", method="GET", route="unmatched",
                     status="404") == 1
        assert not [labels for (_, labels) in found
                    if any(k == "route" and v.count("-") >= 4 for k, v in labels)], \
            "raw paths must never become labels"

        assert value(found, "rxp_database_up") == 1
        open_tasks, overdue = sql(db.owner, "SELECT count(*), count(*) FILTER (WHERE due_at"
                                            " < now()) FROM review_task WHERE status = 'open'")[0]
        assert value(found, "rxp_review_open_tasks") == open_tasks
        assert value(found, "rxp_review_overdue_tasks") == overdue
        pending, failed = sql(db.owner, "SELECT count(*) FILTER (WHERE status = 'pending'),"
                                        " count(*) FILTER (WHERE status = 'failed')"
                                        " FROM notification")[0]
        assert value(found, "rxp_outbox_backlog", outbox="notification") == pending
        assert value(found, "rxp_outbox_dead_letters", outbox="notification") == failed
        assert value(found, "rxp_login_failures", window="15m") >= 1
        assert value(found, "rxp_kiosk_device_faults", device="printer", fault="paper_out") == 1
        assert value(found, "rxp_kiosk_devices", state="ok") == 1
        assert value(found, "rxp_replicas_configured") == 0

        # The fault cleared: the gauge drops, the state change is audited.
        await client.post("/devices/status", headers=kiosk, json={"devices": [
            {"device": "printer", "state": "ok"}]})
        found = samples((await scrape(app)).text)
        assert ("rxp_kiosk_device_faults",
                frozenset({("device", "printer"), ("fault", "paper_out")})) not in found
        changes = sql(db.owner, "SELECT summary->'changes' FROM audit_event"
                                " WHERE action = 'device.status' ORDER BY seq")
        assert [c[0] for c in changes] == [["printer:fault:paper_out", "card_reader:ok"],
                                          ["printer:ok"]]

    async def test_a_database_down_is_reported_not_an_error(self, app, pg, db, superuser):
        superuser.execute(f"ALTER DATABASE {db.name} WITH ALLOW_CONNECTIONS false")
        superuser.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                          " WHERE datname = %s AND pid <> pg_backend_pid()", (db.name,))
        try:
            page = await scrape(app)
        finally:
            superuser.execute(f"ALTER DATABASE {db.name} WITH ALLOW_CONNECTIONS true")
        assert page.status_code == 200, page.text
        found = samples(page.text)
        assert value(found, "rxp_database_up") == 0
        assert not any(name == "rxp_review_open_tasks" for name, _ in found)


@pytest.mark.slow
class TestReplicaFigures:
    @pytest.fixture
    def replica(self, pg, db):
        base = Path(tempfile.mkdtemp(prefix="rxp-metrics-replica-"))
        base.chmod(0o711)  # the PostgreSQL user must reach its folder inside
        cluster = pg.cluster.make_replica(base / "replica", free_port())
        try:
            yield cluster
        finally:
            cluster.destroy()
            shutil.rmtree(base, ignore_errors=True)

    @pytest.fixture
    def settings(self, settings: Settings, db, pg, replica) -> Settings:
        url = db.app.replace(f":{pg.cluster.port}/", f":{replica.port}/")
        return settings.model_copy(update={"database_replica_urls": [url]})

    async def test_a_streaming_replica_and_then_a_stopped_one(self, app, replica):
        # A replica that is behind and has replayed no transaction yet has no figure in
        # seconds (only bytes): wait, briefly, until it has caught up once.
        deadline = time.monotonic() + 20
        while True:
            found = samples((await scrape(app)).text)
            if (("rxp_replica_lag_seconds", frozenset({("replica", "replica-0")})) in found
                    or time.monotonic() > deadline):
                break
            await asyncio.sleep(0.2)
        assert value(found, "rxp_replicas_configured") == 1
        assert value(found, "rxp_replica_up", replica="replica-0") == 1
        assert value(found, "rxp_replica_lag_seconds", replica="replica-0") < 60
        assert ("rxp_replica_lag_bytes", frozenset({("replica", "replica-0")})) in found
        replica.stop()
        found = samples((await scrape(app)).text)
        assert value(found, "rxp_replica_up", replica="replica-0") == 0
        assert ("rxp_replica_lag_seconds", frozenset({("replica", "replica-0")})) not in found
        assert value(found, "rxp_database_up") == 1
