"""The kiosk's one full-screen window: a page per `Screen`, rebuilt from the flow on every change.

Only the current page holds anything: every other page's content is deleted and its input
fields emptied on each change, so a page left behind (idle timeout, card pulled, server gone)
keeps none of the patient's data, not even hidden.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.app import KioskApp
from kiosk.flow import Payer, Screen, Visit
from kiosk.models import DeliveryMode, yuan
from kiosk.texts import fill
from kiosk.ui.widgets import STYLE, Keypad, QrView, button, clear_layout, label


class Page(QWidget):
    """A title, the flow's message, a body rebuilt on each render, and optional fixed inputs."""

    def __init__(self, title: str) -> None:
        super().__init__()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 32, 48, 32)
        outer.setSpacing(18)
        self.title = label(title, "title")
        self.message = label("", "message")
        self.message.hide()
        self.body = QVBoxLayout()
        self.body.setSpacing(14)
        self.fixed = QVBoxLayout()
        self.inputs: list[QLineEdit] = []
        outer.addWidget(self.title)
        outer.addWidget(self.message)
        outer.addLayout(self.body)
        outer.addLayout(self.fixed)
        outer.addStretch(1)

    def show_message(self, text: str | None) -> None:
        self.message.setText(text or "")
        self.message.setVisible(bool(text))

    def clear(self) -> None:
        clear_layout(self.body)
        self.show_message(None)
        for field in self.inputs:
            field.clear()

    def field(self, placeholder: str, *, max_length: int = 64, secret: bool = False
              ) -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        edit.setMaxLength(max_length)
        if secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.inputs.append(edit)
        return edit


