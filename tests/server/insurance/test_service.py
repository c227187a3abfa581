"""Circulation payments with the insurance centre connected (its simulator, in-process): the
settlement is the payment's split, dispensing writes the sale off with every traceability
code, a returned order revokes the prescription (both reports through the outbox), refusals
leave the order self-paid, and a centre that cannot be reached stops the payment."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from installers.database import DatabaseUrls
from server.insurance import transactions as tx
from server.insurance.simulator import SimulatorState
from tests.helpers import deliver_outbox, sql
from tests.server.circulation.conftest import Flow, flow
from tests.server.circulation.test_journey import pay_in_sandbox
from tests.server.clinic import Clinic


def claim(db: DatabaseUrls, order_id: str) -> dict[str, Any]:
    rows = sql(db.owner, "SELECT status, hi_rxno, fund_fen, personal_account_fen, cash_fen,"
               " refusal, refusal_code FROM insurance_claim WHERE order_id = %s", (order_id,))
    assert len(rows) == 1
    keys = ("status", "hi_rxno", "fund_fen", "personal_account_fen", "cash_fen", "refusal",
            "refusal_code")
    return dict(zip(keys, rows[0], strict=True))


def payment(db: DatabaseUrls, order_id: str) -> tuple[int, int, int, int]:
    rows = sql(db.owner, "SELECT amount_fen, fund_fen, personal_account_fen, cash_fen"
               " FROM payment WHERE order_id = %s AND status = 'paid'", (order_id,))
    assert len(rows) == 1
    amount, fund, account, cash = rows[0]
    return int(amount), int(fund), int(account), int(cash)


def id_number(f: Flow) -> str:
    return next(p["id_number"] for p in f.clinic.demo.patients if p["id"] == f.patient.patient_id)


async def test_the_settlement_is_the_split_and_dispensing_writes_off(
        clinic: Clinic, prefixes: dict[str, str], db: DatabaseUrls, centre: SimulatorState,
        app: FastAPI) -> None:
    f = await flow(clinic)
    assert (await f.choose(mode="courier")).status_code == 201
    assert f.order is not None and f.order["delivery_fee_fen"] > 0
    await pay_in_sandbox(f)
    amount, fund, account, cash = payment(db, f.order["id"])
    made = claim(db, f.order["id"])
    assert made["status"] == "settled" and made["hi_rxno"]
    # The centre's settlement of the drugs; the courier's fee is cash.
    assert fund > 0 and (fund, account) == (made["fund_fen"], made["personal_account_fen"])
    assert cash == made["cash_fen"] + f.order["delivery_fee_fen"]
    assert fund + account + cash == amount == f.order["total_fen"]
    rx = centre.centre.rxs[made["hi_rxno"]]
    assert rx.status == "uploaded" and rx.settled_for == f.order["number"]
    assert rx.certno == id_number(f)

    assert (await f.accept()).status_code == 200
    codes = await f.scan_all(prefixes)
    assert (await f.complete()).status_code == 200
    await deliver_outbox(app.state.services)
    assert claim(db, f.order["id"])["status"] == "written_off"
    assert rx.trace_codes == codes and rx.stas_codg == tx.RX_USED


async def test_a_returned_order_revokes_the_prescription(
        clinic: Clinic, db: DatabaseUrls, centre: SimulatorState, app: FastAPI) -> None:
    f = await flow(clinic)
    assert (await f.choose()).status_code == 201
    assert f.order is not None
    await pay_in_sandbox(f)
    hi_rxno = claim(db, f.order["id"])["hi_rxno"]
    balance = centre.centre.persons[id_number(f)].balance_fen
    returned = await f.staff.call("POST", f"{f.order_url}/return", json={"reason": "缺货"})
    assert returned.status_code == 200, returned.text
    await deliver_outbox(app.state.services)
    assert claim(db, f.order["id"])["status"] == "revoked"
    assert centre.centre.rxs[hi_rxno].stas_codg == tx.RX_REVOKED
    refunded = centre.centre.persons[id_number(f)].balance_fen - balance
    assert refunded == claim(db, f.order["id"])["personal_account_fen"]


async def test_a_patient_not_insured_pays_the_counter_in_cash(
        clinic: Clinic, db: DatabaseUrls, centre: SimulatorState) -> None:
    f = await flow(clinic)
    centre.centre.set_person(id_number(f), insured=False)
    assert (await f.choose()).status_code == 201
    assert f.order is not None
    paid = await f.staff.call("POST", f"{f.order_url}/offline-payment",
                              json={"receipt_no": "POS-0009"})
    assert paid.status_code == 200, paid.text
    amount, fund, account, cash = payment(db, f.order["id"])
    assert (fund, account, cash) == (0, 0, amount)
    refused = claim(db, f.order["id"])
    assert refused["status"] == "refused" and refused["refusal_code"] == tx.NOT_INSURED
    assert "无有效参保信息" in refused["refusal"]


async def test_a_centre_that_cannot_be_reached_stops_the_payment(
        clinic: Clinic, db: DatabaseUrls, centre: SimulatorState) -> None:
    f = await flow(clinic)
    assert (await f.choose()).status_code == 201
    assert f.order is not None
    centre.mode = "down"
    response = await f.patient.call("POST", f"/patient/orders/{f.order['id']}/payment",
                                    json={"method": "online"})
    assert response.status_code == 503, response.text
    assert "医保电子处方中心" in response.json()["detail"]
    assert not sql(db.owner, "SELECT 1 FROM payment WHERE order_id = %s", (f.order["id"],))
    centre.mode = "ok"
    await pay_in_sandbox(f)  # once it answers, the same payment goes through, settled
    assert claim(db, f.order["id"])["status"] == "settled"
