"""Refunds through the outbox: an order not dispensed queues its refund with the dispensing,
the relay (rounds run here; the app does not relay by itself) asks the sandbox gateway, which
refunds once however often the request is delivered; a refusal by the gateway is a dead letter
with its reason, and the administrator's retry refunds."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from installers.database import DatabaseUrls
from server.core.services import Services
from server.outbox.handlers import Delivery
from server.payments.gateway import TradeStatus
from server.payments.refunds import RefundRequests
from server.payments.sandbox import SandboxGateway
from server.settings import Settings
from tests.helpers import HeadersFor, audit_rows, deliver_outbox, sql
from tests.server.circulation.conftest import Flow, flow
from tests.server.circulation.test_journey import pay_in_sandbox
from tests.server.clinic import Clinic, clinic

__all__ = ["clinic"]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"outbox_relay": False})


@pytest.fixture
def svc(app: FastAPI) -> Services:
    services: Services = app.state.services
    return services


async def not_dispensed(clinic: Clinic) -> Flow:
    """A paid order whose pharmacy dispenses nothing (the refund is decided then)."""
    f = await flow(clinic)
    assert (await f.choose()).status_code == 201
    await pay_in_sandbox(f)
    assert (await f.accept()).status_code == 200
    line = (await f.detail())["lines"][0]
    marked = await f.staff.call("POST", f"{f.order_url}/lines/{line['id']}/not-dispensed",
                                json={"reason": "药品召回，暂停销售"})
    assert marked.status_code == 200, marked.text
    completed = await f.complete()
    assert completed.status_code == 200 and completed.json()["status"]["code"] == "not_dispensed"
    return f


def state(db: DatabaseUrls, f: Flow) -> dict[str, Any]:
    assert f.order is not None
    [row] = sql(db.owner, "SELECT p.status, p.gateway_trade_no, r.status, r.gateway_refund_no,"
                          " r.completed_at, r.gateway_message, r.amount_fen FROM payment p"
                          " JOIN refund r ON r.payment_id = p.id WHERE p.order_id = %s",
                (f.order["id"],))
    keys = ("payment", "gateway_trade_no", "refund", "gateway_refund_no", "completed_at",
            "gateway_message", "amount_fen")
    return dict(zip(keys, row, strict=True))


def message(db: DatabaseUrls) -> dict[str, Any]:
    [row] = sql(db.owner, "SELECT id, topic, ordering_key, payload, status, attempts, seq,"
                          " created_at, last_error FROM outbox_message"
                          " WHERE destination = 'payment_refund'")
    keys = ("id", "topic", "ordering_key", "payload", "status", "attempts", "seq", "created_at",
            "last_error")
    return dict(zip(keys, row, strict=True))


async def gateway_refunds(client: httpx.AsyncClient, gateway_trade_no: str) -> list[Any]:
    trade = (await client.get(f"/payments/sandbox/{gateway_trade_no}")).json()
    refunds: list[Any] = trade["refunds"]
    return refunds


async def test_not_dispensed_is_refunded_through_the_outbox_exactly_once(
        clinic: Clinic, db: DatabaseUrls, svc: Services, client: httpx.AsyncClient) -> None:
    f = await not_dispensed(clinic)
    assert f.order is not None
    queued = state(db, f)
    assert (queued["payment"], queued["refund"]) == ("refunding", "pending")
    assert queued["amount_fen"] == f.order["total_fen"]
    queued_message = message(db)
    assert queued_message["status"] == "pending" and queued_message["topic"] == "sandbox"
    assert await gateway_refunds(client, queued["gateway_trade_no"]) == []  # not asked yet

    await deliver_outbox(svc)
    done = state(db, f)
    assert (done["payment"], done["refund"]) == ("refunded", "succeeded")
    assert done["gateway_refund_no"] and done["completed_at"] is not None
    [refunded] = await gateway_refunds(client, queued["gateway_trade_no"])
    assert refunded["amount"] == f.order["total_fen"] and refunded["status"] == "SUCCESS"

    # Delivered again (a relay killed before its commit): the gateway refunds nothing more.
    row = message(db)
    await RefundRequests(svc).deliver(Delivery(
        id=row["id"], destination="payment_refund", topic=row["topic"],
        ordering_key=row["ordering_key"], payload=row["payload"], attempt=2,
        created_at=row["created_at"], seq=row["seq"]))
    assert await gateway_refunds(client, queued["gateway_trade_no"]) == [refunded]
    assert state(db, f) == done
    assert len(audit_rows(db.owner, "action = 'payment.refund_delivered'")) == 1


async def test_a_refused_refund_is_a_dead_letter_with_the_reason(
        clinic: Clinic, db: DatabaseUrls, svc: Services, client: httpx.AsyncClient,
        headers_for: HeadersFor) -> None:
    f = await not_dispensed(clinic)
    gateway = svc.payment_gateway
    assert isinstance(gateway, SandboxGateway)
    trade = gateway.trade(state(db, f)["gateway_trade_no"])
    trade.state = TradeStatus.NOTPAY  # the gateway has lost track of the payment: it refuses
    await deliver_outbox(svc)
    refused = state(db, f)
    assert (refused["payment"], refused["refund"]) == ("refund_failed", "failed")
    dead = message(db)
    assert (dead["status"], dead["attempts"]) == ("dead", 1)
    assert "订单未支付" in dead["last_error"] and "订单未支付" in refused["gateway_message"]

    admin = await headers_for("sysadmin")
    listed = (await client.get("/outbox/dead-letters?destination=payment_refund",
                               headers=admin)).json()
    assert [m["id"] for m in listed["items"]] == [str(dead["id"])]
    trade.state = TradeStatus.SUCCESS  # the gateway's record is put right
    retried = await client.post(f"/outbox/messages/{dead['id']}/retry", headers=admin)
    assert retried.status_code == 200, retried.text
    await deliver_outbox(svc)
    done = state(db, f)
    assert (done["payment"], done["refund"]) == ("refunded", "succeeded")
    assert len(await gateway_refunds(client, done["gateway_trade_no"])) == 1
