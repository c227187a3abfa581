"""The kiosk end to end, offscreen: the patient's insurance card in the real PC/SC stack, the
prescription slip's QR read by the camera from a video file, the real server, the sandbox
payment gateway, a receipt printer on a pty; and the faults."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from common.hardware.ptypair import PtyPair
from common.hardware.scanner.video import write_code_video
from kiosk.flow import Screen
from server.core.clock import FakeClock
from server.seed.demo import DemoGroup
from tests.clients import ServerThread
from tests.devices import VirtualCardSlot
from tests.kiosk.rig import (
    Rig,
    approved_prescription,
    build_rig,
    patient_card,
    slip_qr,
    tear_down,
)

pytestmark = pytest.mark.usefixtures("no_leaked_windows")


@pytest.fixture
def rig(qtbot: QtBot, live_server: ServerThread, demo: DemoGroup,
        virtual_card: VirtualCardSlot, pty_pair: PtyPair) -> Iterator[Rig]:
    built = build_rig(qtbot, live_server, demo, virtual_card, pty_pair.a, pty_pair.b)
    yield built
    tear_down(built)


@pytest.fixture
def rx(live_server: ServerThread, demo: DemoGroup, clock: FakeClock) -> dict[str, object]:
    return approved_prescription(live_server, demo, clock)


def patient_data(rig: Rig, *extra: str) -> list[str]:
    """What of the patient the window still holds anywhere."""
    secrets = [s for s in extra if s] + ["张*", "张伟"]
    return [t for t in rig.window.texts() if any(s in t for s in secrets)]


def identify(rig: Rig, demo: DemoGroup, rx: dict[str, object]) -> None:
    rig.card.insert(patient_card(demo))
    rig.wait_for(Screen.PRESCRIPTIONS)
    assert any(str(rx["number"]) in t for t in rig.window.texts())


def order_for_store_pickup(rig: Rig, demo: DemoGroup, rx: dict[str, object]) -> None:
    """Card in, the prescription, pickup at 康宁大药房, and the order confirmed."""
    identify(rig, demo, rx)
    rig.click(str(rx["number"]))
    rig.click("到药店自取")
    rig.qtbot.waitUntil(lambda: bool(rig.app.flow.visit and rig.app.flow.visit.options))
    rig.click("康宁")
    rig.click("确认选择")


def test_card_courier_online_payment_and_receipt(rig: Rig, demo: DemoGroup,
                                                 rx: dict[str, object]) -> None:
    identify(rig, demo, rx)
    rig.click(str(rx["number"]))
    rig.wait_for(Screen.CHOOSE)
    rig.click("快递到家")
    rig.qtbot.waitUntil(lambda: bool(rig.app.flow.visit and rig.app.flow.visit.options))
    assert any("快递费 ¥" in t for t in rig.window.texts())  # the fee before paying
    rig.click("康宁")
    rig.window.address_detail.setText("文三路 88 号 2 幢 301 室")
    rig.window.recipient.setText("张伟")
    for digit in "13857101234":
        rig.window.recipient_phone.insert(digit)
    rig.click("确认选择")
    rig.wait_for(Screen.PAY)
    rig.click("手机扫码支付")
    rig.qtbot.waitUntil(lambda: bool(rig.app.flow.visit and rig.app.flow.visit.payment))
    assert any("医保统筹" in t for t in rig.window.texts())  # the insurance split
    rig.pay_in_sandbox()
    rig.wait_for(Screen.DONE)
    visit = rig.app.flow.visit
    assert visit is not None and visit.order is not None and visit.order.paid
    lines = rig.printed()
    assert f"取药码：{visit.order.pickup_code}" in lines
    assert f"[二维码] {visit.order.pickup_qr}" in lines
    assert f"取药方式：{visit.order.mode_label}" in lines and "[切纸]" in lines
    assert any("文三路" in line for line in lines)
    code = visit.order.pickup_code
    rig.card.remove()
    rig.wait_for(Screen.HOME)
    assert rig.app.flow.visit is None
    rig.qtbot.waitUntil(lambda: not rig.app.service.has_patient)  # logged out on the server
    assert patient_data(rig, code or "", str(rx["number"])) == []


def test_slip_through_the_camera_pickup_at_the_counter_and_receipt(
        qtbot: QtBot, live_server: ServerThread, demo: DemoGroup, clock: FakeClock,
        virtual_card: VirtualCardSlot, pty_pair: PtyPair, rx: dict[str, object],
        tmp_path: Path) -> None:
    """The patient holds the slip's QR to the camera (a video file through `file://`)."""
    video = write_code_video(tmp_path / "slip.avi",
                             [None, ("qr", slip_qr(live_server, demo, clock, rx)), None])
    rig = build_rig(qtbot, live_server, demo, virtual_card, pty_pair.a, pty_pair.b,
                    scanner=f"file://{video}")
    try:
        rig.wait_for(Screen.PRESCRIPTIONS)
        visit = rig.app.flow.visit
        assert visit is not None and not visit.by_card and visit.access.method == "slip"
        assert [p.number for p in visit.prescriptions] == [rx["number"]]
        rig.click(str(rx["number"]))
        rig.wait_for(Screen.CHOOSE)
        rig.click("到药店自取")
        rig.qtbot.waitUntil(lambda: bool(rig.app.flow.visit and rig.app.flow.visit.options))
        rig.click("康宁")
        rig.click("明天上午")
        rig.click("确认选择")
        rig.wait_for(Screen.PAY)
        rig.click("到药房窗口付款")
        rig.wait_for(Screen.DONE)
        visit = rig.app.flow.visit
        assert visit is not None and visit.queue_number and visit.order is not None
        lines = rig.printed()
        assert f"排队号：{visit.queue_number}" in lines
        assert visit.order.pickup_code and f"取药码：{visit.order.pickup_code}" in lines
        assert "付款方式：到药房窗口付款" in lines and "[切纸]" in lines
        assert any(line.startswith("预约时间：") for line in lines)
        assert f"排队号 {visit.queue_number}" in rig.window.texts()
        code = visit.order.pickup_code
        rig.click("完成")
        rig.wait_for(Screen.HOME)
        rig.qtbot.waitUntil(lambda: not rig.app.service.has_patient)
        assert patient_data(rig, code, str(rx["number"])) == []
    finally:
        tear_down(rig)


