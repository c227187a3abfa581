"""The dispensing screen against the live server: a line partly dispensed and the rest not
dispensed with a reason, nothing dispensed at all, the keyboard-wedge scanner told apart from
typing, and the receipt with its labels as a PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from client_pharmacy.counter import ScanOutcome
from client_pharmacy.ui.widgets import cell
from client_pharmacy.ui.window import PharmacyWindow
from tests.client_pharmacy.conftest import CHECKER, Journey, code_for

WAIT = 15_000
REASON = "库存不足，患者同意先取部分"


def accepted(qtbot: QtBot, window: PharmacyWindow, journey: Journey, patient: str = "张伟"
             ) -> dict:
    """A new order of `patient`, accepted from the inbox: the dispensing screen shows it."""
    _, order = journey.order(journey.approved(patient=patient), patient=patient)
    inbox = window.inbox_view
    with qtbot.waitSignal(inbox.loaded, timeout=WAIT):
        inbox.refresh()
    inbox.select_number(order["number"])
    with qtbot.waitSignal(inbox.opened, timeout=WAIT):
        inbox.accept_button.click()
    assert window.tabs.currentWidget() is window.dispensing_view
    return order


def test_partial_dispense_with_a_reason_then_receipt_and_labels_as_pdf(
        qtbot: QtBot, counter_window: PharmacyWindow, journey: Journey,
        prefixes: dict[str, str], tmp_path: Path) -> None:
    window = counter_window
    order = accepted(qtbot, window, journey)
    view = window.dispensing_view
    assert view.dispensing is not None
    line = view.dispensing.lines()[0]
    assert line["quantity"] >= 2, line
    view.batch.setText("B2026007")
    view.expiry.setText("2028-06-30")
    view.lines.selectRow(0)
    with qtbot.waitSignal(view.scan_done, timeout=WAIT) as done:
        assert view.scan(code_for(prefixes, line, 71))
    assert done.args[0].outcome is ScanOutcome.ACCEPTED
    assert cell(view.lines, 0, 4) == "1"

    # Completing with the line short and unexplained is refused, in the server's words.
    view.checker.setText(CHECKER)
    view.complete_button.click()
    qtbot.waitUntil(lambda: "尚未扫码完成" in view.feedback.text(), timeout=WAIT)
    assert view.dispensing.order["dispensed_at"] is None

    view.reason_for = lambda: REASON
    view.not_dispensed_button.click()
    qtbot.waitUntil(lambda: REASON in cell(view.lines, 0, 4), timeout=WAIT)
    left = line["quantity"] - 1
    assert view.feedback.text() == f"第 1 行：{left}{line['unit']} 未发药（{REASON}）"
    assert cell(view.lines, 0, 4) == f"1，未发药：{REASON}"

    with qtbot.waitSignal(view.completed, timeout=WAIT) as completed:
        view.complete_button.click()
    dispensed = completed.args[0]
    assert dispensed["dispensed_at"] and dispensed["state"] == "active"
    assert dispensed["lines"][0]["dispensed"] == 1
    assert dispensed["lines"][0]["not_dispensed_reason"] == REASON
    assert view.feedback.text() == f"部分发药完成：{order['number']}（1 行未足量）"
    assert dispensed["status"]["code"] == "ready_for_pickup"

    window.choose_pdf_path = lambda name: str(tmp_path / name)
    view.pdf_button.click()
    pdf = tmp_path / f"{order['number']}.pdf"
    assert view.feedback.text() == f"小票和标签已存为 PDF：{pdf}"
    document = QPdfDocument()
    assert document.load(str(pdf)) == QPdfDocument.Error.None_
    assert document.pageCount() == 2  # the receipt, and the label of the one dispensed line
    receipt = document.getAllText(0).text()
    assert order["number"] in receipt and f"未发药：{REASON}" in receipt
    assert "张*" in receipt and "张伟" not in receipt
    label = document.getAllText(1).text()
    assert "药品标签" in label and "B2026007" in label and line["generic_name"] in label
    document.close()


def test_nothing_dispensed_closes_the_order_with_the_reason(
        qtbot: QtBot, counter_window: PharmacyWindow, journey: Journey) -> None:
    order = accepted(qtbot, counter_window, journey, patient="李娜")
    view = counter_window.dispensing_view
    view.lines.selectRow(0)
    view.reason_for = lambda: "该药品已停产"
    view.not_dispensed_button.click()
    qtbot.waitUntil(lambda: "该药品已停产" in cell(view.lines, 0, 4), timeout=WAIT)
    view.checker.setText(CHECKER)
    with qtbot.waitSignal(view.completed, timeout=WAIT) as completed:
        view.complete_button.click()
    closed = completed.args[0]
    assert closed["state"] == "completed" and closed["status"]["code"] == "not_dispensed"
    assert view.feedback.text() == f"未发药：订单 {order['number']} 已结束"


@pytest.fixture
def shown(qtbot: QtBot, counter_window: PharmacyWindow) -> PharmacyWindow:
    counter_window.show()
    qtbot.waitExposed(counter_window)
    return counter_window


def test_wedge_scanner_in_the_dispensing_screen_is_told_apart_from_typing(
        qtbot: QtBot, shown: PharmacyWindow, journey: Journey,
        prefixes: dict[str, str]) -> None:
    accepted(qtbot, shown, journey)
    view = shown.dispensing_view
    assert view.dispensing is not None
    line = view.dispensing.lines()[0]
    view.batch.setText("B2026008")
    view.expiry.setText("2028-06-30")
    view.checker.setFocus()
    QApplication.processEvents()
    code = code_for(prefixes, line, 81)
    # A scanner in keyboard mode: the whole code in one fast burst ending in Enter, typed into
    # whichever field has the focus; it is a scan, not the checker's name.
    with qtbot.waitSignal(view.scan_done, timeout=WAIT) as done:
        qtbot.keyClicks(view.checker, code)
        qtbot.keyClick(view.checker, Qt.Key.Key_Return)
    assert done.args[0].outcome is ScanOutcome.ACCEPTED and done.args[0].code == code
    assert view.checker.text() == "" and view.code.text() == ""
    assert code in cell(view.lines, 0, 5)
    # A person typing the checker's name: keys 80 ms apart stay in the field.
    for char in CHECKER:
        qtbot.keyClick(view.checker, char, delay=80)
    qtbot.waitUntil(lambda: view.checker.text() == CHECKER, timeout=5000)
    assert view.dispensing.lines()[0]["dispensed"] == 1
    shown.close()


def test_each_refusal_is_told_apart_on_screen(
        qtbot: QtBot, counter_window: PharmacyWindow, journey: Journey,
        prefixes: dict[str, str]) -> None:
    accepted(qtbot, counter_window, journey, patient="刘洋")
    view = counter_window.dispensing_view
    assert view.dispensing is not None
    line = view.dispensing.lines()[0]
    other = next(p for p in prefixes if p != line["product_id"])

    def scan(code: str, batch: str, expiry: str) -> ScanOutcome:
        view.batch.setText(batch)
        view.expiry.setText(expiry)
        with qtbot.waitSignal(view.scan_done, timeout=WAIT) as done:
            assert view.scan(code)
        outcome: ScanOutcome = done.args[0].outcome
        return outcome

    wrong = code_for(prefixes, {"product_id": other}, 91)
    assert scan(wrong, "B1", "2028-06-30") is ScanOutcome.WRONG_PRODUCT
    assert view.feedback.text().startswith("✘ 药品不符：")
    assert scan(code_for(prefixes, line, 92), "B1", "2020-01-31") is ScanOutcome.EXPIRED
    assert view.feedback.text().startswith("✘ 批次已过期：")
    assert scan(code_for(prefixes, line, 93), "", "") is ScanOutcome.NEEDS_BATCH
    assert view.feedback.text().startswith("✘ 请补充批号/有效期：")
    for n in range(line["quantity"]):
        assert scan(code_for(prefixes, line, 100 + n), "B1", "2028-06-30") is (
            ScanOutcome.ACCEPTED)
    assert scan(code_for(prefixes, line, 200), "B1", "2028-06-30") is ScanOutcome.TOO_MANY
    assert view.feedback.text().startswith("✘ 数量已够：")
    assert cell(view.lines, 0, 4) == str(line["quantity"])
    # A package scanned by mistake comes off the line again (before completion).
    last = view.dispensing.codes_of(line["id"])[-1]
    view.lines.selectRow(0)
    view.unscan_button.click()
    qtbot.waitUntil(lambda: cell(view.lines, 0, 4) == str(line["quantity"] - 1), timeout=WAIT)
    assert view.feedback.text() == f"已撤销 {last}" and last not in cell(view.lines, 0, 5)
