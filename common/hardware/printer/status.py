"""DLE EOT real-time status (ESC/POS): the printer answers one byte per query, at once,
even while it is busy or faulted.

    n=1 printer status    bit 3: offline
    n=2 offline cause     bit 2: cover open, bit 5: stopped by paper end, bit 6: error
    n=4 paper sensor      bits 2+3: paper roll near end, bits 5+6: paper roll end

Every answer has bits 1 and 4 set and bits 0 and 7 clear (`0x12` with the flags ORed in),
which tells a status byte from noise.
"""

from __future__ import annotations

from dataclasses import dataclass

from common.hardware.errors import CoverOpen, PaperOut, PrinterError, PrinterOffline

DLE_EOT = b"\x10\x04"
STATUS_QUERIES = (1, 2, 4)
_FIXED = 0x12
_FIXED_MASK = 0x93


def is_status_byte(value: int) -> bool:
    return value & _FIXED_MASK == _FIXED


@dataclass(frozen=True)
class PrinterStatus:
    offline: bool = False
    cover_open: bool = False
    paper_out: bool = False
    paper_near_end: bool = False
    error: bool = False

    @property
    def ready(self) -> bool:
        return self.fault() is None

    def fault(self, *, after_printing: bool = False) -> PrinterError | None:
        """The error this status means, the most specific first (a printer with its cover open
        or out of paper also reports itself offline)."""
        if self.cover_open:
            return CoverOpen(after_printing=after_printing)
        if self.paper_out:
            return PaperOut(after_printing=after_printing)
        if self.offline or self.error:
            return PrinterOffline(after_printing=after_printing)
        return None

    def raise_for_fault(self, *, after_printing: bool = False) -> None:
        error = self.fault(after_printing=after_printing)
        if error is not None:
            raise error

    def answer(self, n: int) -> int:
        """The byte a printer in this state answers to DLE EOT n."""
        value = _FIXED
        if n == 1 and self.offline:
            value |= 0x08
        elif n == 2:
            value |= (0x04 if self.cover_open else 0) | (0x20 if self.paper_out else 0)
            value |= 0x40 if self.error else 0
        elif n == 4:
            value |= (0x0C if self.paper_near_end else 0) | (0x60 if self.paper_out else 0)
        return value

    @classmethod
    def from_answers(cls, answers: dict[int, int]) -> PrinterStatus:
        printer, cause, paper = answers[1], answers[2], answers[4]
        return cls(
            offline=bool(printer & 0x08),
            cover_open=bool(cause & 0x04),
            paper_out=bool(cause & 0x20) or bool(paper & 0x60),
            paper_near_end=bool(paper & 0x0C),
            error=bool(cause & 0x40),
        )
