"""ESC/POS bytes back into readable lines: what a receipt printer would have put on paper.

For tests (did the Chinese text reach the printer?) and for the demo ("printer output saved
as text"). Text is GB18030 (see `receipt`); commands are skipped by their known lengths;
codes and cuts become marker lines:

    [二维码] <data>      [条码 CODE128] <data>      [图像 <w>x<h>]      [切纸]

GB18030 never uses bytes below 0x30 inside a multi-byte character, so control bytes cannot be
confused with text.
"""

from __future__ import annotations

from common.hardware.printer.receipt import TEXT_ENCODING

ESC, GS, FS, DLE, LF, CR, HT, FF = 0x1B, 0x1D, 0x1C, 0x10, 0x0A, 0x0D, 0x09, 0x0C

# Parameter byte counts of fixed-length commands.
_ESC_PARAMS = {
    ord("@"): 0, ord("2"): 0, ord("<"): 0, ord("a"): 1, ord("E"): 1, ord("G"): 1, ord("M"): 1,
    ord("-"): 1, ord("!"): 1, ord("{"): 1, ord("t"): 1, ord("d"): 1, ord("J"): 1, ord("3"): 1,
    ord("R"): 1, ord("U"): 1, ord("V"): 1, ord("r"): 1, ord(" "): 1, ord("%"): 1, ord("="): 1,
    ord("$"): 2, ord("\\"): 2, ord("c"): 2, ord("B"): 2, ord("p"): 3, ord("i"): 0, ord("m"): 0,
}
_GS_PARAMS = {
    ord("!"): 1, ord("B"): 1, ord("H"): 1, ord("f"): 1, ord("h"): 1, ord("w"): 1, ord("b"): 1,
    ord("a"): 1, ord("r"): 1, ord("I"): 1, ord("L"): 2, ord("W"): 2, ord("P"): 2, ord("$"): 2,
}
_FS_PARAMS = {
    ord("&"): 0, ord("."): 0, ord("!"): 1, ord("-"): 1, ord("C"): 1, ord("W"): 1, ord("S"): 2,
    ord("p"): 2,
}
_BARCODE_NAMES = {73: "CODE128", 72: "CODE93", 69: "CODE39", 67: "EAN13", 68: "EAN8",
                  65: "UPC-A", 70: "ITF", 71: "CODABAR", 4: "CODE39", 2: "EAN13"}


def _code128_text(data: bytes) -> str:
    """Code128 data as python-escpos sends it: `{A`/`{B`/`{C` switch code sets; in set C
    each byte is two digits."""
    out, code_set, i = [], "B", 0
    while i < len(data):
        if data[i] == ord("{") and i + 1 < len(data) and chr(data[i + 1]) in "ABC":
            code_set = chr(data[i + 1])
            i += 2
            continue
        out.append(f"{data[i]:02d}" if code_set == "C" else chr(data[i]))
        i += 1
    return "".join(out)


class EscPosDecoder:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self._text = bytearray()

    def _end_line(self) -> None:
        self.lines.append(self._text.decode(TEXT_ENCODING, errors="replace"))
        self._text.clear()

    def _marker(self, text: str) -> None:
        if self._text:
            self._end_line()
        self.lines.append(text)

    def decode(self, data: bytes) -> list[str]:
        i, n = 0, len(data)
        while i < n:
            byte = data[i]
            if byte == LF or byte == FF:
                self._end_line()
                i += 1
            elif byte == HT:
                self._text += b"\t"
                i += 1
            elif byte == ESC and i + 1 < n:
                i = self._escape(data, i)
            elif byte == GS and i + 1 < n:
                i = self._group(data, i)
            elif byte == FS and i + 1 < n:
                i += 2 + _FS_PARAMS.get(data[i + 1], 0)
            elif byte == DLE and i + 1 < n:
                # Real-time commands: DLE EOT n, DLE ENQ n, DLE DC4 fn m t.
                i += 5 if data[i + 1] == 0x14 else 3
            elif byte < 0x20:
                i += 1
            else:
                self._text.append(byte)
                i += 1
        if self._text:
            self._end_line()
        return self.lines

    def _escape(self, data: bytes, i: int) -> int:
        command = data[i + 1]
        if command == ord("@") and self._text:
            self._end_line()  # a new job: what was left of the last one ends here
        if command == ord("*") and i + 4 < len(data):
            mode, count = data[i + 2], data[i + 3] | data[i + 4] << 8
            self._marker("[图像]")
            return i + 5 + count * (3 if mode in (32, 33) else 1)
        if command == ord("D"):
            end = data.find(b"\x00", i + 2)
            return len(data) if end < 0 else end + 1
        return i + 2 + _ESC_PARAMS.get(command, 0)

    def _group(self, data: bytes, i: int) -> int:
        command = data[i + 1]
        if command == ord("V"):
            self._marker("[切纸]")
            mode = data[i + 2] if i + 2 < len(data) else 0
            return i + (4 if mode in (65, 66, 97, 98, 103, 104) else 3)
        if command == ord("k") and i + 2 < len(data):
            kind = data[i + 2]
            if kind <= 6:
                end = data.find(b"\x00", i + 3)
                end = len(data) if end < 0 else end
                payload, nxt = data[i + 3:end], end + 1
            else:
                length = data[i + 3] if i + 3 < len(data) else 0
                payload, nxt = data[i + 4:i + 4 + length], i + 4 + length
            name = _BARCODE_NAMES.get(kind, f"#{kind}")
            text = _code128_text(payload) if name == "CODE128" else payload.decode("latin-1")
            self._marker(f"[条码 {name}] {text}")
            return nxt
        if command == ord("(") and i + 4 < len(data):
            function = data[i + 2]
            length = data[i + 3] | data[i + 4] << 8
            body = data[i + 5:i + 5 + length]
            # GS ( k cn=49 (QR) fn=80 (store) m=48: the code's data.
            if function == ord("k") and body[:3] == b"1P0":
                self._marker(f"[二维码] {body[3:].decode('utf-8', errors='replace')}")
            return i + 5 + length
        if command == ord("v") and i + 7 < len(data) and data[i + 2] == ord("0"):
            width = data[i + 4] | data[i + 5] << 8
            height = data[i + 6] | data[i + 7] << 8
            self._marker(f"[图像 {width * 8}x{height}]")
            return i + 8 + width * height
        if command == ord("8") and i + 6 < len(data) and data[i + 2] == ord("L"):
            length = int.from_bytes(data[i + 3:i + 7], "little")
            return i + 7 + length
        return i + 2 + _GS_PARAMS.get(command, 0)


def decode_escpos(data: bytes) -> list[str]:
    """The lines a printer would print for `data` (a whole job, or several)."""
    return EscPosDecoder().decode(data)
