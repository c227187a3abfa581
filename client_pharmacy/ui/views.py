"""The counter's screens: thin widgets over `client_pharmacy.counter`.

They show what the presenters say and forward clicks; every refusal of the server is shown in
its own Chinese words next to what it is about.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client_pharmacy.counter import (
    Counter,
    Dispensing,
    Inbox,
    Order,
    ScanFeedback,
    ScanOutcome,
    yuan,
)
from client_pharmacy.gs1 import prefill
from common.api.errors import ApiError

OK_STYLE = "color: #2e7d32; font-weight: bold;"
ERROR_STYLE = "color: #c62828; font-weight: bold; font-size: 14pt;"
MODES = {"courier": "快递配送", "store_pickup": "到店自取"}
ALERT_STYLE = "background: #fff3e0; color: #e65100; font-weight: bold; padding: 6px;"


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setVisible(False)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""


def _dispensed(line: dict[str, Any]) -> str:
    reason = line["not_dispensed_reason"]
    return f"未发药：{reason}" if reason else str(line["dispensed"])


def countdown_text(seconds: int | None) -> str:
    if seconds is None:
        return "已接单"
    if seconds <= 0:
        return "已超时"
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class InboxView(QWidget):
    """Live orders; a new one flashes a banner and beeps. Accept, or return with a reason."""

    opened = Signal(object)  # the accepted order, to dispense

    def __init__(self, inbox: Inbox, ask_reason: Callable[[], str | None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.inbox = inbox
        self.ask_reason = ask_reason or self._ask_reason
        self.alert = QLabel("")
        self.alert.setStyleSheet(ALERT_STYLE)
        self.alert.setVisible(False)
        self.table = _table(["订单号", "处方号", "状态", "方式", "金额", "支付", "接单倒计时"])
        self.accept_button = QPushButton(self.tr("接单"))
        self.return_button = QPushButton(self.tr("退单"))
        self.dispense_button = QPushButton(self.tr("配药"))
        self.message = QLabel("")
        buttons = QHBoxLayout()
        for b in (self.accept_button, self.return_button, self.dispense_button):
            buttons.addWidget(b)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(self.alert)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.accept_button.clicked.connect(self.on_accept_button_clicked)
        self.return_button.clicked.connect(self.on_return_button_clicked)
        self.dispense_button.clicked.connect(self.on_dispense_button_clicked)
        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self.update_countdowns)
        self.ticker.start()

    def refresh(self) -> None:
        try:
            orders = self.inbox.refresh()
        except ApiError as error:
            self.message.setText(error.message)
            return
        _fill(self.table, [[o["number"], o["prescription_number"], o["status"]["label"],
                            MODES.get(o["mode"], str(o["mode"])),
                            yuan(o["total_fen"]), "已支付" if o["paid"] else "未支付", ""]
                           for o in orders])
        self.update_countdowns()

    def update_countdowns(self) -> None:
        for row, order in enumerate(self.inbox.orders[:self.table.rowCount()]):
            item = self.table.item(row, 6)
            if item is not None:
                item.setText(countdown_text(self.inbox.countdown(order)))

    def show_alert(self, text: str) -> None:
        self.alert.setText(text)
        self.alert.setVisible(True)
        QApplication.beep()

    def selected(self) -> Order | None:
        row = self.table.currentRow()
        return self.inbox.orders[row] if 0 <= row < len(self.inbox.orders) else None

    def select_number(self, number: str) -> None:
        for row, order in enumerate(self.inbox.orders):
            if order["number"] == number:
                self.table.selectRow(row)

    def on_accept_button_clicked(self) -> None:
        order = self.selected()
        if order is None:
            return
        try:
            accepted = self.inbox.accept(order["id"])
        except ApiError as error:
            self.message.setText(error.message)
            return
        self.message.setText(f"已接单：{accepted['number']}")
        self.alert.setVisible(False)
        self.refresh()
        self.opened.emit(accepted)

    def on_return_button_clicked(self) -> None:
        order = self.selected()
        reason = self.ask_reason() if order is not None else None
        if order is None or not reason:
            return
        try:
            self.inbox.give_back(order["id"], reason)
        except ApiError as error:
            self.message.setText(error.message)
            return
        self.message.setText(f"已退单：{order['number']}（{reason}）")
        self.refresh()

    def on_dispense_button_clicked(self) -> None:
        order = self.selected()
        if order is not None and order["accepted_at"] is not None:
            self.opened.emit(self.inbox.api.call("GET", f"/pharmacy/orders/{order['id']}"))

    def _ask_reason(self) -> str | None:
        text, ok = QInputDialog.getText(self, self.tr("退单"), self.tr("退单原因："))
        return text.strip() if ok else None


class DispensingView(QWidget):
    """The picking list: every package scanned, feedback at once, checker, completion."""

    completed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dispensing: Dispensing | None = None
        self.header = QLabel(self.tr("请在订单页选择订单"))
        self.lines = _table(["行", "药品", "规格", "应发", "已扫", "追溯码"])
        self.code = QLineEdit()
        self.code.setPlaceholderText(self.tr("扫描或输入追溯码后回车"))
        self.batch = QLineEdit()
        self.expiry = QLineEdit()
        self.expiry.setPlaceholderText("YYYY-MM-DD")
        self.feedback = QLabel("")
        self.feedback.setWordWrap(True)
        self.dispenser = QLabel("")
        self.checker = QLineEdit()
        self.checker.setPlaceholderText(self.tr("核对人用户名"))
        self.not_dispensed_button = QPushButton(self.tr("选中行未发药"))
        self.complete_button = QPushButton(self.tr("完成发药"))
        self.print_button = QPushButton(self.tr("打印小票"))
        form = QFormLayout()
        form.addRow(self.tr("追溯码"), self.code)
        form.addRow(self.tr("批号"), self.batch)
        form.addRow(self.tr("有效期至"), self.expiry)
        form.addRow(self.tr("发药人"), self.dispenser)
        form.addRow(self.tr("核对人"), self.checker)
        buttons = QHBoxLayout()
        for b in (self.not_dispensed_button, self.complete_button, self.print_button):
            buttons.addWidget(b)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.lines)
        layout.addLayout(form)
        layout.addWidget(self.feedback)
        layout.addLayout(buttons)
        self.code.returnPressed.connect(self.on_code_return_pressed)
        self.code.textChanged.connect(self.on_code_text_changed)
        self.not_dispensed_button.clicked.connect(self.on_not_dispensed_button_clicked)
        self.complete_button.clicked.connect(self.on_complete_button_clicked)
        self.reason_for: Callable[[], str | None] = self._ask_reason

    def show_order(self, dispensing: Dispensing) -> None:
        self.dispensing = dispensing
        self.dispenser.setText(dispensing.dispenser)
        self.show_lines()

    def show_lines(self) -> None:
        if self.dispensing is None:
            return
        order = self.dispensing.order
        self.header.setText(f"订单 {order['number']}　患者 {order['patient_name']}　"
                            f"{order['mode_label']}　{order['status']['label']}")
        _fill(self.lines, [[str(line["line_no"]), line["generic_name"], line["specification"],
                            f"{line['quantity']}{line['unit']}",
                            _dispensed(line),
                            " ".join(self.dispensing.codes_of(line["id"]))]
                           for line in self.dispensing.lines()])

    def on_code_text_changed(self, text: str) -> None:
        filled = prefill(text)
        if filled.batch:
            self.batch.setText(filled.batch)
        if filled.expiry:
            self.expiry.setText(filled.expiry.isoformat())

    def on_code_return_pressed(self) -> None:
        self.scan(self.code.text())

    def scan(self, code: str) -> ScanFeedback | None:
        """A code from any source: the field, the wedge, a serial or camera scanner."""
        if self.dispensing is None or not code.strip():
            return None
        self.on_code_text_changed(code)
        try:
            expiry = date.fromisoformat(self.expiry.text().strip()) if self.expiry.text() else None
        except ValueError:
            self.show_feedback(ScanFeedback(ScanOutcome.INVALID, code, "有效期格式应为 YYYY-MM-DD"))
            return None
        row = self.lines.currentRow()
        lines = self.dispensing.lines()
        line_id = lines[row]["id"] if 0 <= row < len(lines) else None
        result = self.dispensing.scan(code, batch=self.batch.text().strip() or None,
                                      expiry=expiry, line_id=line_id)
        if result.ok:
            self.code.clear()
            self.show_lines()
        self.show_feedback(result)
        return result

    def show_feedback(self, result: ScanFeedback) -> None:
        titles = {ScanOutcome.REUSED: "追溯码已被使用，拒绝", ScanOutcome.WRONG_PRODUCT: "药品不符",
                  ScanOutcome.EXPIRED: "批次已过期", ScanOutcome.TOO_MANY: "数量已够",
                  ScanOutcome.NEEDS_BATCH: "请补充批号/有效期", ScanOutcome.INVALID: "无法登记"}
        if result.ok:
            self.feedback.setStyleSheet(OK_STYLE)
            self.feedback.setText(f"✔ {result.message}")
        else:
            self.feedback.setStyleSheet(ERROR_STYLE)
            self.feedback.setText(f"✘ {titles[result.outcome]}：{result.message}（{result.code}）")
            QApplication.beep()

    def on_not_dispensed_button_clicked(self) -> None:
        row = self.lines.currentRow()
        if self.dispensing is None or row < 0:
            return
        reason = self.reason_for()
        if not reason:
            return
        try:
            self.dispensing.not_dispensed(self.dispensing.lines()[row]["id"], reason)
        except ApiError as error:
            self.feedback.setText(error.message)
        self.show_lines()

    def on_complete_button_clicked(self) -> None:
        if self.dispensing is None:
            return
        try:
            order = self.dispensing.complete(self.checker.text().strip())
        except ApiError as error:
            self.feedback.setStyleSheet(ERROR_STYLE)
            self.feedback.setText(error.message)
            return
        self.feedback.setStyleSheet(OK_STYLE)
        self.feedback.setText(f"发药完成：{order['number']}")
        self.show_lines()
        self.completed.emit(order)

    def _ask_reason(self) -> str | None:
        text, ok = QInputDialog.getText(self, self.tr("未发药"), self.tr("未发药原因："))
        return text.strip() if ok else None


class CounterView(QWidget):
    """Pickup by code or QR, handover, courier dispatch and its tracking, counter payment,
    the queue."""

    def __init__(self, counter: Counter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counter = counter
        self.order: Order | None = None
        self.pickup_code = QLineEdit()
        self.pickup_code.setPlaceholderText(self.tr("患者取药码或扫描取药二维码"))
        self.find_button = QPushButton(self.tr("查找订单"))
        self.summary = QLabel(self.tr("未选择订单"))
        self.summary.setWordWrap(True)
        self.handover_button = QPushButton(self.tr("核对无误，交付患者"))
        self.dispatch_button = QPushButton(self.tr("交快递出库"))
        self.receipt_no = QLineEdit()
        self.receipt_no.setPlaceholderText(self.tr("收款凭证号"))
        self.payment_button = QPushButton(self.tr("登记线下收款"))
        self.call_button = QPushButton(self.tr("叫号"))
        self.called = QLabel("")
        self.called.setStyleSheet("font-size: 20pt; font-weight: bold;")
        self.events = QListWidget()
        self.message = QLabel("")
        find = QHBoxLayout()
        find.addWidget(self.pickup_code)
        find.addWidget(self.find_button)
        pay = QHBoxLayout()
        pay.addWidget(self.receipt_no)
        pay.addWidget(self.payment_button)
        actions = QHBoxLayout()
        for w in (self.handover_button, self.dispatch_button, self.call_button, self.called):
            actions.addWidget(w)
        actions.addStretch()
        layout = QVBoxLayout(self)
        layout.addLayout(find)
        layout.addWidget(self.summary)
        layout.addLayout(pay)
        layout.addLayout(actions)
        layout.addWidget(QLabel(self.tr("物流跟踪")))
        layout.addWidget(self.events)
        layout.addWidget(self.message)
        self.find_button.clicked.connect(self.on_find_button_clicked)
        self.pickup_code.returnPressed.connect(self.on_find_button_clicked)
        self.handover_button.clicked.connect(self.on_handover_button_clicked)
        self.dispatch_button.clicked.connect(self.on_dispatch_button_clicked)
        self.payment_button.clicked.connect(self.on_payment_button_clicked)
        self.call_button.clicked.connect(self.on_call_button_clicked)

    def show_order(self, order: Order) -> None:
        self.order = order
        parts = [f"订单 {order['number']}", f"患者 {order['patient_name']}",
                 f"电话 {order['patient_phone'] or '—'}", order["mode_label"],
                 order["status"]["label"], yuan(order["total_fen"]),
                 "已支付" if order["paid"] else "未支付"]
        if order.get("tracking_number"):
            parts.append(f"运单号 {order['tracking_number']}")
        if order.get("outbound_number"):
            parts.append(f"出库单 {order['outbound_number']}")
        self.summary.setText("　".join(parts))
        self.events.clear()
        for event in order.get("events", []):
            self.events.addItem(f"{event['occurred_at'][:16].replace('T', ' ')}　"
                                f"{event['description']}　{event['location'] or ''}")

    def _run(self, action: Callable[[], Any], done: str) -> None:
        try:
            result = action()
        except ApiError as error:
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setText(error.message)
            return
        self.message.setStyleSheet(OK_STYLE)
        self.message.setText(done)
        if isinstance(result, dict):
            self.show_order(result)

    def on_find_button_clicked(self) -> None:
        code = self.pickup_code.text()
        if code.strip():
            self._run(lambda: self.counter.find_by_pickup_code(code), "已找到订单，请核对患者信息")

    def on_handover_button_clicked(self) -> None:
        order, code = self.order, self.pickup_code.text()
        if order is not None:
            self._run(lambda: self.counter.hand_over(order["id"], code), "已交付患者")

    def on_dispatch_button_clicked(self) -> None:
        order = self.order
        if order is not None:
            self._run(lambda: self.counter.dispatch(order["id"]), "已交快递并登记出库")

    def on_payment_button_clicked(self) -> None:
        order, receipt_no = self.order, self.receipt_no.text()
        if order is not None:
            self._run(lambda: self.counter.register_offline_payment(order["id"], receipt_no),
                      "已登记线下收款")

    def on_call_button_clicked(self) -> None:
        def call() -> None:
            number = self.counter.call_next()
            self.called.setText(f"请 {number} 号取药" if number else "没有排队的患者")
        self._run(call, "")


class SummaryView(QWidget):
    def __init__(self, counter: Counter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counter = counter
        self.figures = QLabel("")
        self.figures.setStyleSheet("font-size: 14pt;")
        self.refresh_button = QPushButton(self.tr("刷新"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.figures)
        layout.addWidget(self.refresh_button)
        layout.addStretch()
        self.refresh_button.clicked.connect(self.refresh)

    def refresh(self) -> None:
        try:
            s = self.counter.day_summary()
        except ApiError as error:
            self.figures.setText(error.message)
            return
        self.figures.setText(f"{s['day']} 日报\n接单 {s['orders_accepted']} 笔\n"
                             f"金额 {yuan(s['amount_fen'])}\n扫描追溯码 {s['codes_scanned']} 个")
