"""The receipt the kiosk prints after the patient chose: queue number (pickup), pickup code as
QR and text, the pharmacy, delivery details and the amounts. Also the staff's test page."""

from __future__ import annotations

from common.hardware.printer.receipt import Cut, Feed, QrCode, ReceiptElement, Text
from kiosk.flow import Payer, Visit
from kiosk.models import yuan


def visit_receipt(visit: Visit, *, kiosk_id: str, printed_at: str) -> list[ReceiptElement]:
    order = visit.order
    if order is None:
        raise ValueError("no order to print")
    parts: list[ReceiptElement] = [
        Text("处方取药凭条", align="center", bold=True, large=True),
        Text(f"处方号：{order.prescription_number}\n订单号：{order.number}"),
    ]
    if visit.queue_number:
        parts.append(Text(f"排队号：{visit.queue_number}", align="center", bold=True,
                          large=True))
    parts.append(Text(f"药店：{order.pharmacy_name}\n取药方式：{order.mode_label}"))
    if visit.pharmacy is not None and visit.pharmacy.address:
        parts.append(Text(f"药店地址：{visit.pharmacy.address}"))
    if order.appointment_at is not None:
        parts.append(Text(f"预约时间：{order.appointment_at:%Y-%m-%d %H:%M}"))
    if order.address:
        parts.append(Text(f"收货地址：{order.address}\n收货人：{order.recipient or ''}"))
    parts.append(Text(f"药品金额：{yuan(order.items_fen)}\n配送费：{yuan(order.delivery_fee_fen)}"
                      f"\n合计：{yuan(order.total_fen)}"))
    if visit.payer is Payer.COUNTER or not order.paid:
        parts.append(Text("付款方式：到药房窗口付款", bold=True))
    elif visit.payment is not None:
        p = visit.payment
        parts.append(Text(f"已在线支付：医保统筹 {yuan(p.fund_fen)}，个人账户 "
                          f"{yuan(p.personal_account_fen)}，自付 {yuan(p.cash_fen)}"))
    if order.pickup_code:
        parts += [Text(f"取药码：{order.pickup_code}", align="center", bold=True),
                  QrCode(order.pickup_qr or order.pickup_code)]
    parts += [Text(f"{kiosk_id}  {printed_at}", align="center"), Feed(3), Cut()]
    return parts


def test_page(*, kiosk_id: str, printed_at: str) -> list[ReceiptElement]:
    return [Text("自助机打印测试", align="center", bold=True, large=True),
            Text(f"{kiosk_id}  {printed_at}\n中文打印正常"), QrCode("RXP-TEST"), Feed(3), Cut()]
