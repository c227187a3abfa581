"""Payments as the circulation core uses them: online through the sandbox gateway, whose
callbacks reach the app over HTTP, counter payments, refunds."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any, cast

import pytest
from sqlalchemy import func, select

from installers.database import DatabaseUrls
from server.core.clock import FakeClock
from server.core.errors import Conflict, NotPermitted, Unprocessable
from server.payments import service
from server.payments.models import Payment
from server.payments.split import InsuranceSplit
from tests.helpers import audit_rows, deliver_outbox, sql
from tests.server.payments.conftest import PaidCalls, Payments


async def start(payments: Payments, **order: Any) -> Payment:
    payment: Payment = await payments.call(service.start_online,
                                           **payments.order(subject="处方药品", **order))
    return payment


def status_of(db: DatabaseUrls, payment: Payment) -> str:
    return str(sql(db.owner, "SELECT status FROM payment WHERE id = %s", (payment.id,))[0][0])


def event_notification_id(db: DatabaseUrls, payment: Payment) -> str:
    return str(sql(db.owner, "SELECT notification_id FROM payment_notification"
                             " WHERE payment_id = %s", (payment.id,))[0][0])


def log_of(db: DatabaseUrls, payment: Payment) -> list[tuple[object, ...]]:
    return sql(db.owner, "SELECT outcome, signature_ok, amount_ok, duplicate FROM"
                         " payment_notification WHERE payment_id = %s ORDER BY received_at, id",
               (payment.id,))


class TestStartOnline:
    async def test_creates_a_gateway_trade_and_returns_its_qr_payload(
            self, payments: Payments, db: DatabaseUrls, clock: FakeClock) -> None:
        payment = await start(payments, amount_fen=2_580)
        assert payment.status == "created" and payment.method == "online"
        assert payment.qr_payload == f"weixin://wxpay/bizpayurl?pr={payment.gateway_trade_no}"
        assert payment.expires_at == clock.now() + timedelta(minutes=15)
        assert payment.cash_fen == 2_580 and payment.fund_fen == 0
        trade = await payments.trade(str(payment.gateway_trade_no))
        assert (trade["state"], trade["amount_fen"]) == ("NOTPAY", 2_580)
        assert trade["out_trade_no"] == payment.out_trade_no
        assert status_of(db, payment) == "created"

    async def test_reuses_the_open_payment_of_the_same_order_and_amount(
            self, payments: Payments) -> None:
        order = payments.order(subject="处方药品")
        first = await payments.call(service.start_online, **order)
        again = await payments.call(service.start_online, **order)
        assert again.id == first.id and again.qr_payload == first.qr_payload

    async def test_a_different_amount_closes_the_old_payment_and_its_qr_code(
            self, payments: Payments, db: DatabaseUrls) -> None:
        order = payments.order(subject="处方药品")
        first = await payments.call(service.start_online, **order)
        second = await payments.call(service.start_online, **{**order, "amount_fen": 999})
        assert second.id != first.id and second.amount_fen == 999
        assert status_of(db, first) == "closed"
        assert (await payments.trade(str(first.gateway_trade_no)))["state"] == "CLOSED"
        refused = await payments.client.post(
            f"/payments/sandbox/{first.gateway_trade_no}/pay")
        assert refused.status_code == 409, refused.text

    async def test_an_expired_qr_code_is_replaced(self, payments: Payments, db: DatabaseUrls,
                                                  clock: FakeClock) -> None:
        order = payments.order(subject="处方药品")
        first = await payments.call(service.start_online, **order)
        clock.advance(minutes=15)
        second = await payments.call(service.start_online, **order)
        assert second.id != first.id and status_of(db, first) == "closed"

    async def test_a_paid_order_cannot_be_paid_again(self, payments: Payments,
                                                     paid_calls: PaidCalls) -> None:
        order = payments.order(subject="处方药品")
        payment = await payments.call(service.start_online, **order)
        await payments.pay(str(payment.gateway_trade_no))
        with pytest.raises(Conflict) as refused:
            await payments.call(service.start_online, **order)
        assert refused.value.extra["field"] == "order_id"


class TestSplit:
    async def test_a_split_that_adds_up_is_stored(self, payments: Payments) -> None:
        split = InsuranceSplit(fund_fen=6_000, personal_account_fen=2_000, cash_fen=2_000)
        payment = await start(payments, amount_fen=10_000, split=split)
        assert (payment.fund_fen, payment.personal_account_fen, payment.cash_fen) == (
            6_000, 2_000, 2_000)

    async def test_a_split_that_does_not_add_up_is_refused_naming_the_field(
            self, payments: Payments, db: DatabaseUrls) -> None:
        split = InsuranceSplit(fund_fen=6_000, personal_account_fen=2_000, cash_fen=1_000)
        with pytest.raises(Unprocessable) as refused:
            await start(payments, amount_fen=10_000, split=split)
        assert refused.value.status_code == 422
        assert refused.value.body()["fields"][0]["field"] == "split"
        assert "9000" in refused.value.detail and "10000" in refused.value.detail
        async with payments.unit_of_work() as ctx:
            assert await ctx.session.scalar(select(func.count()).select_from(Payment)) == 0

    async def test_a_negative_part_is_refused_naming_that_part(self, payments: Payments) -> None:
        split = InsuranceSplit(fund_fen=-1, personal_account_fen=0, cash_fen=10_001)
        with pytest.raises(Unprocessable) as refused:
            await start(payments, amount_fen=10_000, split=split)
        assert refused.value.extra["field"] == "split.fund_fen"

    async def test_a_counter_payment_checks_the_split_too(self, payments: Payments) -> None:
        with pytest.raises(Unprocessable) as refused:
            await payments.call(service.register_offline, principal=payments.staff(
                "store_kangning"), **payments.order(receipt_no="XP-1", split=InsuranceSplit(
                    cash_fen=1)))
        assert refused.value.extra["field"] == "split"


class TestPaidThroughTheSandbox:
    async def test_the_callback_arrives_over_http_and_marks_the_payment_paid_once(
            self, payments: Payments, paid_calls: PaidCalls, db: DatabaseUrls) -> None:
        payment = await start(payments)
        delivery = await payments.pay(str(payment.gateway_trade_no))
        assert delivery["attempts"] == [200] and delivery["acknowledged"]
        assert status_of(db, payment) == "paid"
        assert paid_calls.payments == [(payment.id, "paid")]
        assert log_of(db, payment) == [("accepted", True, True, False)]
        [event] = audit_rows(db.owner, "action = 'payment.paid'")
        # It came in as an HTTP request of its own, from the gateway's address.
        assert event["entity_id"] == str(payment.id) and event["ip"] == "127.0.0.1"
        assert event["summary"] == {"order_id": str(payment.order_id), "amount_fen": 12_345,
                                    "gateway_trade_no": payment.gateway_trade_no,
                                    "notification_id": event_notification_id(db, payment)}

    async def test_a_duplicate_callback_is_acknowledged_and_changes_nothing(
            self, payments: Payments, paid_calls: PaidCalls, db: DatabaseUrls) -> None:
        payment = await start(payments)
        await payments.pay(str(payment.gateway_trade_no))
        version = sql(db.owner, "SELECT version FROM payment WHERE id = %s", (payment.id,))
        duplicate = await payments.send(str(payment.gateway_trade_no), "duplicate")
        assert duplicate["attempts"] == [200]
        assert len(paid_calls.payments) == 1
        assert sql(db.owner, "SELECT version FROM payment WHERE id = %s",
                   (payment.id,)) == version
        assert log_of(db, payment) == [("accepted", True, True, False),
                                       ("duplicate", True, True, True)]

    async def test_the_sandbox_retries_after_a_5xx_until_acknowledged(
            self, payments: Payments, paid_calls: PaidCalls, db: DatabaseUrls) -> None:
        paid_calls.fail_next = 2  # the order cannot be moved on twice: the platform answers 500
        payment = await start(payments)
        delivery = await payments.pay(str(payment.gateway_trade_no))
        assert delivery["attempts"] == [500, 500, 200] and delivery["acknowledged"]
        assert paid_calls.failed == 2 and paid_calls.payments == [(payment.id, "paid")]
        assert status_of(db, payment) == "paid"
        # The failed attempts were rolled back whole, their log entries too.
        assert log_of(db, payment) == [("accepted", True, True, False)]

    async def test_a_callback_lost_on_the_way_is_made_good_by_reconciliation(
            self, payments: Payments, paid_calls: PaidCalls, db: DatabaseUrls) -> None:
        payment = await start(payments)
        await payments.pay(str(payment.gateway_trade_no), notify=False)
        assert status_of(db, payment) == "created"
        reconciled = await payments.call(service.reconcile, order_id=payment.order_id)
        assert reconciled.id == payment.id and reconciled.status == "paid"
        assert paid_calls.payments == [(payment.id, "paid")]


class TestRefusedCallbacks:
    @pytest.mark.parametrize(("kind", "outcome", "signature_ok", "amount_ok"), [
        ("wrong_key", "forged", False, None),
        ("wrong_amount", "wrong_amount", True, False),
        ("stale", "stale", False, None),
    ])
    async def test_is_refused_logged_audited_and_changes_nothing(
            self, payments: Payments, paid_calls: PaidCalls, db: DatabaseUrls, kind: str,
            outcome: str, signature_ok: bool, amount_ok: bool | None) -> None:
        payment = await start(payments)
        delivery = await payments.send(str(payment.gateway_trade_no), kind)
        assert delivery["attempts"] == [400] and not delivery["acknowledged"]
        assert status_of(db, payment) == "created" and paid_calls.payments == []
        [entry] = sql(db.owner, "SELECT outcome, signature_ok, amount_ok, out_trade_no,"
                                " convert_from(body, 'UTF8')"
                                " FROM payment_notification")
        assert entry[:3] == (outcome, signature_ok, amount_ok)
        assert str(entry[4]).startswith('{"id": ')  # the raw body is kept
        [event] = audit_rows(db.owner, "action = 'security.payment_notification_refused'")
        assert cast(dict[str, Any], event["summary"])["reason"] == outcome
        assert event["outcome"] == "failure" and event["status_code"] == 400

    async def test_the_real_payment_still_goes_through_after_a_forged_one(
            self, payments: Payments, paid_calls: PaidCalls, db: DatabaseUrls) -> None:
        payment = await start(payments)
        await payments.send(str(payment.gateway_trade_no), "wrong_key")
        await payments.pay(str(payment.gateway_trade_no))
        assert status_of(db, payment) == "paid" and len(paid_calls.payments) == 1


class TestCounterPayment:
    async def test_pharmacy_staff_register_a_paid_counter_payment(
            self, payments: Payments, paid_calls: PaidCalls, db: DatabaseUrls,
            clock: FakeClock) -> None:
        staff = payments.staff("store_kangning")
        payment = await payments.call(service.register_offline, principal=staff,
                                      **payments.order(receipt_no=" XP-20260101-7 "))
        assert (payment.method, payment.status, payment.receipt_no) == (
            "offline", "paid", "XP-20260101-7")
        assert payment.paid_at == clock.now() and payment.registered_by_id == staff.id
        assert paid_calls.payments == [(payment.id, "paid")]
        assert status_of(db, payment) == "paid"

    async def test_closes_the_open_qr_code_of_the_order(self, payments: Payments,
                                                        db: DatabaseUrls) -> None:
        order = payments.order(subject="处方药品")
        online = await payments.call(service.start_online, **order)
        del order["subject"]
        await payments.call(service.register_offline, principal=payments.staff(
            "store_kangning"), receipt_no="XP-2", **order)
        assert status_of(db, online) == "closed"
        assert (await payments.trade(str(online.gateway_trade_no)))["state"] == "CLOSED"

    async def test_registering_the_same_receipt_again_returns_the_same_payment(
            self, payments: Payments, paid_calls: PaidCalls) -> None:
        staff = payments.staff("store_kangning")
        order = payments.order(receipt_no="XP-3")
        first = await payments.call(service.register_offline, principal=staff, **order)
        again = await payments.call(service.register_offline, principal=staff, **order)
        assert again.id == first.id and len(paid_calls.payments) == 1
        with pytest.raises(Conflict):
            await payments.call(service.register_offline, principal=staff,
                                **{**order, "receipt_no": "XP-4"})

    async def test_only_staff_of_that_pharmacy_may_register_it(self, payments: Payments) -> None:
        with pytest.raises(NotPermitted):
            await payments.call(service.register_offline, principal=payments.staff(
                "store_yimin"), **payments.order(pharmacy="P1", receipt_no="XP-5"))
        with pytest.raises(NotPermitted):
            await payments.call(service.register_offline,
                                **payments.order(pharmacy="P1", receipt_no="XP-5"))


class TestRefund:
    async def test_a_paid_online_payment_is_refunded_through_the_gateway(
            self, payments: Payments, paid_calls: PaidCalls, db: DatabaseUrls) -> None:
        payment = await start(payments, amount_fen=4_200)
        await payments.pay(str(payment.gateway_trade_no))
        refund = await payments.call(service.refund, principal=payments.staff("store_kangning"),
                                     order_id=payment.order_id, reason="药店缺货，订单取消")
        assert refund is not None and refund.status == "pending"  # queued with the change
        await deliver_outbox(payments.svc)
        [(status, amount, gateway_refund_no)] = sql(
            db.owner, "SELECT status, amount_fen, gateway_refund_no FROM refund")
        assert (status, amount) == ("succeeded", 4_200) and gateway_refund_no
        assert status_of(db, payment) == "refunded"
        trade = await payments.trade(str(payment.gateway_trade_no))
        assert trade["state"] == "REFUND"
        assert [(r["out_refund_no"], r["amount"]) for r in trade["refunds"]] == [
            (refund.out_refund_no, 4_200)]

    async def test_asking_again_returns_the_same_refund(self, payments: Payments,
                                                        paid_calls: PaidCalls,
                                                        db: DatabaseUrls) -> None:
        payment = await start(payments)
        await payments.pay(str(payment.gateway_trade_no))
        first = await payments.call(service.refund, order_id=payment.order_id, reason="取消")
        again = await payments.call(service.refund, order_id=payment.order_id, reason="再次取消")
        assert first is not None and again is not None and again.id == first.id
        await deliver_outbox(payments.svc)
        assert sql(db.owner, "SELECT count(*) FROM refund") == [(1,)]
        assert len((await payments.trade(str(payment.gateway_trade_no)))["refunds"]) == 1

    async def test_an_unpaid_order_has_nothing_to_refund_and_its_qr_code_is_closed(
            self, payments: Payments, db: DatabaseUrls) -> None:
        payment = await start(payments)
        assert await payments.call(service.refund, order_id=payment.order_id,
                                   reason="取消") is None
        assert status_of(db, payment) == "closed"
        assert (await payments.trade(str(payment.gateway_trade_no)))["state"] == "CLOSED"
        assert await payments.call(service.refund, order_id=uuid.uuid4(), reason="取消") is None

    async def test_a_counter_payment_is_recorded_to_be_paid_out_at_the_counter(
            self, payments: Payments, db: DatabaseUrls) -> None:
        payment = await payments.call(service.register_offline, principal=payments.staff(
            "store_kangning"), **payments.order(receipt_no="XP-6"))
        refund = await payments.call(service.refund, order_id=payment.order_id, reason="取消")
        assert refund is not None and refund.status == "awaiting_payout"
        assert status_of(db, payment) == "refunding"

    async def test_a_reason_is_required(self, payments: Payments) -> None:
        with pytest.raises(Unprocessable) as refused:
            await payments.call(service.refund, order_id=uuid.uuid4(), reason="  ")
        assert refused.value.extra["field"] == "reason"


class TestPaymentForOrder:
    async def test_the_paid_payment_stands_for_the_order(self, payments: Payments,
                                                         paid_calls: PaidCalls) -> None:
        order = payments.order(subject="处方药品")
        closed = await payments.call(service.start_online, **order)
        paid = await payments.call(service.start_online, **{**order, "amount_fen": 500})
        await payments.pay(str(paid.gateway_trade_no))
        async with payments.unit_of_work() as ctx:
            found = await service.payment_for_order(ctx.session, order["order_id"])
            assert found is not None and found.id == paid.id != closed.id
            assert await service.payment_for_order(ctx.session, uuid.uuid4()) is None
