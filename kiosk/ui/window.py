"""The kiosk's one full-screen window: a page per `Screen`, rebuilt from the flow on every change.

Only the current page holds anything: every other page's content is deleted and its input
fields emptied on each change, so a page left behind (idle timeout, card pulled, server gone)
keeps none of the patient's data, not even hidden.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt
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
from kiosk.ui.widgets import STYLE, Keypad, QrView, button, clear_layout, label

STOCK = {"in_stock": "有货", "low": "库存紧张", "out_of_stock": "缺货", "unknown": "库存未知"}


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
        self.setWindowTitle("处方自助服务")
        self.setStyleSheet(STYLE)
        self.pages: dict[Screen, Page] = {}
        titles = {
            Screen.HOME: "处方自助取药", Screen.IDENTIFYING: "身份验证",
            Screen.CARD_ERROR: "读卡未成功", Screen.PRESCRIPTIONS: "我的处方",
            Screen.CHOOSE: "选择取药方式和药店", Screen.PAY: "支付", Screen.PRINTING: "打印凭条",
            Screen.DONE: "办理完成", Screen.STATUS: "处方进度查询",
            Screen.OUT_OF_SERVICE: "暂停服务", Screen.MAINTENANCE: "维护模式",
        }
        for screen, title in titles.items():
            self.pages[screen] = Page(title)
            self.addWidget(self.pages[screen])
        self._build_home_inputs()
        self._build_address_inputs()
        app.changed.connect(self.show_flow)
        self.show_flow()

    # -- fixed inputs --------------------------------------------------------------------------

    def _build_home_inputs(self) -> None:
        home = self.pages[Screen.HOME]
        self.id_number = home.field("身份证号码", max_length=18)
        self.sms_code = home.field("短信验证码", max_length=6)
        self.pin = home.field("维护密码", max_length=12, secret=True)
        self.sms_panel = QWidget()
        panel = QVBoxLayout(self.sms_panel)
        row = QHBoxLayout()
        row.addWidget(self.id_number)
        row.addWidget(self.sms_code)
        panel.addLayout(row)
        self.id_keypad = Keypad(self.id_number, extra="X", submit_text="获取验证码")
        self.id_keypad.submitted.connect(self.on_id_keypad_submitted)
        self.code_keypad = Keypad(self.sms_code, submit_text="验证")
        self.code_keypad.submitted.connect(self.on_code_keypad_submitted)
        panel.addWidget(self.id_keypad)
        panel.addWidget(self.code_keypad)
        self.sms_panel.hide()
        self.pin_panel = QWidget()
        pin_layout = QVBoxLayout(self.pin_panel)
        pin_layout.addWidget(self.pin)
        pin_keypad = Keypad(self.pin, submit_text="进入维护")
        pin_keypad.submitted.connect(self.on_pin_keypad_submitted)
        pin_layout.addWidget(pin_keypad)
        self.pin_panel.hide()
        self.sms_button = button("没有卡？用身份证号 + 短信验证码", secondary=True)
        self.sms_button.clicked.connect(self.on_sms_button_clicked)
        self.staff_button = button("工作人员维护", name="staff")
        self.staff_button.clicked.connect(self.on_staff_button_clicked)
        home.fixed.addWidget(self.sms_button)
        home.fixed.addWidget(self.sms_panel)
        home.fixed.addWidget(self.pin_panel)
        home.fixed.addWidget(self.staff_button, alignment=Qt.AlignmentFlag.AlignRight)

    def _build_address_inputs(self) -> None:
        choose = self.pages[Screen.CHOOSE]
        self.address_panel = QWidget()
        form = QVBoxLayout(self.address_panel)
        form.addWidget(label("快递收货信息（地区：本市）", "hint"))
        self.address_detail = choose.field("详细地址（街道、门牌、楼号、室）", max_length=200)
        self.recipient = choose.field("收货人姓名", max_length=50)
        self.recipient_phone = choose.field("收货人手机号", max_length=11)
        for edit in (self.address_detail, self.recipient, self.recipient_phone):
            form.addWidget(edit)
        phone_keypad = Keypad(self.recipient_phone, submit_text="填好了")
        phone_keypad.submitted.connect(lambda _: self.on_confirm_clicked())
        form.addWidget(phone_keypad)
        self.address_panel.hide()
        choose.fixed.addWidget(self.address_panel)

    # -- rendering -----------------------------------------------------------------------------

    def show_flow(self) -> None:
        flow = self.app.flow
        for screen, page in self.pages.items():
            if screen is not flow.screen:
                page.clear()
        page = self.pages[flow.screen]
        clear_layout(page.body)
        page.show_message(flow.message)
        self.sms_panel.setVisible(flow.screen is Screen.HOME and self.sms_panel.isVisible())
        self.address_panel.setVisible(False)
        getattr(self, f"_render_{flow.screen.value}")(page, flow.visit)
        self.setCurrentWidget(page)

    def _render_home(self, page: Page, visit: Visit | None) -> None:
        page.body.addWidget(label("请插入社保卡（医保卡）或就诊卡", "big"))
        page.body.addWidget(label("也可以将处方单上的二维码对准扫码口", "hint"))
        if self.app.sms_phone:
            page.body.addWidget(label(f"验证码已发送至 {self.app.sms_phone}", "hint"))

    def _render_identifying(self, page: Page, visit: Visit | None) -> None:
        page.body.addWidget(label("请稍候…", "big"))

    def _render_card_error(self, page: Page, visit: Visit | None) -> None:
        page.body.addWidget(label("请取出卡片后重新插入，或换一种方式验证身份", "hint"))
        other = button("换一种方式", secondary=True)
        other.clicked.connect(self.app.back)
        page.body.addWidget(other)

    def _render_prescriptions(self, page: Page, visit: Visit | None) -> None:
        assert visit is not None
        page.body.addWidget(label(f"您好，{visit.access.patient_name}", "title"))
        if not visit.prescriptions:
            page.body.addWidget(label("没有可办理的处方", "big"))
        for rx in visit.prescriptions:
            drugs = "；".join(f"{line.generic_name} {line.specification} × {line.quantity}"
                             f"{line.unit}" for line in rx.lines)
            text = (f"{rx.number}  {rx.status.patient_label}\n{rx.hospital} {rx.department} "
                    f"{rx.doctor}医生  金额 {yuan(rx.amount_fen)}\n{drugs}")
            item = button(text, name="option")
            item.clicked.connect(lambda _=False, i=rx.id: self.app.select_prescription(i))
            page.body.addWidget(item)
        page.body.addWidget(self._leave_button())

    def _leave_button(self) -> QWidget:
        leave = button("退出", secondary=True)
        leave.clicked.connect(self.app.leave)
        return leave

    def _render_choose(self, page: Page, visit: Visit | None) -> None:
        assert visit is not None and visit.prescription is not None
        page.body.addWidget(label(f"处方 {visit.prescription.number}  药品金额 "
                                  f"{yuan(visit.prescription.amount_fen)}", "hint"))
        modes = QHBoxLayout()
        for mode in DeliveryMode:
            choice = button(mode.label)
            choice.setCheckable(True)
            choice.setChecked(visit.mode is mode)
            choice.clicked.connect(lambda _=False, m=mode: self.app.choose_mode(m))
            modes.addWidget(choice)
        page.body.addLayout(modes)
        for option in visit.options:
            distance = "" if option.distance_km is None else f"  距离 {option.distance_km:.1f} 公里"
            hours = "营业中" if option.open_now else "休息中"
            fee = ("" if option.delivery_fee_fen is None
                   else f"  快递费 {yuan(option.delivery_fee_fen)}（{option.fee_rule or ''}）")
            text = (f"{option.name}{distance}\n{hours} {option.hours_today or ''}  "
                    f"{STOCK.get(option.stock, option.stock)}{fee}")
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
            page.body.addWidget(label("预约取药时间", "hint"))
            page.body.addLayout(slots)
        self.address_panel.setVisible(visit.mode is DeliveryMode.COURIER
                                      and visit.pharmacy is not None)
        actions = QHBoxLayout()
        back = button("返回", secondary=True)
        back.clicked.connect(self.app.back)
        confirm = button("确认选择")
        confirm.setObjectName("confirm")
        confirm.clicked.connect(self.on_confirm_clicked)
        confirm.setEnabled(visit.pharmacy is not None)
        actions.addWidget(back)
        actions.addWidget(confirm)
        page.body.addLayout(actions)

    def _appointment_slots(self) -> list[tuple[str, datetime | None]]:
        tomorrow = (self.app.now() + timedelta(days=1)).replace(minute=0, second=0,
                                                                microsecond=0)
        return [("尽快", None), ("明天上午 9 点", tomorrow.replace(hour=9)),
                ("明天下午 2 点", tomorrow.replace(hour=14))]

    def _render_pay(self, page: Page, visit: Visit | None) -> None:
        assert visit is not None and visit.order is not None
        order = visit.order
        page.body.addWidget(label(
            f"{order.pharmacy_name}  {order.mode_label}\n药品 {yuan(order.items_fen)}  "
            f"配送费 {yuan(order.delivery_fee_fen)}"))
        page.body.addWidget(label(f"合计 {yuan(order.total_fen)}", "big"))
        if visit.payment is None:
            row = QHBoxLayout()
            online = button("手机扫码支付")
            online.clicked.connect(self.app.pay_online)
            counter = button("到药房窗口付款", secondary=True)
            counter.clicked.connect(self.app.pay_at_counter)
            row.addWidget(online)
            row.addWidget(counter)
            page.body.addLayout(row)
        else:
            p = visit.payment
            page.body.addWidget(label(f"医保统筹 {yuan(p.fund_fen)}  个人账户 "
                                      f"{yuan(p.personal_account_fen)}  "
                                      f"需自付 {yuan(p.cash_fen)}"))
            qr = QrView()
            qr.set_data(p.qr_payload or "")
            page.body.addWidget(qr, alignment=Qt.AlignmentFlag.AlignHCenter)
            page.body.addWidget(label("等待支付结果…", "hint"))
        page.body.addWidget(self._leave_button())

    def _render_printing(self, page: Page, visit: Visit | None) -> None:
        page.body.addWidget(label("正在打印，请稍候…", "big"))

    def _render_done(self, page: Page, visit: Visit | None) -> None:
        assert visit is not None and visit.order is not None
        order = visit.order
        if visit.queue_number:
            page.body.addWidget(label(f"排队号 {visit.queue_number}", "big"))
        page.body.addWidget(label(f"{order.pharmacy_name}  {order.mode_label}"))
        if visit.payer is Payer.COUNTER and not order.paid:
            page.body.addWidget(label(f"请到药房窗口付款 {yuan(order.total_fen)}"))
        if visit.print_fault and order.pickup_code:
            page.body.addWidget(label(f"取药码 {order.pickup_code}", "big"))
            qr = QrView()
            qr.set_data(order.pickup_qr or order.pickup_code)
            page.body.addWidget(qr, alignment=Qt.AlignmentFlag.AlignHCenter)
        finish = button("完成")
        finish.clicked.connect(self.app.leave)
        page.body.addWidget(finish)

    def _render_status(self, page: Page, visit: Visit | None) -> None:
        assert visit is not None and visit.order is not None
        order = visit.order
        page.body.addWidget(label(f"{order.prescription_number}  {order.status.patient_label}",
                                  "big"))
        page.body.addWidget(label(f"{order.pharmacy_name}  {order.mode_label}"
                                  + (f"  运单号 {order.tracking_number}"
                                     if order.tracking_number else "")))
        for event in order.events:
            page.body.addWidget(label(f"{event.occurred_at:%m-%d %H:%M}  {event.description}"
                                      f"  {event.location or ''}", "hint"))
        back = button("返回", secondary=True)
        back.clicked.connect(self.app.back)
        page.body.addWidget(back)

    def _render_out_of_service(self, page: Page, visit: Visit | None) -> None:
        page.body.addWidget(label("系统维护中，请到人工窗口办理", "big"))
        page.body.addWidget(label("恢复后将自动返回首页", "hint"))

    def _render_maintenance(self, page: Page, visit: Visit | None) -> None:
        row = QHBoxLayout()
        for text, action in (("设备自检", self.app.self_test), ("打印测试页", self.app.test_print),
                             ("退出维护", self.app.close_maintenance)):
            item = button(text)
            item.clicked.connect(action)
            row.addWidget(item)
        page.body.addLayout(row)
        for line in self.app.self_test_report:
            page.body.addWidget(label(line))
        page.body.addWidget(label("最近的故障", "title"))
        alerts = list(self.app.flow.alerts)[-8:]
        for alert in reversed(alerts):
            page.body.addWidget(label(f"[{alert.kind}] {alert.message}", "hint"))
        if not alerts:
            page.body.addWidget(label("无", "hint"))

    # -- slots ---------------------------------------------------------------------------------

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
                self.pages[Screen.CHOOSE].show_message("请填写完整的收货信息")
                return
            self.app.choose_pharmacy(visit.pharmacy.pharmacy_id, address=address)
        self.app.place_order()

    def texts(self) -> list[str]:
        """Every text the window holds, shown or not (for the privacy tests)."""
        found = [w.text() for w in self.findChildren(QLabel)]
        found += [w.text() for w in self.findChildren(QLineEdit)]
        found += [w.text() for w in self.findChildren(QPushButton)]
        return [t for t in found if t]
