"""The write-off (7206) and the revoke (7104) through the outbox, to the centre's simulator:
queued with the dispensing / the order's end, delivered by the relay (rounds run here, the app
does not relay by itself), retried with back-off while the centre is down, a refusal a dead
letter that the administrator retries, and a repeated delivery carried out once by the centre
(it deduplicates by the envelope's msgid)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from installers.database import DatabaseUrls
from server.core.clock import FakeClock
from server.core.services import Services
from server.insurance import envelope
from server.insurance import transactions as tx
from server.insurance.client import PlatformRefused
from server.insurance.reports import InsuranceReports
from server.insurance.simulator import SimulatorState
from server.outbox.handlers import Delivery
from server.settings import Settings
from tests.helpers import HeadersFor, audit_rows, deliver_outbox, sql
from tests.server.circulation.conftest import Flow, flow
from tests.server.circulation.test_journey import pay_in_sandbox
from tests.server.clinic import Clinic


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"outbox_relay": False, "outbox_retry_seconds": 10.0,
                                       "outbox_max_attempts": 3})


@pytest.fixture
def svc(app: FastAPI) -> Services:
    services: Services = app.state.services
    return services


def claim(db: DatabaseUrls, order_id: str) -> dict[str, Any]:
    [row] = sql(db.owner, "SELECT status, delivery_error, written_off_at, revoked_at, id"
                          " FROM insurance_claim WHERE order_id = %s", (order_id,))
    return dict(zip(("status", "delivery_error", "written_off_at", "revoked_at", "id"), row,
                    strict=True))


def messages(db: DatabaseUrls) -> list[dict[str, Any]]:
    rows = sql(db.owner, "SELECT id, topic, ordering_key, status, attempts, last_error, seq,"
                         " created_at, payload FROM outbox_message"
                         " WHERE destination = 'insurance' ORDER BY seq")
    keys = ("id", "topic", "ordering_key", "status", "attempts", "last_error", "seq",
            "created_at", "payload")
    return [dict(zip(keys, row, strict=True)) for row in rows]


async def dispensed(clinic: Clinic, prefixes: dict[str, str], *,
                    before_complete: Any = None) -> tuple[Flow, list[str]]:
    """A settled order, every package scanned and dispensing completed (200)."""
    f = await flow(clinic)
    assert (await f.choose()).status_code == 201
    assert f.order is not None
    await pay_in_sandbox(f)
    assert (await f.accept()).status_code == 200
    codes = await f.scan_all(prefixes)
    if before_complete is not None:
        before_complete(codes)
    completed = await f.complete()
    assert completed.status_code == 200, completed.text
    return f, codes


def hi_rxno(db: DatabaseUrls, order_id: str) -> str:
    [(number,)] = sql(db.owner, "SELECT hi_rxno FROM insurance_claim WHERE order_id = %s",
                      (order_id,))
    return str(number)


async def test_the_write_off_is_queued_with_the_dispensing_and_delivered(
        clinic: Clinic, prefixes: dict[str, str], db: DatabaseUrls, centre: SimulatorState,
        svc: Services) -> None:
    f, codes = await dispensed(clinic, prefixes)
    assert f.order is not None
    queued = claim(db, f.order["id"])
    assert queued["status"] == "writing_off"
    [message] = messages(db)
    assert (message["topic"], message["status"]) == (tx.WRITE_OFF.api, "pending")
    assert message["ordering_key"] == f"insurance:{f.rx['id']}"
    rx = centre.centre.rxs[hi_rxno(db, f.order["id"])]
    assert rx.dispensed_at is None  # nothing sent inside the dispensing request

    await deliver_outbox(svc)
    done = claim(db, f.order["id"])
    assert done["status"] == "written_off" and done["written_off_at"] is not None
    assert rx.trace_codes == codes and rx.stas_codg == tx.RX_USED
    [event] = audit_rows(db.owner, "action = 'insurance.write_off_delivered'")
    assert event["outcome"] == "success" and event["entity_id"] == str(done["id"])
    assert len(event["summary"]["msgid"]) == envelope.MSGID_LENGTH


async def test_a_centre_that_is_down_gets_the_write_off_after_back_off(
        clinic: Clinic, prefixes: dict[str, str], db: DatabaseUrls, centre: SimulatorState,
        svc: Services, clock: FakeClock) -> None:
    def centre_goes_down(codes: list[str]) -> None:
        centre.mode = "down"

    f, codes = await dispensed(clinic, prefixes, before_complete=centre_goes_down)
    assert f.order is not None
    await deliver_outbox(svc)
    [message] = messages(db)
    assert (message["status"], message["attempts"]) == ("pending", 1)
    waiting = claim(db, f.order["id"])
    assert waiting["status"] == "writing_off" and "HTTP 503" in waiting["delivery_error"]

    asked = centre.requests
    clock.advance(seconds=9)
    await deliver_outbox(svc)
    assert centre.requests == asked  # not due before the back-off of 10 s
    centre.mode = "ok"
    clock.advance(seconds=2)
    await deliver_outbox(svc)
    [message] = messages(db)
    assert (message["status"], message["attempts"]) == ("delivered", 2)
    done = claim(db, f.order["id"])
    assert done["status"] == "written_off" and done["delivery_error"] is None
    assert centre.centre.rxs[hi_rxno(db, f.order["id"])].trace_codes == codes


async def test_a_refused_write_off_is_a_dead_letter_the_administrator_retries(
        clinic: Clinic, prefixes: dict[str, str], db: DatabaseUrls, centre: SimulatorState,
        svc: Services, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
    # The centre believes one of the packages was already sold elsewhere: it refuses.
    f, codes = await dispensed(clinic, prefixes,
                               before_complete=lambda c: centre.centre.written_off_codes.add(c[0]))
    assert f.order is not None
    await deliver_outbox(svc)
    [message] = messages(db)
    assert (message["status"], message["attempts"]) == ("dead", 1)  # final: no retries
    refused = claim(db, f.order["id"])
    assert refused["status"] == "writing_off" and "已核销" in refused["delivery_error"]
    [event] = audit_rows(db.owner, "action = 'insurance.write_off_delivered'")
    assert event["outcome"] == "failure"

    admin = await headers_for("sysadmin")
    listed = (await client.get("/outbox/dead-letters?destination=insurance",
                               headers=admin)).json()
    assert [m["id"] for m in listed["items"]] == [str(message["id"])]
    assert "已核销" in listed["items"][0]["last_error"]
    centre.centre.written_off_codes.discard(codes[0])  # the centre corrects its record
    retried = await client.post(f"/outbox/messages/{message['id']}/retry", headers=admin)
    assert retried.status_code == 200, retried.text
    await deliver_outbox(svc)
    done = claim(db, f.order["id"])
    assert done["status"] == "written_off" and done["delivery_error"] is None
    assert centre.centre.rxs[hi_rxno(db, f.order["id"])].trace_codes == codes


def redelivery(message: dict[str, Any]) -> Delivery:
    """The message as a relay killed before its commit would deliver it again."""
    return Delivery(id=message["id"], destination="insurance", topic=message["topic"],
                    ordering_key=message["ordering_key"], payload=message["payload"],
                    attempt=message["attempts"] + 1, created_at=message["created_at"],
                    seq=message["seq"])


async def test_a_repeated_write_off_is_carried_out_once(
        clinic: Clinic, prefixes: dict[str, str], db: DatabaseUrls, centre: SimulatorState,
        svc: Services) -> None:
    f, _ = await dispensed(clinic, prefixes)
    assert f.order is not None
    await deliver_outbox(svc)
    [message] = messages(db)
    first = claim(db, f.order["id"])
    rx = centre.centre.rxs[hi_rxno(db, f.order["id"])]
    sold_at, written_off = rx.dispensed_at, set(centre.centre.written_off_codes)

    await InsuranceReports(svc).deliver(redelivery(message))
    [msgid] = centre.repeats  # answered from what the centre had carried out
    assert msgid.endswith(f"{message['seq'] % 10_000:04d}")
    assert (rx.dispensed_at, centre.centre.written_off_codes) == (sold_at, written_off)
    assert not centre.refusals
    assert claim(db, f.order["id"]) == first  # recorded once
    assert len(audit_rows(db.owner, "action = 'insurance.write_off_delivered'")) == 1


async def test_a_returned_order_revokes_through_the_outbox_once(
        clinic: Clinic, db: DatabaseUrls, centre: SimulatorState, svc: Services) -> None:
    f = await flow(clinic)
    assert (await f.choose()).status_code == 201
    assert f.order is not None
    await pay_in_sandbox(f)
    person = centre.centre.rxs[hi_rxno(db, f.order["id"])].certno
    balance = centre.centre.persons[person].balance_fen
    returned = await f.staff.call("POST", f"{f.order_url}/return", json={"reason": "缺货"})
    assert returned.status_code == 200, returned.text
    assert claim(db, f.order["id"])["status"] == "revoking"
    await deliver_outbox(svc)
    [message] = messages(db)
    assert message["topic"] == tx.REVOKE.api and message["status"] == "delivered"
    assert claim(db, f.order["id"])["status"] == "revoked"
    given_back = centre.centre.persons[person].balance_fen - balance
    assert given_back > 0

    await InsuranceReports(svc).deliver(redelivery(message))
    assert len(centre.repeats) == 1
    assert centre.centre.persons[person].balance_fen - balance == given_back


async def test_a_msgid_used_for_other_content_is_refused(centre: SimulatorState,
                                                        svc: Services, clinic: Clinic,
                                                        db: DatabaseUrls) -> None:
    f = await flow(clinic)
    assert (await f.choose()).status_code == 201
    assert f.order is not None
    await pay_in_sandbox(f)
    number = hi_rxno(db, f.order["id"])
    platform = svc.insurance
    assert platform is not None
    msgid = envelope.message_id("H1", svc.clock.now(), 42)
    data = {"hiRxno": number, "fixmedinsCode": "H1", "undoRea": "测试", "undoTime": ""}
    first = await platform.revoke(data, msgid=msgid)
    assert await platform.revoke(data, msgid=msgid) == first
    with pytest.raises(PlatformRefused) as refused:
        await platform.revoke({**data, "undoRea": "另一个原因"}, msgid=msgid)
    assert refused.value.code == tx.MSGID_REUSED
    assert centre.centre.rxs[number].revoked_reason == "测试"
