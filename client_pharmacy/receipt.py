"""The dispensing receipt (发药小票) of an order and a label (药品标签) per dispensed line: on the
counter's ESC/POS printer (Chinese in GB18030, `common.hardware`), or as a PDF where there is no
printer or the patient wants a copy.

Both are Chinese documents in the form the pharmacy hands out, so their wording is fixed here
rather than translated with the screens. The patient appears as the server masked them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from client_pharmacy.counter import Order, yuan
from common.hardware import open_printer
from common.hardware.printer.receipt import Barcode, Cut, Feed, ReceiptElement, Text
from common.hardware.printer.status import PrinterStatus

WIDTH = 32  # characters of a 58 mm roll (a Chinese character takes two)


def receipt_lines(order: Order, *, dispenser: str) -> list[str]:
    """The receipt as plain text lines (the printer and the PDF share them)."""
    lines = [
        f"订单号：{order['number']}",
        f"处方号：{order['prescription_number']}",
        f"患者：{order['patient_name']}",
        f"取药方式：{order['mode_label']}",
    ]
    if order.get("queue_number"):
        lines.append(f"排队号：{order['queue_number']}")
    lines.append("-" * WIDTH)
    for line in order["lines"]:
        lines.append(f"{line['line_no']}. {line['generic_name']} {line['specification']}")
        lines.append(f"   {line['dispensed']}/{line['quantity']}{line['unit']}  "
                     f"{yuan(line['unit_price_fen'] * line['dispensed'])}")
        if line["not_dispensed_reason"]:
            lines.append(f"   未发药：{line['not_dispensed_reason']}")
    lines.append("-" * WIDTH)
    lines.append(f"合计：{yuan(order['total_fen'])}  {'已支付' if order['paid'] else '未支付'}")
    lines.append(f"追溯码 {len(order['packages'])} 个")
    lines.append(f"发药人：{dispenser}")
    return lines


def dispensed_lines(order: Order) -> list[dict[str, Any]]:
    return [line for line in order["lines"] if line["dispensed"] > 0]


def label_lines(order: Order, line: dict[str, Any], *, pharmacy: str) -> list[str]:
    """One line's label, stuck on its packages."""
    batches = sorted({p["batch"] for p in order["packages"] if p["line_id"] == line["id"]})
    return [
        f"{line['generic_name']}  {line['specification']}",
        f"数量：{line['dispensed']}{line['unit']}",
        f"批号：{'、'.join(batches) or '—'}",
        f"患者：{order['patient_name']}",
        f"订单号：{order['number']}",
        pharmacy,
    ]


def receipt_for(order: Order, *, pharmacy: str, dispenser: str) -> list[ReceiptElement]:
    elements: list[ReceiptElement] = [Text(pharmacy, align="center", bold=True, large=True),
                                      Text("发药小票", align="center"), Feed(1)]
    elements += [Text(line) for line in receipt_lines(order, dispenser=dispenser)]
    elements += [Feed(1), Barcode(order["number"]), Text("请妥善保管，按医嘱用药", align="center"),
                 Feed(3), Cut()]
    return elements


def labels_for(order: Order, *, pharmacy: str) -> list[ReceiptElement]:
    elements: list[ReceiptElement] = []
    for line in dispensed_lines(order):
        elements += [Text("药品标签", align="center", bold=True)]
        elements += [Text(text) for text in label_lines(order, line, pharmacy=pharmacy)]
        elements += [Feed(2), Cut()]
    return elements


def print_receipt(printer_url: str, order: Order, *, pharmacy: str,
                  dispenser: str) -> PrinterStatus:
    """The receipt, then a label per dispensed line, on the configured printer; raises the
    printer's typed errors (Chinese messages). Blocking: call it on a worker."""
    printer = open_printer(printer_url)
    try:
        return printer.print(receipt_for(order, pharmacy=pharmacy, dispenser=dispenser)
                             + labels_for(order, pharmacy=pharmacy))
    finally:
        printer.close()


def save_pdf(path: Path, order: Order, *, pharmacy: str, dispenser: str) -> Path:
    """The receipt on the first page and one label per dispensed line on the pages after it
    (Qt's PDF writer: the app already has a CJK font). Call on the GUI thread."""
    from PySide6.QtGui import QFont, QPageSize, QPainter, QPdfWriter

    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A5))
    writer.setResolution(150)
    writer.setTitle(f"发药小票 {order['number']}")
    pages = [[pharmacy, "发药小票", *receipt_lines(order, dispenser=dispenser)]]
    pages += [["药品标签", *label_lines(order, line, pharmacy=pharmacy)]
              for line in dispensed_lines(order)]
    painter: Any = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write {path}")
    try:
        painter.setFont(QFont(painter.font().family(), 9))
        for number, page in enumerate(pages):
            if number:
                writer.newPage()
            y = 50
            for text in page:
                painter.drawText(40, y, text)
                y += 32
    finally:
        painter.end()
    return path
