"""GET /events/stream and GET /events over a real HTTP server (uvicorn on a free port); resuming
from before the pruned events."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from installers.database import DatabaseUrls
from server.core import jobs
from server.events import stream as stream_module
from server.ops.retention import JOB, prune
from tests.helpers import sql, wait_until
from tests.server.events.conftest import EventStreamReader, LiveServer

pytestmark = pytest.mark.slow


def org(demo, code: str) -> str:
    return demo.organisations[code]


class TestDelivery:
    async def test_subscriber_receives_event_published_by_another_request(self, live, demo):
        wang = await live.headers(demo, "doctor_wang")
        admin = await live.headers(demo, "admin_h1")
        async with EventStreamReader(live, wang) as stream:
            r = await live.publish(admin, type="review_task.created", org_id=org(demo, "H1"),
                                   payload={"n": 1, "title": "新的审方任务"})
            assert r.status_code == 200, r.text
            got = await stream.next()
        assert got.event == "review_task.created"
        assert got.data["payload"] == {"n": 1, "title": "新的审方任务"}
        assert got.data["org_id"] == org(demo, "H1")
        assert got.data["entity_type"] == "test" and got.data["entity_id"] == "1"
        assert got.id == got.data["id"] and got.id > 0
        assert "user_ids" not in got.data  # the audience stays on the server

    async def test_stream_holds_no_database_session(self, live, demo, db):
        admin = await live.headers(demo, "admin_h1")
        async with EventStreamReader(live, await live.headers(demo, "doctor_wang")) as stream:
            await live.publish(admin, org_id=org(demo, "H1"), payload={"n": 1})
            await stream.next()  # past the replay: the stream now only waits on the hub
            open_transactions = sql(db.superuser, (
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND application_name = 'rxp-server' AND state LIKE 'idle in transaction%'"))
            assert open_transactions == [(0,)]
            assert live.hub.subscriber_count == 1

    async def test_heartbeat_comments_when_quiet(self, live, demo):
        async with EventStreamReader(live, await live.headers(demo, "doctor_wang")) as stream:
            async def beat() -> bool:
                return stream.heartbeats >= 2
            await wait_until(beat, within=5, what="two heartbeats")

    async def test_stream_ends_when_the_access_token_expires(self, live, demo):
        async with EventStreamReader(live, await live.headers(demo, "doctor_wang")) as stream:
            live.clock.advance(minutes=16)
            got = await stream.next()
            await asyncio.wait_for(stream.ended.wait(), 5)
        assert got.event == "session-expired"

    async def test_disconnect_unsubscribes(self, live, demo):
        stream = EventStreamReader(live, await live.headers(demo, "doctor_wang"))
        async with stream:
            assert live.hub.subscriber_count == 1

        async def gone() -> bool:
            return live.hub.subscriber_count == 0
        await wait_until(gone, within=5, what="the subscription to end")


class TestResume:
    @pytest.mark.parametrize("query", [False, True], ids=["header", "query"])
    async def test_reconnecting_client_gets_all_three_missed_events(self, live, demo, query):
        wang = await live.headers(demo, "doctor_wang")
        admin = await live.headers(demo, "admin_h1")
        async with EventStreamReader(live, wang) as stream:
            await live.publish(admin, org_id=org(demo, "H1"), payload={"n": 0})
            last = await stream.next()
        for n in (1, 2, 3):  # while the client is away
            assert (await live.publish(admin, org_id=org(demo, "H1"),
                                       payload={"n": n})).status_code == 200
        async with EventStreamReader(live, wang, last_event_id=last.id, query=query) as stream:
            replayed = await stream.take(3)
            await live.publish(admin, org_id=org(demo, "H1"), payload={"n": 4})
            live_one = await stream.next()
        assert [e.data["payload"]["n"] for e in replayed] == [1, 2, 3]
        assert [e.id for e in replayed] == sorted(e.id for e in replayed)
        assert all(e.id > last.id for e in replayed)
        assert live_one.data["payload"]["n"] == 4
        assert stream.events.empty()

    async def test_replay_respects_access_rules(self, live, demo):
        admin = await live.headers(demo, "admin_h1")
        await live.publish(admin, org_id=org(demo, "H1"), payload={"n": 1})
        await live.publish(admin, org_id=org(demo, "H2"), payload={"n": 2})
        await live.publish(admin, org_id=org(demo, "H1"), payload={"n": 3},
                           user_ids=[demo.account("doctor_li").id])
        await live.publish(admin, org_id=org(demo, "H1"), payload={"n": 4})
        wang = await live.headers(demo, "doctor_wang")
        async with EventStreamReader(live, wang, last_event_id=0) as stream:
            got = await stream.take(2)
            assert stream.events.empty()
        assert [e.data["payload"]["n"] for e in got] == [1, 4]

    async def test_bad_last_event_id(self, live, demo):
        wang = await live.headers(demo, "doctor_wang")
        r = await live.http.get("/events/stream", headers={**wang, "Last-Event-ID": "abc"})
        assert r.status_code == 422
        assert r.json()["field"] == "Last-Event-ID"

    async def test_unauthenticated(self, live):
        r = await live.http.get("/events/stream")
        assert r.status_code == 401


class TestAccess:
    async def test_other_hospital_does_not_receive(self, live, demo):
        admin = await live.headers(demo, "admin_h1")
        group_admin = await live.headers(demo, "admin_group")
        async with EventStreamReader(live, await live.headers(demo, "doctor_sun")) as sun, \
                EventStreamReader(live, await live.headers(demo, "doctor_wang")) as wang:
            await live.publish(admin, org_id=org(demo, "H1"), payload={"n": 1})
            await live.publish(group_admin, org_id=org(demo, "H2"), payload={"n": 2})
            # Events arrive in id order: had the H1 event reached doctor_sun (H2), it would
            # come before the H2 one.
            assert (await sun.next()).data["payload"]["n"] == 2
            assert (await wang.next()).data["payload"]["n"] == 1
            assert sun.events.empty() and wang.events.empty()

    async def test_group_level_sees_every_hospital(self, live, demo):
        admin = await live.headers(demo, "admin_h1")
        async with EventStreamReader(live, await live.headers(demo, "admin_group")) as group:
            await live.publish(admin, org_id=org(demo, "H1"), payload={"n": 1})
            assert (await group.next()).data["payload"]["n"] == 1

    async def test_event_for_one_user_not_delivered_to_another(self, live, demo):
        admin = await live.headers(demo, "admin_h1")
        async with EventStreamReader(live, await live.headers(demo, "doctor_wang")) as wang, \
                EventStreamReader(live, await live.headers(demo, "doctor_li")) as li:
            await live.publish(admin, org_id=org(demo, "H1"), payload={"n": 1},
                               user_ids=[demo.account("doctor_wang").id])
            await live.publish(admin, org_id=org(demo, "H1"), payload={"n": 2})
            assert [e.data["payload"]["n"] for e in await wang.take(2)] == [1, 2]
            assert (await li.next()).data["payload"]["n"] == 2
            assert li.events.empty()

    async def test_role_audience(self, live, demo):
        admin = await live.headers(demo, "admin_h1")
        async with EventStreamReader(live, await live.headers(demo, "pharm_chen")) as chen, \
                EventStreamReader(live, await live.headers(demo, "doctor_li")) as li:
            await live.publish(admin, org_id=org(demo, "H1"), payload={"n": 1},
                               roles=["pharmacist"])
            await live.publish(admin, org_id=org(demo, "H1"), payload={"n": 2})
            assert [e.data["payload"]["n"] for e in await chen.take(2)] == [1, 2]
            assert (await li.next()).data["payload"]["n"] == 2

    async def test_rolled_back_request_publishes_nothing(self, live, demo, db):
        admin = await live.headers(demo, "admin_h1")
        async with EventStreamReader(live, await live.headers(demo, "doctor_wang")) as wang:
            failed = await live.publish(admin, org_id=org(demo, "H1"), payload={"n": 1},
                                        fail=True)
            assert failed.status_code == 409
            await live.publish(admin, org_id=org(demo, "H1"), payload={"n": 2})
            assert (await wang.next()).data["payload"]["n"] == 2
            assert wang.events.empty()
        assert sql(db.owner, "SELECT payload->>'n' FROM live_event") == [("2",)]


async def published(live: LiveServer, demo, db: DatabaseUrls, *numbers: int) -> list[int]:
    """Events for everyone at H1, one per number; their ids."""
    admin = await live.headers(demo, "admin_h1")
    for n in numbers:
        assert (await live.publish(admin, org_id=org(demo, "H1"),
                                   payload={"n": n})).status_code == 200
    return [r[0] for r in sql(db.owner, "SELECT id FROM live_event ORDER BY id")]


async def pruned(live: LiveServer, db: DatabaseUrls, *ids: int) -> None:
    """`ids` made eight days old, then a retention round as the server runs it."""
    sql(db.owner, "UPDATE live_event SET created_at = now() - interval '8 days'"
                  " WHERE id = ANY(%s)", (list(ids),))
    assert (await jobs.run_once(live.app.state.services, JOB, prune))["live_event"] == len(ids)


class TestPruned:
    async def test_resuming_from_below_the_horizon_resyncs_then_goes_on(
            self, live, demo, db, monkeypatch):
        monkeypatch.setattr(stream_module, "REPLAY_PAGE", 2)  # the replay takes two pages
        one, two, *kept = await published(live, demo, db, 1, 2, 3, 4, 5)
        await pruned(live, db, one, two)
        wang = await live.headers(demo, "doctor_wang")
        # The client saw 1, 2 was pruned: it may have missed it.
        async with EventStreamReader(live, wang, last_event_id=one) as stream:
            resync, *replayed = await stream.take(4)
            await live.publish(await live.headers(demo, "admin_h1"), org_id=org(demo, "H1"),
                               payload={"n": 6})
            live_one = await stream.next()
            assert stream.events.empty()
        assert (resync.event, resync.id, resync.data) == ("resync", two, {})
        assert [(e.id, e.data["payload"]["n"]) for e in replayed] == list(zip(kept, [3, 4, 5],
                                                                             strict=True))
        assert live_one.data["payload"] == {"n": 6}

    async def test_resuming_from_the_horizon_or_above_replays_as_before(self, live, demo, db):
        one, two, three = await published(live, demo, db, 1, 2, 3)
        await pruned(live, db, one, two)
        wang = await live.headers(demo, "doctor_wang")
        for last, expected in ((two, [3]), (three, [])):
            async with EventStreamReader(live, wang, last_event_id=last) as stream:
                await live.publish(await live.headers(demo, "admin_h1"),
                                   org_id=org(demo, "H1"), payload={"n": 9})
                got = await stream.take(len(expected) + 1)
            assert [e.event for e in got] == ["test.event"] * len(got)
            assert [e.data["payload"]["n"] for e in got] == [*expected, 9]

    async def test_with_every_event_pruned_the_horizon_still_counts(self, live, demo, db):
        # The table is empty: the client at the horizon is not from the future, nor behind.
        one, two = await published(live, demo, db, 1, 2)
        await pruned(live, db, one, two)
        wang = await live.headers(demo, "doctor_wang")
        async with EventStreamReader(live, wang, last_event_id=two) as at_horizon, \
                EventStreamReader(live, wang, last_event_id=one) as behind, \
                EventStreamReader(live, wang) as fresh:
            await live.publish(await live.headers(demo, "admin_h1"), org_id=org(demo, "H1"),
                               payload={"n": 3})
            assert [e.event for e in await at_horizon.take(1)] == ["test.event"]
            assert [e.event for e in await behind.take(2)] == ["resync", "test.event"]
            assert [e.event for e in await fresh.take(1)] == ["test.event"]


class TestPolling:
    async def test_list_after_with_limit(self, live, demo):
        admin = await live.headers(demo, "admin_h1")
        for n in range(1, 5):
            await live.publish(admin, org_id=org(demo, "H1"), payload={"n": n})
        await live.publish(admin, org_id=org(demo, "H2"), payload={"n": 99})
        wang = await live.headers(demo, "doctor_wang")
        first = (await live.http.get("/events", params={"limit": 3}, headers=wang)).json()
        assert [e["payload"]["n"] for e in first["items"]] == [1, 2, 3]
        rest = (await live.http.get("/events", params={"after": first["last_id"]},
                                    headers=wang)).json()
        assert [e["payload"]["n"] for e in rest["items"]] == [4]
        empty = (await live.http.get("/events", params={"after": rest["last_id"]},
                                     headers=wang)).json()
        assert empty == {"items": [], "last_id": rest["last_id"], "resync": False}

    async def test_polling_from_below_the_horizon_says_resync(self, live, demo, db):
        one, two, three = await published(live, demo, db, 1, 2, 3)
        await pruned(live, db, one, two)
        wang = await live.headers(demo, "doctor_wang")

        async def poll(after: int) -> dict[str, Any]:
            response = await live.http.get("/events", params={"after": after}, headers=wang)
            return dict(response.json())

        behind = await poll(one)
        assert behind["resync"] is True
        assert [e["id"] for e in behind["items"]] == [three]
        assert (await poll(two))["resync"] is False  # at the horizon: missed nothing
        caught_up = await poll(three)
        assert caught_up == {"items": [], "last_id": three, "resync": False}


class TestSeveralProcesses:
    async def test_both_instances_deliver_an_event_published_through_one(self, start_server,
                                                                         demo):
        first, second = await start_server(), await start_server()
        admin = await first.headers(demo, "admin_h1")
        async with EventStreamReader(first, await first.headers(demo, "doctor_wang")) as a, \
                EventStreamReader(second, await second.headers(demo, "pharm_chen")) as b:
            await first.publish(admin, org_id=org(demo, "H1"), payload={"n": 1})
            got_a, got_b = await asyncio.gather(a.next(), b.next())
        assert got_a.id == got_b.id
        assert got_a.data == got_b.data

    async def test_hub_reconnects_and_catches_up(self, live, demo, db):
        admin = await live.headers(demo, "admin_h1")
        async with EventStreamReader(live, await live.headers(demo, "doctor_wang")) as wang:
            killed = sql(db.superuser, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                       " WHERE datname = current_database()"
                                       " AND application_name = 'rxp-events-hub'")
            assert killed == [(True,)]
            for n in (1, 2, 3):
                await live.publish(admin, org_id=org(demo, "H1"), payload={"n": n})
            got = await wang.take(3)
        assert [e.data["payload"]["n"] for e in got] == [1, 2, 3]
        assert live.hub.reconnects >= 1