def test_paper_out_while_printing_shows_the_code_and_alerts_staff(
        rig: Rig, demo: DemoGroup, rx: dict[str, object]) -> None:
    order_for_store_pickup(rig, demo, rx)
    rig.wait_for(Screen.PAY)
    rig.printer_sim.printer.inject("paper_runs_out")
    with rig.qtbot.waitSignal(rig.app.alerted, timeout=15000):
        rig.click("到药房窗口付款")
    rig.wait_for(Screen.DONE)
    visit = rig.app.flow.visit
    assert visit is not None and visit.order is not None and visit.print_fault
    code = visit.order.pickup_code
    assert f"取药码 {code}" in rig.window.texts()
    assert rig.app.flow.alerts[-1].kind == "printer"
    assert "[切纸]" not in rig.printed()  # the receipt was cut short
    rig.click("完成")
    rig.wait_for(Screen.HOME)
    assert rig.app.flow.visit is None
    rig.qtbot.waitUntil(lambda: not rig.app.service.has_patient)  # the token, too
    assert patient_data(rig, code or "") == []


def test_card_pulled_while_reading(rig: Rig, demo: DemoGroup) -> None:
    rig.card.emulator.inject("card_removed_mid_read")
    rig.card.emulator.insert(patient_card(demo))
    rig.wait_for(Screen.CARD_ERROR)
    assert rig.app.flow.visit is None and not rig.app.service.has_patient
    assert any("卡片被拔出" in t for t in rig.window.texts())  # the message, in Chinese
    assert patient_data(rig) == []
    rig.click("换一种方式")
    rig.wait_for(Screen.HOME)


