"""The relay in-process: delivery, order per key, back-off, dead letters, and a rolled-back
change that queues nothing."""

from __future__ import annotations

import asyncio

from server.outbox.relay import deliver_due
from server.outbox.service import enqueue
from tests.helpers import audit_rows, sql
from tests.server.outbox.conftest import by_key, queue


async def drain(svc, handlers) -> int:
    rounds = 0
    while (await deliver_due(svc, handlers)).claimed:
        rounds += 1
    return rounds


class TestDelivery:
    async def test_every_message_once_in_order_per_key(self, svc, receiver, db):
        messages = [(f"rx-{k}", f"{k}:{n}") for n in range(5) for k in range(4)]
        messages += [(None, "loose-1"), (None, "loose-2")]
        ids = await queue(svc, *messages)
        await drain(svc, {"test": receiver})

        assert sorted(d.id for d in receiver.deliveries) == sorted(ids)
        grouped = by_key(receiver.deliveries)
        for k in range(4):
            assert grouped[f"rx-{k}"] == [f"{k}:{n}" for n in range(5)]
        assert sql(db.owner, "SELECT DISTINCT status FROM outbox_message") == [("delivered",)]

    async def test_a_rolled_back_change_queues_nothing(self, svc, db):
        class Abort(Exception):
            pass

        try:
            async with svc.db.session() as session, session.begin():
                await enqueue(session, destination="test", payload="x", now=svc.clock.now())
                raise Abort
        except Abort:
            pass
        assert sql(db.owner, "SELECT count(*) FROM outbox_message")[0][0] == 0

    async def test_two_relays_share_the_queue_without_doubles(self, svc, receiver):
        messages = [(f"rx-{k}", f"{k}:{n}") for n in range(10) for k in range(10)]
        ids = await queue(svc, *messages)

        async def relay() -> None:
            while (await deliver_due(svc, {"test": receiver}, limit=7)).claimed:
                pass

        await asyncio.gather(relay(), relay(), relay())
        await drain(svc, {"test": receiver})
        assert sorted(d.id for d in receiver.deliveries) == sorted(ids)
        for k, payloads in by_key(receiver.deliveries).items():
            assert payloads == [f"{k[3:]}:{n}" for n in range(10)]


class TestFailures:
    async def test_a_failure_is_retried_after_backoff_and_later_messages_wait(
            self, svc, receiver, clock, db):
        receiver.fail["a1"] = 2
        await queue(svc, ("a", "a1"), ("a", "a2"), ("b", "b1"))
        await drain(svc, {"test": receiver})
        assert receiver.payloads == ["b1"]  # a2 waits behind a1
        [(attempts, error)] = sql(db.owner, "SELECT attempts, last_error FROM outbox_message"
                                            " WHERE payload = 'a1'")
        assert attempts == 1 and "暂时失败" in error

        clock.advance(seconds=9)
        await drain(svc, {"test": receiver})
        assert receiver.payloads == ["b1"]  # not due yet: first retry after 10 s
        clock.advance(seconds=2)
        await drain(svc, {"test": receiver})
        assert receiver.payloads == ["b1"]  # second failure: next wait doubles to 20 s
        clock.advance(seconds=21)
        await drain(svc, {"test": receiver})
        assert receiver.payloads == ["b1", "a1", "a2"]

    async def test_dead_after_max_attempts_blocks_its_key_until_retried(
            self, svc, receiver, clock, db, client, headers_for):
        receiver.fail["a1"] = 99
        [dead_id, *_] = await queue(svc, ("a", "a1"), ("a", "a2"), ("b", "b1"))
        for _ in range(4):
            await drain(svc, {"test": receiver})
            clock.advance(minutes=5)
        assert receiver.payloads == ["b1"]
        assert sql(db.owner, "SELECT status, attempts FROM outbox_message WHERE id = %s",
                   (dead_id,)) == [("dead", 3)]
        [event] = audit_rows(db.owner, "action = 'outbox.dead_letter'")
        assert event["entity_id"] == str(dead_id)

        admin = await headers_for("sysadmin")
        listed = await client.get("/outbox/dead-letters", headers=admin)
        assert listed.status_code == 200, listed.text
        assert [m["id"] for m in listed.json()["items"]] == [str(dead_id)]
        counted = (await client.get("/outbox/stats", headers=admin)).json()
        assert (counted["pending"], counted["dead"]) == (1, 1)  # a2 waits behind the dead one

        receiver.fail.clear()
        retried = await client.post(f"/outbox/messages/{dead_id}/retry", headers=admin)
        assert retried.status_code == 200, retried.text
        assert retried.json()["status"] == "pending"
        await drain(svc, {"test": receiver})
        assert receiver.payloads == ["b1", "a1", "a2"]
        [event] = audit_rows(db.owner, "action = 'outbox.retry'")
        assert event["entity_id"] == str(dead_id) and event["actor_name"] == "林涛"
        again = await client.post(f"/outbox/messages/{dead_id}/retry", headers=admin)
        assert again.status_code == 409

    async def test_a_refusal_is_a_dead_letter_at_once(self, svc, receiver, db):
        receiver.refuse.add("bad")
        [bad] = await queue(svc, ("k", "bad"))
        await drain(svc, {"test": receiver})
        assert sql(db.owner, "SELECT status, attempts FROM outbox_message WHERE id = %s",
                   (bad,)) == [("dead", 1)]

    async def test_a_destination_without_handler_is_retried(self, svc, receiver, db):
        await queue(svc, (None, "lost"), destination="nowhere")
        await drain(svc, {"test": receiver})
        [(status, error)] = sql(db.owner, "SELECT status, last_error FROM outbox_message")
        assert status == "pending" and "nowhere" in error


class TestAdministration:
    async def test_only_the_system_administrator_sees_dead_letters(self, client, headers_for):
        for username in ("doctor_wang", "admin_h1", "auditor"):
            response = await client.get("/outbox/dead-letters",
                                        headers=await headers_for(username))
            assert response.status_code == 403, username
        response = await client.get("/outbox/stats", headers=await headers_for("sysadmin"))
        assert response.status_code == 200
        assert response.json() == {"pending": 0, "dead": 0, "destinations": []}

    async def test_retrying_an_unknown_message_is_not_found(self, client, headers_for):
        response = await client.post(
            "/outbox/messages/00000000-0000-0000-0000-000000000000/retry",
            headers=await headers_for("sysadmin"))
        assert response.status_code == 404
        assert response.json()["error"] == "NotFound"
