"""The dispensing receipt (发药小票) of an order: on the counter's ESC/POS printer (Chinese in
GB18030, `common.hardware`), or as a PDF where there is no printer."""

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
        if line["not_dispensed_reason"]:
            lines.append(f"   未发药：{line['not_dispensed_reason']}")
        else:
            lines.append(f"   {line['dispensed']}/{line['quantity']}{line['unit']}  "
                         f"{yuan(line['unit_price_fen'] * line['dispensed'])}")
    lines.append("-" * WIDTH)
    lines.append(f"合计：{yuan(order['total_fen'])}  {'已支付' if order['paid'] else '未支付'}")
    lines.append(f"追溯码 {len(order['packages'])} 个")
    lines.append(f"发药人：{dispenser}")
    return lines


def receipt_for(order: Order, *, pharmacy: str, dispenser: str) -> list[ReceiptElement]:
    elements: list[ReceiptElement] = [Text(pharmacy, align="center", bold=True, large=True),
                                      Text("发药小票", align="center"), Feed(1)]
    elements += [Text(line) for line in receipt_lines(order, dispenser=dispenser)]
    elements += [Feed(1), Barcode(order["number"]), Text("请妥善保管，按医嘱用药", align="center"),
                 Feed(3), Cut()]
    return elements


def print_receipt(printer_url: str, order: Order, *, pharmacy: str,
                  dispenser: str) -> PrinterStatus:
    """Print on the configured printer; raises the printer's typed errors (Chinese messages)."""
    printer = open_printer(printer_url)
    try:
        return printer.print(receipt_for(order, pharmacy=pharmacy, dispenser=dispenser))
    finally:
        printer.close()


def save_pdf(path: Path, order: Order, *, pharmacy: str, dispenser: str) -> Path:
    """The receipt as a PDF (Qt's PDF writer: the app already has a CJK font)."""
    from PySide6.QtGui import QFont, QPageSize, QPainter, QPdfWriter

    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A5))
    writer.setResolution(150)
    painter: Any = QPainter(writer)
    try:
        painter.setFont(QFont(painter.font().family(), 11))
        y = 60
        for text in [pharmacy, "发药小票", *receipt_lines(order, dispenser=dispenser)]:
            painter.drawText(60, y, text)
            y += 40
    finally:
        painter.end()
    return path
