"""The ESC/POS driver over a real pty pair, the printer simulator on the other end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from common.hardware import open_printer
from common.hardware.errors import (
    CoverOpen,
    PaperOut,
    PrinterNotResponding,
    PrinterOffline,
    PrinterUnavailable,
)
from common.hardware.printer.escpos_printer import EscPosPrinter
from common.hardware.printer.receipt import Barcode, Cut, QrCode, ReceiptElement, Text
from common.hardware.printer.simulator import SerialPrinterSimulator, VirtualPrinter
from common.hardware.ptypair import PtyPair

RECEIPT: list[ReceiptElement] = [
    Text("东城区人民医院 取药凭条", align="center", bold=True, large=True),
    Text("患者：张*\n取药号：A-017"),
    Text("阿莫西林胶囊 0.25g×24粒  2盒"),
    QrCode("RX-2024-000123"),
    Barcode("81234567890123456789"),
    Cut(),
]


@pytest.fixture
def simulator(pty_pair: PtyPair) -> Iterator[SerialPrinterSimulator]:
    simulator = SerialPrinterSimulator(pty_pair.b)
    yield simulator
    simulator.stop()


@pytest.fixture
def printer(pty_pair: PtyPair, simulator: SerialPrinterSimulator) -> Iterator[EscPosPrinter]:
    printer = open_printer(f"serial://{pty_pair.a}?baudrate=115200&timeout=0.5")
    yield printer
    printer.close()


def test_receipt_with_chinese_qr_barcode_and_cut(printer: EscPosPrinter,
                                                 simulator: SerialPrinterSimulator,
                                                 tmp_path: Path) -> None:
    status = printer.print(RECEIPT)
    assert status.ready and not status.paper_near_end
    printed = bytes(simulator.printer.printed)
    assert b"\x1c&" + b"\x1b!" in printed  # Chinese mode first, then the layout
    assert "取药凭条".encode("gb18030") in printed
    assert [line for line in simulator.printer.lines() if line] == [
        "东城区人民医院 取药凭条",
        "患者：张*",
        "取药号：A-017",
        "阿莫西林胶囊 0.25g×24粒  2盒",
        "[二维码] RX-2024-000123",
        "[条码 CODE128] 81234567890123456789",
        "[切纸]",
    ]
    simulator.printer.save_text(tmp_path / "receipt.txt")
    assert "阿莫西林胶囊" in (tmp_path / "receipt.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(("fault", "error"), [
    ("paper_out", PaperOut), ("cover_open", CoverOpen), ("offline", PrinterOffline),
    ("not_responding", PrinterNotResponding),
])
def test_a_fault_before_printing_prints_nothing(printer: EscPosPrinter,
                                                simulator: SerialPrinterSimulator,
                                                fault: str, error: type[Exception]) -> None:
    simulator.printer.inject(fault)
    with pytest.raises(error) as caught:
        printer.print(RECEIPT)
    assert not caught.value.after_printing  # type: ignore[attr-defined]
    assert simulator.printer.printed == b""


def test_paper_running_out_while_printing_is_reported(printer: EscPosPrinter,
                                                      simulator: SerialPrinterSimulator) -> None:
    simulator.printer.inject("paper_runs_out")
    assert printer.status().paper_near_end
    with pytest.raises(PaperOut) as caught:
        printer.print(RECEIPT)
    assert caught.value.after_printing
    assert "凭条可能不完整" in caught.value.message
    assert 0 < len(simulator.printer.printed) < 100
    assert printer.status().paper_out


def test_paper_near_end_prints_and_says_so(printer: EscPosPrinter,
                                           simulator: SerialPrinterSimulator) -> None:
    simulator.printer.inject("paper_near_end")
    status = printer.print([Text("近纸尽"), Cut()])
    assert status.paper_near_end and status.ready
    assert "近纸尽" in simulator.printer.lines()


def test_recovers_when_the_fault_is_cleared(printer: EscPosPrinter,
                                            simulator: SerialPrinterSimulator) -> None:
    simulator.printer.inject("cover_open")
    assert printer.status().cover_open
    simulator.printer.clear()
    printer.print([Text("恢复")])
    assert "恢复" in simulator.printer.lines()


def test_printer_unplugged() -> None:
    with PtyPair() as pair:
        simulator = SerialPrinterSimulator(pair.b, VirtualPrinter())
        printer = open_printer(f"serial://{pair.a}?timeout=0.3")
        simulator.stop()
        with pytest.raises(PrinterNotResponding):
            printer.print([Text("无人应答")])
        printer.close()
    with pytest.raises(PrinterUnavailable):
        open_printer("serial:///dev/rxp-no-such-printer")
