"""The `sim://` printer: the real driver over a virtual printer, every fault."""

from __future__ import annotations

import pytest

from common.hardware import open_printer
from common.hardware.errors import (
    CoverOpen,
    DeviceUrlError,
    PaperOut,
    PrinterNotResponding,
    PrinterOffline,
)
from common.hardware.printer.receipt import Cut, Feed, Text
from common.hardware.printer.simulator import SimulatedPrinter

FAULTS = [("paper_out", PaperOut), ("cover_open", CoverOpen), ("offline", PrinterOffline),
          ("not_responding", PrinterNotResponding)]


def sim(url: str = "sim://") -> SimulatedPrinter:
    printer = open_printer(url)
    assert isinstance(printer, SimulatedPrinter)
    return printer


@pytest.mark.parametrize(("fault", "error"), FAULTS)
def test_faults_from_the_url(fault: str, error: type[Exception]) -> None:
    printer = sim(f"sim://?fault={fault}")
    with pytest.raises(error):
        printer.print([Text("不会打印")])
    assert printer.lines() == []


@pytest.mark.parametrize(("fault", "error"), FAULTS)
def test_faults_injected(fault: str, error: type[Exception]) -> None:
    printer = sim()
    printer.print([Text("第一张")])
    printer.inject(fault)
    with pytest.raises(error):
        printer.print([Text("第二张")])
    assert printer.lines() == ["第一张"]


def test_cover_open_wins_over_paper_out_and_offline() -> None:
    printer = sim("sim://?fault=paper_out,cover_open")
    status = printer.status()
    assert status.offline and status.paper_out and status.cover_open
    assert isinstance(status.fault(), CoverOpen)


def test_paper_runs_out_and_near_end() -> None:
    printer = sim("sim://?fault=paper_near_end")
    assert printer.print([Text("近纸尽也能打印"), Feed(2), Cut()]).paper_near_end
    printer.inject("paper_runs_out")
    with pytest.raises(PaperOut) as caught:
        printer.print([Text("很长的凭条" * 10)])
    assert caught.value.after_printing
    printer.clear()
    printer.print([Text("换纸后")])
    assert printer.lines()[-1] == "换纸后"


def test_unknown_fault() -> None:
    with pytest.raises(DeviceUrlError):
        open_printer("sim://?fault=smoke")
    with pytest.raises(ValueError, match="unknown printer fault"):
        sim().inject("smoke")
