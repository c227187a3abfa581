from __future__ import annotations

from common.hardware.printer.decode import decode_escpos
from common.hardware.printer.receipt import Barcode, QrCode, Text, render_escpos


def test_receipt_round_trip() -> None:
    data = render_escpos([Text("取药号 17", large=True), QrCode("处方二维码"), Barcode("ABC-1")])
    assert [line for line in decode_escpos(data) if line] == [
        "取药号 17", "[二维码] 处方二维码", "[条码 CODE128] ABC-1"]


def test_commands_printers_get_from_other_drivers() -> None:
    raster = b"\x1dv0\x00\x02\x00\x03\x00" + b"\x0a\x1b\x10" * 2  # 16x3 dots, looks like text
    code128_set_c = b"\x1dkI\x05{C\x0c\x22\x38"  # 12 34 56 in code set C
    data = (b"\x1b@\x1c&" + "第一行".encode("gb18030") + b"\r\n" + raster + code128_set_c
            + b"\x1b*\x00\x02\x00\xff\xff" + b"end\n" + b"\x1dVA\x10")
    assert decode_escpos(data) == [
        "第一行", "[图像 16x3]", "[条码 CODE128] 123456", "[图像]", "end", "[切纸]"]
