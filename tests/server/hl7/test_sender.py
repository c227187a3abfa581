"""The outbox's `hl7` handler against the HIS simulator: what the HIS answers decides between
delivered, retried and dead letter; a redelivery carries the same control id."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from server.hl7.sender import Hl7Sender
from server.hl7.simulator import HisSimulator
from server.outbox.relay import deliver_due
from server.outbox.service import enqueue
from tests.helpers import sql
from tests.server.hl7.conftest import patient, rde_o11


@pytest.fixture
async def his() -> AsyncIterator[HisSimulator]:
    simulator = HisSimulator()
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
def settings(settings, his):
    # No relay in the app: the test runs the rounds.
    return settings.model_copy(update={"hl7_his_addresses": {"his-h1": his.address},
                                       "outbox_relay": False, "outbox_retry_seconds": 1.0})


async def _queued(app, connect, demo, db, *, topic: str = "his-h1") -> str:
    zhang = patient(demo, "张伟")
    answer = await (await connect()).send(rde_o11(patient_card=zhang["hospital_card"],
                                                  placer_group="G-SEND"))
    assert answer.code == "AA", answer.text
    [(rx_id, number)] = sql(db.owner, "SELECT p.id, p.number FROM hl7_order o JOIN prescription"
                                      " p ON p.id = o.prescription_id")
    svc = app.state.services
    snapshot = {"event": "order.dispensed", "prescription_id": str(rx_id),
                "prescription_number": number, "status": "ready_for_pickup",
                "status_label": "待取药", "order_number": "O1",
                "occurred_at": svc.clock.now().isoformat(), "pharmacy_code": "P1",
                "pharmacy_name": "康宁大药房（人民路店）", "lines": [{
                    "line_no": 1, "placer": "G-SEND-1", "product_code": "XC08CAA004A001632400248",
                    "product_name": "苯磺酸氨氯地平片", "specification": "5mg", "route": "口服",
                    "unit": "盒", "prescribed": 1, "dispensed": 1, "not_dispensed_reason": None,
                    "batches": [["B1|X", "2028-06-30"]]}]}
    async with svc.db.session() as session, session.begin():
        row = await enqueue(session, destination="hl7", topic=topic, ordering_key=str(rx_id),
                            payload=json.dumps(snapshot, ensure_ascii=False),
                            now=svc.clock.now())
    return row.id.hex


def status(db, message_id: str) -> tuple[str, int]:
    [(state, attempts)] = sql(db.owner, "SELECT status, attempts FROM outbox_message"
                                        " WHERE id = %s", (message_id,))
    return state, attempts


async def test_ar_is_retried_with_the_same_control_id_and_ae_is_a_dead_letter(
        app, connect, demo, db, his, clock):
    svc = app.state.services
    sender = Hl7Sender(svc)
    handlers = {"hl7": sender.deliver}
    try:
        message_id = await _queued(app, connect, demo, db)
        his.refuse_next(1, "AR")
        await deliver_due(svc, handlers)
        assert status(db, message_id) == ("pending", 1)
        clock.advance(seconds=2)
        await deliver_due(svc, handlers)
        assert status(db, message_id) == ("delivered", 2)
        [received] = his.received
        assert received.control_id == message_id
        # Text from the database is escaped, not taken as separators.
        assert "B1\\F\\X" in received.text

        other = await _queued_again(app, db, message_id)
        his.refuse_next(1, "AE")
        await deliver_due(svc, handlers)
        assert status(db, other) == ("dead", 1)
    finally:
        await sender.aclose()


async def _queued_again(app, db, like: str) -> str:
    [(payload, key)] = sql(db.owner, "SELECT payload, ordering_key FROM outbox_message"
                                     " WHERE id = %s", (like,))
    svc = app.state.services
    async with svc.db.session() as session, session.begin():
        row = await enqueue(session, destination="hl7", topic="his-h1", ordering_key=key,
                            payload=payload, now=svc.clock.now())
    return row.id.hex


async def test_an_his_without_address_is_retried_with_the_reason(app, connect, demo, db):
    svc = app.state.services
    sender = Hl7Sender(svc)
    try:
        message_id = await _queued(app, connect, demo, db, topic="his-h2")
        await deliver_due(svc, {"hl7": sender.deliver})
        assert status(db, message_id) == ("pending", 1)
        [(error,)] = sql(db.owner, "SELECT last_error FROM outbox_message")
        assert "his-h2" in error and "RXP_HL7_HIS_ADDRESSES" in error
    finally:
        await sender.aclose()