class KioskWindow(QStackedWidget):
    def __init__(self, app: KioskApp, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.setWindowTitle(self.tr("Prescription self-service"))
        self.setStyleSheet(STYLE)
        self.pages: dict[Screen, Page] = {}
        titles = {
            Screen.HOME: self.tr("Collect your prescription"),
            Screen.IDENTIFYING: self.tr("Identification"),
            Screen.CARD_ERROR: self.tr("The card could not be read"),
            Screen.PRESCRIPTIONS: self.tr("My prescriptions"),
            Screen.CHOOSE: self.tr("Choose how and where to get your medicine"),
            Screen.PAY: self.tr("Payment"), Screen.PRINTING: self.tr("Printing the receipt"),
            Screen.DONE: self.tr("Done"), Screen.STATUS: self.tr("Prescription progress"),
            Screen.OUT_OF_SERVICE: self.tr("Out of service"),
            Screen.MAINTENANCE: self.tr("Maintenance"),
        }
        for screen, title in titles.items():
            self.pages[screen] = Page(title)
            self.addWidget(self.pages[screen])
        self._build_home_inputs()
        self._build_address_inputs()
        app.changed.connect(self.show_flow)
        app.home_idle.connect(self.on_app_home_idle)
        self.show_flow()

    # -- fixed inputs --------------------------------------------------------------------------

    def _build_home_inputs(self) -> None:
        home = self.pages[Screen.HOME]
        self.id_number = home.field(self.tr("ID card number"), max_length=18)
        self.sms_code = home.field(self.tr("SMS code"), max_length=6)
        self.pin = home.field(self.tr("Maintenance PIN"), max_length=12, secret=True)
        self.sms_panel = QWidget()
        panel = QVBoxLayout(self.sms_panel)
        row = QHBoxLayout()
        row.addWidget(self.id_number)
        row.addWidget(self.sms_code)
        panel.addLayout(row)
        self.id_keypad = Keypad(self.id_number, extra="X", submit_text=self.tr("Send me a code"))
        self.id_keypad.submitted.connect(self.on_id_keypad_submitted)
        self.code_keypad = Keypad(self.sms_code, submit_text=self.tr("Verify"))
        self.code_keypad.submitted.connect(self.on_code_keypad_submitted)
        panel.addWidget(self.id_keypad)
        panel.addWidget(self.code_keypad)
        self.sms_panel.hide()
        self.pin_panel = QWidget()
        pin_layout = QVBoxLayout(self.pin_panel)
        pin_layout.addWidget(self.pin)
        pin_keypad = Keypad(self.pin, submit_text=self.tr("Open maintenance"))
        pin_keypad.submitted.connect(self.on_pin_keypad_submitted)
        pin_layout.addWidget(pin_keypad)
        self.pin_panel.hide()
        for keypad in (self.id_keypad, self.code_keypad, pin_keypad):
            self._touch_on_keys(keypad)
        self.sms_button = button(self.tr("No card? Use your ID number and an SMS code"),
                                 secondary=True)
        self.sms_button.clicked.connect(self.on_sms_button_clicked)
        self.staff_button = button(self.tr("Staff maintenance"), name="staff")
        self.staff_button.clicked.connect(self.on_staff_button_clicked)
        home.fixed.addWidget(self.sms_button)
        home.fixed.addWidget(self.sms_panel)
        home.fixed.addWidget(self.pin_panel)
        home.fixed.addWidget(self.staff_button, alignment=Qt.AlignmentFlag.AlignRight)

    def _build_address_inputs(self) -> None:
        choose = self.pages[Screen.CHOOSE]
        self.address_panel = QWidget()
        form = QVBoxLayout(self.address_panel)
        form.addWidget(label(self.tr("Delivery details (this city)"), "hint"))
        self.address_detail = choose.field(self.tr("Address (street, number, building, flat)"),
                                           max_length=200)
        self.recipient = choose.field(self.tr("Recipient's name"), max_length=50)
        self.recipient_phone = choose.field(self.tr("Recipient's mobile number"), max_length=11)
        for edit in (self.address_detail, self.recipient, self.recipient_phone):
            form.addWidget(edit)
        phone_keypad = Keypad(self.recipient_phone, submit_text=self.tr("Address complete"))
        phone_keypad.submitted.connect(lambda _: self.on_confirm_clicked())
        self._touch_on_keys(phone_keypad)
        form.addWidget(phone_keypad)
        self.address_panel.hide()
        choose.fixed.addWidget(self.address_panel)

    def _touch_on_keys(self, keypad: Keypad) -> None:
        """Typing is using the kiosk: the idle time starts again."""
        for key in keypad.keys.values():
            key.clicked.connect(self.app.flow.touch)

    # -- words ---------------------------------------------------------------------------------

    def mode_label(self, mode: DeliveryMode) -> str:
        return {DeliveryMode.HOSPITAL_DELIVERY: self.tr("Delivery to the hospital pickup point"),
                DeliveryMode.STORE_PICKUP: self.tr("Pick up at the pharmacy"),
                DeliveryMode.COURIER: self.tr("Courier to my home")}[mode]

    def stock_label(self, stock: str) -> str:
        return {"in_stock": self.tr("In stock"), "low": self.tr("Low stock"),
                "out_of_stock": self.tr("Out of stock"),
                "unknown": self.tr("Stock unknown")}.get(stock, stock)

    # -- rendering -----------------------------------------------------------------------------

    def show_flow(self) -> None:
        flow = self.app.flow
        for screen, page in self.pages.items():
            if screen is not flow.screen:
                page.clear()
        page = self.pages[flow.screen]
        clear_layout(page.body)
        page.show_message(flow.message.text(QCoreApplication.translate) if flow.message
                          else None)
        self.sms_panel.setVisible(flow.screen is Screen.HOME and self.sms_panel.isVisible())
        self.address_panel.setVisible(False)
        getattr(self, f"_render_{flow.screen.value}")(page, flow.visit)
        self.setCurrentWidget(page)

    def _render_home(self, page: Page, visit: Visit | None) -> None:
        page.body.addWidget(label(self.tr("Insert your social insurance card or hospital card"),
                                  "big"))
        page.body.addWidget(label(self.tr("Or hold the QR code on your prescription slip to "
                                          "the scanner"), "hint"))
        if self.app.sms_phone:
            page.body.addWidget(label(fill(self.tr("The code was sent to %1"),
                                           self.app.sms_phone), "hint"))

    def _render_identifying(self, page: Page, visit: Visit | None) -> None:
        page.body.addWidget(label(self.tr("Please wait…"), "big"))

    def _render_card_error(self, page: Page, visit: Visit | None) -> None:
        page.body.addWidget(label(self.tr("Take the card out and insert it again, or identify "
                                          "another way"), "hint"))
        other = button(self.tr("Another way"), secondary=True)
        other.clicked.connect(self.app.back)
        page.body.addWidget(other)

    def _render_prescriptions(self, page: Page, visit: Visit | None) -> None:
        assert visit is not None
        page.body.addWidget(label(fill(self.tr("Hello, %1"), visit.access.patient_name),
                                  "title"))
        if not visit.prescriptions:
            page.body.addWidget(label(self.tr("No prescriptions to handle"), "big"))
        for rx in visit.prescriptions:
            drugs = "\n".join(f"{line.generic_name} {line.specification} × "
                               f"{line.quantity}{line.unit}" for line in rx.lines)
            text = fill(self.tr("%1  %2\n%3 %4, Dr %5  Amount %6\n%7"), rx.number,
                        rx.status.patient_label, rx.hospital, rx.department, rx.doctor,
                        yuan(rx.amount_fen), drugs)
            item = button(text, name="option")
            item.clicked.connect(lambda _=False, i=rx.id: self.app.select_prescription(i))
            page.body.addWidget(item)
        page.body.addWidget(self._leave_button())

    def _leave_button(self) -> QWidget:
        leave = button(self.tr("Sign out"), secondary=True)
        leave.clicked.connect(self.app.leave)
        return leave

    def _render_choose(self, page: Page, visit: Visit | None) -> None:
        assert visit is not None and visit.prescription is not None
        page.body.addWidget(label(fill(self.tr("Prescription %1  Medicines %2"),
                                       visit.prescription.number,
                                       yuan(visit.prescription.amount_fen)), "hint"))
        modes = QHBoxLayout()
        for mode in DeliveryMode:
            choice = button(self.mode_label(mode))
            choice.setCheckable(True)
            choice.setChecked(visit.mode is mode)
            choice.clicked.connect(lambda _=False, m=mode: self.app.choose_mode(m))
            modes.addWidget(choice)
        page.body.addLayout(modes)
        for option in visit.options:
            distance = ("" if option.distance_km is None else
                        fill(self.tr("  %1 km away"), f"{option.distance_km:.1f}"))
            hours = self.tr("Open") if option.open_now else self.tr("Closed")
            # A line each: a button's text does not wrap, and the screen is narrow.
            fee = ("" if option.delivery_fee_fen is None else
                   "\n" + fill(self.tr("Delivery fee %1"), yuan(option.delivery_fee_fen))
                   + (f"\n{option.fee_rule}" if option.fee_rule else ""))
            text = (f"{option.name}{distance}\n{hours} {option.hours_today or ''}  "
                    f"{self.stock_label(option.stock)}{fee}")
            item = button(text, name="option")
            item.setCheckable(True)
            item.setChecked(visit.pharmacy is not None
                            and visit.pharmacy.pharmacy_id == option.pharmacy_id)
            item.clicked.connect(lambda _=False, o=option.pharmacy_id: self.on_option_clicked(o))
            page.body.addWidget(item)
        if visit.pharmacy is not None and visit.mode is not DeliveryMode.COURIER:
            slots = QHBoxLayout()
            for text, at in self._appointment_slots():
                slot = button(text, secondary=at != visit.appointment_at)
                slot.clicked.connect(lambda _=False, a=at: self.app.choose_pharmacy(
                    visit.pharmacy.pharmacy_id if visit.pharmacy else None, appointment_at=a))
                slots.addWidget(slot)
            page.body.addWidget(label(self.tr("Pickup time"), "hint"))
            page.body.addLayout(slots)
        self.address_panel.setVisible(visit.mode is DeliveryMode.COURIER
                                      and visit.pharmacy is not None)
        actions = QHBoxLayout()
        back = button(self.tr("Back"), secondary=True)
        back.clicked.connect(self.app.back)
        confirm = button(self.tr("Confirm"))
        confirm.setObjectName("confirm")
        confirm.clicked.connect(self.on_confirm_clicked)
        confirm.setEnabled(visit.pharmacy is not None)
        actions.addWidget(back)
        actions.addWidget(confirm)
        page.body.addLayout(actions)

    def _appointment_slots(self) -> list[tuple[str, datetime | None]]:
        tomorrow = (self.app.now() + timedelta(days=1)).replace(minute=0, second=0,
                                                                microsecond=0)
        return [(self.tr("As soon as possible"), None),
                (self.tr("Tomorrow 9 am"), tomorrow.replace(hour=9)),
                (self.tr("Tomorrow 2 pm"), tomorrow.replace(hour=14))]

    def _render_pay(self, page: Page, visit: Visit | None) -> None:
        assert visit is not None and visit.order is not None
        order = visit.order
        page.body.addWidget(label(fill(self.tr("%1  %2\nMedicines %3  Delivery %4"),
                                       order.pharmacy_name, order.mode_label,
                                       yuan(order.items_fen), yuan(order.delivery_fee_fen))))
        page.body.addWidget(label(fill(self.tr("Total %1"), yuan(order.total_fen)), "big"))
        if visit.payment is None:
            row = QHBoxLayout()
            online = button(self.tr("Pay with your phone"))
            online.clicked.connect(self.app.pay_online)
            row.addWidget(online)
            if visit.can_pay_at_counter:
                counter = button(self.tr("Pay at the pharmacy counter"), secondary=True)
                counter.clicked.connect(self.app.pay_at_counter)
                row.addWidget(counter)
            page.body.addLayout(row)
        else:
            p = visit.payment
            page.body.addWidget(label(fill(
                self.tr("Insurance fund %1  Personal account %2  You pay %3"),
                yuan(p.fund_fen), yuan(p.personal_account_fen), yuan(p.cash_fen))))
            qr = QrView()
            qr.set_data(p.qr_payload or "")
            page.body.addWidget(qr, alignment=Qt.AlignmentFlag.AlignHCenter)
            page.body.addWidget(label(self.tr("Waiting for the payment…"), "hint"))
        page.body.addWidget(self._leave_button())

    def _render_printing(self, page: Page, visit: Visit | None) -> None:
        page.body.addWidget(label(self.tr("Printing, please wait…"), "big"))

    def _render_done(self, page: Page, visit: Visit | None) -> None:
        assert visit is not None and visit.order is not None
        order = visit.order
        if visit.queue_number:
            page.body.addWidget(label(fill(self.tr("Queue number %1"), visit.queue_number),
                                      "big"))
        page.body.addWidget(label(f"{order.pharmacy_name}  {order.mode_label}"))
        if visit.payer is Payer.COUNTER and not order.paid:
            page.body.addWidget(label(fill(self.tr("Please pay %1 at the pharmacy counter"),
                                           yuan(order.total_fen))))
        if visit.print_fault and order.pickup_code:
            page.body.addWidget(label(fill(self.tr("Pickup code %1"), order.pickup_code),
                                      "big"))
            qr = QrView()
            qr.set_data(order.pickup_qr or order.pickup_code)
            page.body.addWidget(qr, alignment=Qt.AlignmentFlag.AlignHCenter)
        finish = button(self.tr("Finish"))
        finish.clicked.connect(self.app.leave)
        page.body.addWidget(finish)

    def _render_status(self, page: Page, visit: Visit | None) -> None:
        assert visit is not None and visit.order is not None
        order = visit.order
        page.body.addWidget(label(f"{order.prescription_number}  {order.status.patient_label}",
                                  "big"))
        page.body.addWidget(label(f"{order.pharmacy_name}  {order.mode_label}"
                                  + (fill(self.tr("  Tracking number %1"),
                                          order.tracking_number)
                                     if order.tracking_number else "")))
        for event in order.events:
            page.body.addWidget(label(f"{event.occurred_at:%m-%d %H:%M}  {event.description}"
                                      f"  {event.location or ''}", "hint"))
        back = button(self.tr("Back"), secondary=True)
        back.clicked.connect(self.app.back)
        page.body.addWidget(back)

    def _render_out_of_service(self, page: Page, visit: Visit | None) -> None:
        page.body.addWidget(label(self.tr("The system is under maintenance: please go to a "
                                          "staffed counter"), "big"))
        page.body.addWidget(label(self.tr("This screen goes back to the start by itself once "
                                          "the service is back"), "hint"))

    def _render_maintenance(self, page: Page, visit: Visit | None) -> None:
        row = QHBoxLayout()
        for text, action in ((self.tr("Device self-test"), self.app.self_test),
                             (self.tr("Print a test page"), self.app.test_print),
                             (self.tr("Leave maintenance"), self.app.close_maintenance)):
            item = button(text)
            item.clicked.connect(action)
            row.addWidget(item)
        page.body.addLayout(row)
        for line in self.app.self_test_report:
            page.body.addWidget(label(line))
        page.body.addWidget(label(self.tr("Recent faults"), "title"))
        alerts = list(self.app.flow.alerts)[-8:]
        for alert in reversed(alerts):
            page.body.addWidget(label(f"[{alert.kind}] "
                                      f"{alert.message.text(QCoreApplication.translate)}",
                                      "hint"))
        if not alerts:
            page.body.addWidget(label(self.tr("None"), "hint"))

    # -- slots ---------------------------------------------------------------------------------

    def on_app_home_idle(self) -> None:
        for edit in self.pages[Screen.HOME].inputs:
            edit.clear()
        self.sms_panel.hide()
        self.pin_panel.hide()
        self.show_flow()

    def on_sms_button_clicked(self) -> None:
        self.pin_panel.hide()
        self.sms_panel.setVisible(not self.sms_panel.isVisible())
        self.app.flow.touch()

    def on_staff_button_clicked(self) -> None:
        self.sms_panel.hide()
        self.pin_panel.setVisible(not self.pin_panel.isVisible())

    def on_id_keypad_submitted(self, id_number: str) -> None:
        self.app.request_sms_code(id_number)

    def on_code_keypad_submitted(self, code: str) -> None:
        self.app.identify_by_sms(self.id_number.text(), code)
        self.sms_panel.hide()

    def on_pin_keypad_submitted(self, pin: str) -> None:
        self.pin.clear()
        self.pin_panel.hide()
        self.app.open_maintenance(pin)

    def on_option_clicked(self, pharmacy_id: object) -> None:
        self.app.choose_pharmacy(pharmacy_id)

    def on_confirm_clicked(self) -> None:
        visit = self.app.flow.visit
        if visit is None or visit.pharmacy is None:
            return
        if visit.mode is DeliveryMode.COURIER:
            address = {"region_code": self.app.region_code,
                       "detail": self.address_detail.text().strip(),
                       "recipient": self.recipient.text().strip(),
                       "phone": self.recipient_phone.text().strip()}
            if not all(address.values()):
                self.pages[Screen.CHOOSE].show_message(
                    self.tr("Please fill in every delivery detail"))
                return
            self.app.choose_pharmacy(visit.pharmacy.pharmacy_id, address=address)
        self.app.place_order()

    def texts(self) -> list[str]:
        """Every text the window holds, shown or not (for the privacy tests)."""
        found = [w.text() for w in self.findChildren(QLabel)]
        found += [w.text() for w in self.findChildren(QLineEdit)]
        found += [w.text() for w in self.findChildren(QPushButton)]
        return [t for t in found if t]