def test_server_stopped_mid_flow_and_back(rig: Rig, demo: DemoGroup,
                                          rx: dict[str, object]) -> None:
    identify(rig, demo, rx)
    rig.click(str(rx["number"]))
    rig.wait_for(Screen.CHOOSE)
    rig.server.stop()
    rig.click("到药店自取")
    rig.wait_for(Screen.OUT_OF_SERVICE)
    assert rig.app.flow.visit is None
    # Logging out cannot reach the server; the token is dropped all the same.
    rig.qtbot.waitUntil(lambda: not rig.app.service.has_patient)
    assert patient_data(rig, str(rx["number"])) == []
    rig.server.start()
    rig.wait_for(Screen.HOME)


def test_a_late_answer_for_a_card_pulled_out_never_reaches_the_next_patient(
        rig: Rig, demo: DemoGroup, rx: dict[str, object]) -> None:
    """张伟's card is read slowly and pulled out; 李娜 puts hers in and is shown her own
    prescriptions, with her own token; 张伟's answer, arriving after, is dropped and his access
    ended on the server."""
    service = rig.app.service
    reading, release, first_done = threading.Event(), threading.Event(), threading.Event()
    identify_by_card, ended = service.identify_by_card, list[str]()

    def slow_for_zhang(card_type: str, card_number: str) -> Any:
        access = identify_by_card(card_type, card_number)
        if access.patient_name.startswith("张"):
            reading.set()
            assert release.wait(15)
            first_done.set()
        return access

    end_access = service.end_access

    def noted_end(token: str) -> None:
        ended.append(token)
        end_access(token)

    service.identify_by_card = slow_for_zhang  # type: ignore[method-assign]
    service.end_access = noted_end  # type: ignore[method-assign]
    rig.card.insert(patient_card(demo, "张伟"))
    rig.qtbot.waitUntil(reading.is_set, timeout=15000)  # the card read, the server answering
    rig.card.remove()
    rig.wait_for(Screen.CARD_ERROR)
    rig.card.insert(patient_card(demo, "李娜"))
    rig.wait_for(Screen.PRESCRIPTIONS)
    visit = rig.app.flow.visit
    assert visit is not None and visit.access.patient_name.startswith("李")
    release.set()
    assert first_done.wait(15)
    rig.qtbot.waitUntil(lambda: len(ended) == 1, timeout=15000)
    assert rig.app.flow.visit is visit and rig.screen is Screen.PRESCRIPTIONS
    assert ended[0] != visit.access.access_token
    assert service.take_patient() == visit.access.access_token  # hers is the current one
    assert patient_data(rig, str(rx["number"])) == []  # nothing of 张伟 on the screen


def test_an_order_answered_after_the_patient_left_changes_nothing(
        rig: Rig, demo: DemoGroup, rx: dict[str, object]) -> None:
    """The card comes out while the order's answer is on its way: it arrives on the home
    screen and is dropped; no exception, no visit, nothing of the patient shown."""
    service = rig.app.service
    placing, release, answered = threading.Event(), threading.Event(), threading.Event()
    choose = service.choose

    def slow_choose(*args: Any, **kw: Any) -> Any:
        order = choose(*args, **kw)  # placed on the server; the answer held back
        placing.set()
        assert release.wait(15)
        answered.set()
        return order

    service.choose = slow_choose  # type: ignore[method-assign]
    order_for_store_pickup(rig, demo, rx)
    rig.qtbot.waitUntil(placing.is_set, timeout=15000)
    rig.card.remove()
    rig.wait_for(Screen.HOME)
    release.set()
    assert answered.wait(15)
    rig.qtbot.wait(300)  # the answer's delivery to the GUI thread
    assert rig.screen is Screen.HOME and rig.app.flow.visit is None
    assert patient_data(rig, str(rx["number"])) == []
