"""What a receipt is made of, and its ESC/POS bytes.

Chinese text is sent as raw GB18030 bytes after FS & (select Chinese character mode), which
every Chinese ESC/POS printer understands; python-escpos's code-page "magic" encoder knows
nothing of CJK, so it is bypassed for text. python-escpos still writes the layout commands,
the printer-native QR code (GS ( k), the Code128 barcode (GS k) and the cut (GS V).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from escpos.printer import Dummy

TEXT_ENCODING = "gb18030"
INIT = b"\x1b@"
CHINESE_MODE_ON = b"\x1c&"
CHINESE_MODE_OFF = b"\x1c."

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Text:
    text: str
    align: Align = "left"
    bold: bool = False
    large: bool = False


@dataclass(frozen=True)
class QrCode:
    data: str
    size: int = 6  # module size in dots, 1-16


@dataclass(frozen=True)
class Barcode:
    """A Code128 barcode (code set B: printable ASCII)."""

    data: str


@dataclass(frozen=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True)
class Cut:
    pass


ReceiptElement = Text | QrCode | Barcode | Feed | Cut


def render_escpos(receipt: Sequence[ReceiptElement]) -> bytes:
    out = Dummy()
    out._raw(INIT + CHINESE_MODE_ON)
    for element in receipt:
        if isinstance(element, Text):
            out.set(align=element.align, bold=element.bold, double_height=element.large,
                    double_width=element.large, normal_textsize=not element.large)
            for line in element.text.split("\n"):
                out._raw(line.encode(TEXT_ENCODING) + b"\n")
            out.set(align="left", bold=False, normal_textsize=True)
        elif isinstance(element, QrCode):
            out.qr(element.data, size=element.size, native=True)
            out._raw(b"\n")
        elif isinstance(element, Barcode):
            # The hardware renderer directly: the public barcode() prints a line to stdout.
            out._hw_barcode("{B" + element.data, "CODE128", function_type="B")
            out._raw(b"\n")
            out.set(align="left")
        elif isinstance(element, Feed):
            out.print_and_feed(element.lines)
        elif isinstance(element, Cut):
            out.cut()
    out._raw(CHINESE_MODE_OFF)
    return out.output
