"""The receipt the kiosk prints after the patient chose: queue number (pickup), pickup code as
QR and text, the pharmacy, delivery details and the amounts. Also the staff's test page.

The words go through `translate` (the app passes `QCoreApplication.translate`, so the receipt is
in the kiosk's language like its screens; see kiosk/texts.py)."""

from __future__ import annotations

from common.hardware.printer.receipt import Cut, Feed, QrCode, ReceiptElement, Text
from kiosk.flow import Payer, Visit
from kiosk.models import yuan
from kiosk.texts import QT_TRANSLATE_NOOP, Translate, fill, untranslated

CONTEXT = "KioskReceipt"


def visit_receipt(visit: Visit, *, kiosk_id: str, printed_at: str,
                  translate: Translate = untranslated) -> list[ReceiptElement]:
    order = visit.order
    if order is None:
        raise ValueError("no order to print")

    def say(source: str, *args: object) -> str:
        return fill(translate(CONTEXT, source), *args)

    parts: list[ReceiptElement] = [
        Text(say(QT_TRANSLATE_NOOP("KioskReceipt", "Prescription pickup receipt")),
             align="center", bold=True, large=True),
        Text(say(QT_TRANSLATE_NOOP("KioskReceipt", "Prescription: %1\nOrder: %2"),
                 order.prescription_number, order.number)),
    ]
    if visit.queue_number:
        parts.append(Text(say(QT_TRANSLATE_NOOP("KioskReceipt", "Queue number: %1"),
                              visit.queue_number), align="center", bold=True, large=True))
    parts.append(Text(say(QT_TRANSLATE_NOOP("KioskReceipt", "Pharmacy: %1\nDelivery: %2"),
                          order.pharmacy_name, order.mode_label)))
    if visit.pharmacy is not None and visit.pharmacy.address:
        parts.append(Text(say(QT_TRANSLATE_NOOP("KioskReceipt", "Pharmacy address: %1"),
                              visit.pharmacy.address)))
    if order.appointment_at is not None:
        parts.append(Text(say(QT_TRANSLATE_NOOP("KioskReceipt", "Appointment: %1"),
                              f"{order.appointment_at:%Y-%m-%d %H:%M}")))
    if order.address:
        parts.append(Text(say(QT_TRANSLATE_NOOP("KioskReceipt",
                                                "Delivery address: %1\nRecipient: %2"),
                              order.address, order.recipient or "")))
    parts.append(Text(say(QT_TRANSLATE_NOOP("KioskReceipt",
                                            "Medicines: %1\nDelivery fee: %2\nTotal: %3"),
                          yuan(order.items_fen), yuan(order.delivery_fee_fen),
                          yuan(order.total_fen))))
    if visit.payer is Payer.COUNTER or not order.paid:
        parts.append(Text(say(QT_TRANSLATE_NOOP("KioskReceipt",
                                                "Payment: at the pharmacy counter")), bold=True))
    elif visit.payment is not None:
        p = visit.payment
        parts.append(Text(say(QT_TRANSLATE_NOOP(
            "KioskReceipt", "Paid online: insurance fund %1, personal account %2, cash %3"),
            yuan(p.fund_fen), yuan(p.personal_account_fen), yuan(p.cash_fen))))
    if order.pickup_code:
        parts += [Text(say(QT_TRANSLATE_NOOP("KioskReceipt", "Pickup code: %1"),
                           order.pickup_code), align="center", bold=True),
                  QrCode(order.pickup_qr or order.pickup_code)]
    parts += [Text(f"{kiosk_id}  {printed_at}", align="center"), Feed(3), Cut()]
    return parts


def test_page(*, kiosk_id: str, printed_at: str,
              translate: Translate = untranslated) -> list[ReceiptElement]:
    title = translate(CONTEXT, QT_TRANSLATE_NOOP("KioskReceipt", "Kiosk printer test"))
    check = translate(CONTEXT, QT_TRANSLATE_NOOP("KioskReceipt", "Chinese prints correctly"))
    return [Text(title, align="center", bold=True, large=True),
            Text(f"{kiosk_id}  {printed_at}\n{check}"), QrCode("RXP-TEST"), Feed(3), Cut()]
