"""The kiosk flow alone: every path, the idle timeout and the card removed, on a clock moved by
hand. The inputs are what the server and the devices would hand the flow."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pytest

from kiosk.flow import InvalidStep, KioskFlow, KioskSettings, Payer, Screen
from kiosk.models import (
    DeliveryMode,
    Order,
    PatientAccess,
    PatientPrescription,
    Payment,
    PharmacyOption,
)
from kiosk.texts import Message
from tests.clients import ManualClock

RX_ID = uuid.uuid4()
PHARMACY_ID = uuid.uuid4()
ORDER_ID = uuid.uuid4()


def order(**kw: Any) -> Order:
    return Order.model_validate({
        "id": str(ORDER_ID), "number": "O20260001", "prescription_number": "RX20260001",
        "status": {"code": "ordered", "patient_label": "已选择药店"},
        "pharmacy_name": "康宁大药房", "mode": "courier", "mode_label": "快递到家",
        "items_fen": 3600, "delivery_fee_fen": 1200, "total_fen": 4800, "paid": False,
        "pickup_code": "73920145", "pickup_qr": "RXPICK:73920145", **kw})


def prescription(*, can_choose: bool = True, with_order: Order | None = None
                 ) -> PatientPrescription:
    return PatientPrescription.model_validate({
        "id": str(RX_ID), "number": "RX20260001", "hospital": "滨江市第一人民医院",
        "department": "内科", "doctor": "王建国",
        "status": {"code": "approved", "patient_label": "审核通过，待选择药店"},
        "amount_fen": 3600, "can_choose": can_choose,
        "lines": [{"line_no": 1, "generic_name": "布洛芬缓释胶囊", "specification": "0.3g",
                   "quantity": 2, "unit": "盒", "amount_fen": 3600}],
        "order": None if with_order is None else with_order.model_dump(mode="json")})


ACCESS = PatientAccess(access_token="t", expires_in=900, method="card", patient_name="张*")
OPTION = PharmacyOption(pharmacy_id=PHARMACY_ID, name="康宁大药房", open_now=True,
                        stock="in_stock", delivery_fee_fen=1200, fee_rule="首重 12 元")
PAYMENT = Payment(payment_id=uuid.uuid4(), order_id=ORDER_ID, status="pending", amount_fen=4800,
                  fund_fen=2000, personal_account_fen=1000, cash_fen=1800,
                  qr_payload="sandbox://pay/1", gateway_trade_no="SB1")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def flow(clock: ManualClock) -> KioskFlow:
    return KioskFlow(KioskSettings(idle_seconds=60, done_seconds=20,
                                   pin_sha256=hashlib.sha256(b"246810").hexdigest()),
                     clock=clock)


def at_prescriptions(flow: KioskFlow, rx: PatientPrescription | None = None) -> None:
    flow.card_inserted()
    assert flow.screen is Screen.IDENTIFYING
    flow.identified(ACCESS, [rx or prescription()], by_card=True)
    assert flow.screen is Screen.PRESCRIPTIONS


def at_pay(flow: KioskFlow, mode: DeliveryMode = DeliveryMode.COURIER) -> None:
    at_prescriptions(flow)
    flow.select(RX_ID)
    assert flow.screen is Screen.CHOOSE
    flow.choose_mode(mode)
    flow.options_loaded(mode, [OPTION])
    flow.choose_pharmacy(PHARMACY_ID)
    if mode is DeliveryMode.COURIER:
        assert not flow.ready_to_order()  # courier needs an address
        flow.choose_pharmacy(PHARMACY_ID, address={
            "region_code": "330106", "detail": "文三路 88 号", "recipient": "张伟",
            "phone": "13857101234"})
        flow.ordered(order())
    else:
        assert flow.ready_to_order()
        flow.ordered(order(mode=mode.value, mode_label="到店自提", delivery_fee_fen=0,
                           total_fen=3600))
    assert flow.screen is Screen.PAY


def at_counter_payment(flow: KioskFlow) -> None:
    at_pay(flow, DeliveryMode.STORE_PICKUP)
    flow.pay_at_counter()


class TestHappyPaths:
    def test_card_courier_online_payment_print(self, flow: KioskFlow) -> None:
        seen: list[Screen] = []
        flow.subscribe(lambda f: seen.append(f.screen))
        at_pay(flow)
        flow.payment_started(PAYMENT)
        assert flow.visit is not None and flow.visit.payer is Payer.ONLINE
        flow.order_refreshed(order(paid=False))
        assert flow.screen is Screen.PAY
        flow.order_refreshed(order(paid=True))
        assert flow.screen is Screen.PRINTING
        flow.printed()
        assert flow.screen is Screen.DONE
        assert seen[:3] == [Screen.IDENTIFYING, Screen.PRESCRIPTIONS, Screen.CHOOSE]
        assert seen[-3:] == [Screen.PAY, Screen.PRINTING, Screen.DONE]

    def test_pay_at_the_counter_with_a_queue_number(self, flow: KioskFlow) -> None:
        at_counter_payment(flow)
        flow.queue_number_issued("A017")
        assert flow.screen is Screen.PRINTING
        assert flow.visit is not None and flow.visit.queue_number == "A017"
        flow.printed()
        assert flow.screen is Screen.DONE

    def test_status_query_of_a_prescription_with_an_order(self, flow: KioskFlow) -> None:
        existing = order(paid=True, events=[{"code": "in_transit", "description": "运输中",
                                             "occurred_at": "2026-11-27T08:00:00Z"}])
        at_prescriptions(flow, prescription(can_choose=False, with_order=existing))
        flow.select(RX_ID)
        assert flow.screen is Screen.STATUS
        assert flow.visit is not None and flow.visit.order == existing
        flow.back()
        assert flow.screen is Screen.PRESCRIPTIONS and flow.visit.order is None

    def test_a_prescription_not_yet_approved_cannot_be_chosen(self, flow: KioskFlow) -> None:
        at_prescriptions(flow, prescription(can_choose=False))
        flow.select(RX_ID)
        assert flow.screen is Screen.PRESCRIPTIONS and flow.message is not None
        assert flow.message.args == ("审核通过，待选择药店",)
        assert str(flow.message) == ("This prescription is 审核通过，待选择药店: no pharmacy can "
                                     "be chosen yet")

    def test_no_pharmacy_for_a_mode_says_so(self, flow: KioskFlow) -> None:
        at_prescriptions(flow)
        flow.select(RX_ID)
        flow.choose_mode(DeliveryMode.STORE_PICKUP)
        flow.options_loaded(DeliveryMode.COURIER, [OPTION])  # a stale answer: ignored
        assert flow.visit is not None and flow.visit.options == []
        flow.options_loaded(DeliveryMode.STORE_PICKUP, [])
        assert flow.message and "No pharmacy" in flow.message.source

    def test_a_courier_order_is_not_paid_at_a_counter(self, flow: KioskFlow) -> None:
        at_pay(flow, DeliveryMode.COURIER)
        assert flow.visit is not None and not flow.visit.can_pay_at_counter
        with pytest.raises(InvalidStep):
            flow.pay_at_counter()
        assert flow.screen is Screen.PAY

    def test_steps_the_screen_does_not_offer_are_refused(self, flow: KioskFlow) -> None:
        with pytest.raises(InvalidStep):
            flow.pay_at_counter()
        at_prescriptions(flow)
        with pytest.raises(InvalidStep):
            flow.printed()


class TestLeaving:
    def test_idle_timeout_drops_the_patient(self, flow: KioskFlow, clock: ManualClock) -> None:
        at_prescriptions(flow)
        clock.advance(seconds=59)
        flow.tick()
        assert flow.screen is Screen.PRESCRIPTIONS
        flow.touch()
        clock.advance(seconds=59)
        flow.tick()
        assert flow.screen is Screen.PRESCRIPTIONS
        clock.advance(seconds=1)
        flow.tick()
        assert flow.screen is Screen.HOME and flow.visit is None
        assert flow.message and "your data is cleared" in flow.message.source

    def test_waiting_for_a_phone_payment_gets_longer(self, flow: KioskFlow,
                                                     clock: ManualClock) -> None:
        at_pay(flow)
        flow.payment_started(PAYMENT)
        clock.advance(seconds=120)
        flow.tick()
        assert flow.screen is Screen.PAY
        clock.advance(seconds=60)
        flow.tick()
        assert flow.screen is Screen.HOME and flow.visit is None

    def test_done_returns_home_by_itself(self, flow: KioskFlow, clock: ManualClock) -> None:
        at_counter_payment(flow)
        flow.printed()
        clock.advance(seconds=20)
        flow.tick()
        assert flow.screen is Screen.HOME and flow.visit is None

    def test_card_removed_drops_the_patient(self, flow: KioskFlow) -> None:
        at_pay(flow)
        flow.card_removed()
        assert flow.screen is Screen.HOME and flow.visit is None

    def test_card_removed_while_reading_asks_to_insert_again(self, flow: KioskFlow) -> None:
        flow.card_inserted()
        flow.card_removed()
        assert flow.screen is Screen.CARD_ERROR and flow.message
        assert "pulled out" in flow.message.source
        flow.identified(ACCESS, [prescription()], by_card=True)  # the late answer
        assert flow.screen is Screen.CARD_ERROR and flow.visit is None

    def test_the_late_answer_for_a_card_pulled_out_is_not_shown_to_the_next(
            self, flow: KioskFlow) -> None:
        first = flow.card_inserted()
        flow.card_removed()
        second = flow.card_inserted()  # the next patient's card, before the first answer
        assert second != first and flow.screen is Screen.IDENTIFYING
        stranger = PatientAccess(access_token="a", expires_in=900, method="card",
                                 patient_name="李*")
        assert not flow.identified(stranger, [prescription()], by_card=True, attempt=first)
        flow.identification_failed("无法识别此卡", first)  # nor an earlier attempt's failure
        assert flow.screen is Screen.IDENTIFYING and flow.visit is None
        assert flow.identified(ACCESS, [prescription()], by_card=True, attempt=second)
        assert flow.visit is not None and flow.visit.access is ACCESS

    def test_card_removed_does_not_end_a_slip_visit(self, flow: KioskFlow) -> None:
        flow.identifying()
        flow.identified(ACCESS, [prescription()], by_card=False)
        flow.card_removed()
        assert flow.screen is Screen.PRESCRIPTIONS

    def test_printing_is_not_interrupted_by_the_card(self, flow: KioskFlow) -> None:
        at_counter_payment(flow)
        flow.card_removed()
        assert flow.screen is Screen.PRINTING
        flow.printed()
        assert flow.screen is Screen.DONE


class TestFaults:
    def test_unreadable_card_offers_retry_or_another_way(self, flow: KioskFlow) -> None:
        flow.card_inserted()
        flow.identification_failed("无法识别此卡")
        # A device's message is for the patient already: shown as it is.
        assert flow.screen is Screen.CARD_ERROR and flow.message == Message("无法识别此卡")
        flow.card_inserted()  # retry
        assert flow.screen is Screen.IDENTIFYING
        flow.identification_failed("与卡片通信失败")
        flow.back()  # another way
        assert flow.screen is Screen.HOME

    def test_paper_out_shows_the_code_and_alerts_staff(self, flow: KioskFlow) -> None:
        at_counter_payment(flow)
        flow.print_failed("打印机缺纸")
        assert flow.screen is Screen.DONE
        assert flow.visit is not None and flow.visit.print_fault == "打印机缺纸"
        assert [a.kind for a in flow.alerts] == ["printer"]
        alert = str(flow.alerts[0].message)
        assert alert == "打印机缺纸 (order O20260001)" and "张" not in alert

    def test_server_unreachable_drops_the_visit_and_recovers(self, flow: KioskFlow) -> None:
        at_pay(flow)
        flow.server_unreachable()
        assert flow.screen is Screen.OUT_OF_SERVICE and flow.visit is None
        flow.server_unreachable()
        assert len(flow.alerts) == 1
        flow.card_inserted()  # nobody is served meanwhile
        assert flow.screen is Screen.OUT_OF_SERVICE
        flow.server_back()
        assert flow.screen is Screen.HOME


class TestMaintenance:
    def test_a_wrong_pin_is_refused_and_noted(self, flow: KioskFlow) -> None:
        assert not flow.open_maintenance("123456")
        assert flow.screen is Screen.HOME and flow.alerts[-1].kind == "maintenance"

    def test_the_pin_opens_maintenance_and_drops_any_patient(self, flow: KioskFlow) -> None:
        at_prescriptions(flow)
        assert flow.open_maintenance("246810")
        assert flow.screen is Screen.MAINTENANCE and flow.visit is None
        flow.server_unreachable()  # staff keep working on the device
        assert flow.screen is Screen.MAINTENANCE
        flow.close_maintenance()
        assert flow.screen is Screen.HOME
