"""The counter: pickup by code or QR and the handover, courier dispatch (出库) and its tracking,
counter payment, calling the next queue number; and the day summary."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client_pharmacy.counter import Counter, Order, yuan
from client_pharmacy.ui.services import CounterServices, failure_text
from client_pharmacy.ui.widgets import (
    BUSY_STYLE,
    CHINA,
    ERROR_STYLE,
    OK_STYLE,
    fill_args,
    local_time,
    mode_label,
    paid_label,
    say,
    working_text,
)


class CounterView(QWidget):
    done = Signal(str)  # the message of an action that succeeded

    def __init__(self, services: CounterServices, counter: Counter,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.counter = counter
        self.order: Order | None = None
        self.pickup_code = QLineEdit()
        self.pickup_code.setPlaceholderText(
            self.tr("The patient's pickup code, or scan their pickup QR"))
        self.find_button = QPushButton(self.tr("Find order"))
        self.summary = QLabel(self.tr("No order chosen"))
        self.summary.setWordWrap(True)
        self.handover_button = QPushButton(self.tr("Checked: hand to the patient"))
        self.dispatch_button = QPushButton(self.tr("Hand to the courier (outbound)"))
        self.receipt_no = QLineEdit()
        self.receipt_no.setPlaceholderText(self.tr("Counter receipt number"))
        self.payment_button = QPushButton(self.tr("Register counter payment"))
        self.call_button = QPushButton(self.tr("Call next number"))
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
        self.tracking = QLabel(self.tr("Tracking"))
        layout.addWidget(self.tracking)
        layout.addWidget(self.events, 1)
        layout.addWidget(self.message)
        layout.addStretch()
        self._show_tracking(False)
        self._enable_actions(None)
        self.find_button.clicked.connect(self.on_find_button_clicked)
        self.pickup_code.returnPressed.connect(self.on_find_button_clicked)
        self.handover_button.clicked.connect(self.on_handover_button_clicked)
        self.dispatch_button.clicked.connect(self.on_dispatch_button_clicked)
        self.payment_button.clicked.connect(self.on_payment_button_clicked)
        self.call_button.clicked.connect(self.on_call_button_clicked)

    def show_order(self, order: Order) -> None:
        """Everything here of the patient is as the server masked it."""
        self.order = order
        parts = [fill_args(self.tr("Order %1"), order["number"]),
                 fill_args(self.tr("Patient %1"), order["patient_name"]),
                 fill_args(self.tr("Phone %1"), order["patient_phone"] or "—"),
                 mode_label(order["mode"]), order["status"]["label"], yuan(order["total_fen"]),
                 paid_label(order["paid"])]
        if order.get("queue_number"):
            parts.append(fill_args(self.tr("Queue number %1"), order["queue_number"]))
        if order.get("tracking_number"):
            parts.append(fill_args(self.tr("Waybill %1"), order["tracking_number"]))
        if order.get("outbound_number"):
            parts.append(fill_args(self.tr("Outbound %1"), order["outbound_number"]))
        self.summary.setText("　".join(parts))
        # Tracking is the courier's (or the run to the hospital); a pickup order has none.
        self._show_tracking(order["mode"] != "store_pickup")
        self._enable_actions(order)
        self.events.clear()
        for event in order.get("events", []):
            self.events.addItem(f"{local_time(event['occurred_at'])}　"
                                f"{event['description']}　{event['location'] or ''}")

    def _enable_actions(self, order: Order | None) -> None:
        """Only what the order's state allows is offered (the server checks again)."""
        active = order is not None and order["state"] == "active"
        ready = active and order is not None and order["dispensed_at"] is not None
        pickup = order is not None and order["mode"] == "store_pickup"
        self.handover_button.setEnabled(ready and pickup)
        self.dispatch_button.setEnabled(ready and not pickup and order is not None
                                        and not order["outbound_number"])
        self.payment_button.setEnabled(active and order is not None and not order["paid"])

    def _show_tracking(self, shown: bool) -> None:
        self.tracking.setVisible(shown)
        self.events.setVisible(shown)

    def _run(self, action: Callable[[], Any], done: str) -> None:
        say(self.message, working_text(), BUSY_STYLE)

        def succeeded(result: Any) -> None:
            if isinstance(result, dict):
                self.show_order(result)
            say(self.message, done, OK_STYLE)
            self.done.emit(done)

        def failed(error: BaseException) -> None:
            say(self.message, failure_text(error), ERROR_STYLE)

        # In the order asked: of two pickup codes scanned in quick succession the second's
        # order is the one left on screen, whichever answer the server sends first.
        self.services.run(action, succeeded, failed, in_order=True)

    def on_find_button_clicked(self) -> None:
        code = self.pickup_code.text()
        if code.strip():
            self._run(lambda: self.counter.find_by_pickup_code(code),
                      self.tr("Order found: check the patient"))

    def on_handover_button_clicked(self) -> None:
        order, code = self.order, self.pickup_code.text()
        if order is not None:
            self._run(lambda: self.counter.hand_over(order["id"], code),
                      self.tr("Handed to the patient"))

    def on_dispatch_button_clicked(self) -> None:
        order = self.order
        if order is not None:
            self._run(lambda: self.counter.dispatch(order["id"]),
                      self.tr("Handed to the courier, outbound registered"))

    def on_payment_button_clicked(self) -> None:
        order, receipt_no = self.order, self.receipt_no.text()
        if order is None:
            return
        if not receipt_no.strip():
            say(self.message, self.tr("Receipt number: enter the counter receipt's number"),
                ERROR_STYLE)
            return
        self._run(lambda: self.counter.register_offline_payment(order["id"], receipt_no),
                  self.tr("Counter payment registered"))

    def on_call_button_clicked(self) -> None:
        say(self.message, working_text(), BUSY_STYLE)

        def called(number: str | None) -> None:
            self.message.clear()
            self.called.setText(fill_args(self.tr("Number %1, please"), number) if number
                                else self.tr("Nobody is waiting"))

        def failed(error: BaseException) -> None:
            say(self.message, failure_text(error), ERROR_STYLE)

        self.services.run(self.counter.call_next, called, failed)


class SummaryView(QWidget):
    """The day's figures: orders accepted, their amount, codes scanned."""

    loaded = Signal(object)

    def __init__(self, services: CounterServices, counter: Counter,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.counter = counter
        self.title = QLabel(self.tr("Day summary"))
        self.title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.orders = QLabel("—")
        self.amount = QLabel("—")
        self.codes = QLabel("—")
        for value in (self.orders, self.amount, self.codes):
            value.setStyleSheet("font-size: 14pt;")
        self.message = QLabel("")
        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        # The business day is the stores' (Asia/Shanghai), whatever the workstation's zone.
        today = datetime.now(CHINA).date()
        self.day.setDate(QDate(today.year, today.month, today.day))
        self.refresh_button = QPushButton(self.tr("Refresh"))
        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("Orders accepted")), 0, 0)
        grid.addWidget(self.orders, 0, 1)
        grid.addWidget(QLabel(self.tr("Amount of the orders accepted")), 1, 0)
        grid.addWidget(self.amount, 1, 1)
        grid.addWidget(QLabel(self.tr("Traceability codes scanned")), 2, 0)
        grid.addWidget(self.codes, 2, 1)
        grid.setColumnStretch(2, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(grid)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel(self.tr("Day")))
        buttons.addWidget(self.day)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch()
        layout.addLayout(buttons)
        layout.addStretch()
        self.refresh_button.clicked.connect(self.refresh)
        self.day.dateChanged.connect(self.refresh)

    def chosen_day(self) -> date:
        chosen = self.day.date()
        return date(chosen.year(), chosen.month(), chosen.day())

    def show_day(self, day: date) -> None:
        """Read and show the summary of `day`."""
        if day == self.chosen_day():
            self.refresh()
        else:
            self.day.setDate(QDate(day.year, day.month, day.day))  # dateChanged reads it

    def refresh(self) -> None:
        day = self.chosen_day()
        self.services.run(lambda: self.counter.day_summary(day), self.show_summary,
                          self._on_failed)

    def show_summary(self, summary: dict[str, Any]) -> None:
        if summary["day"] != self.chosen_day().isoformat():
            return  # the answer for a day chosen before, arriving after the one chosen now's
        self.title.setText(fill_args(self.tr("Day summary %1"), summary["day"]))
        self.orders.setText(str(summary["orders_accepted"]))
        self.amount.setText(yuan(summary["amount_fen"]))
        self.codes.setText(str(summary["codes_scanned"]))
        self.message.clear()
        self.loaded.emit(summary)

    def _on_failed(self, error: BaseException) -> None:
        say(self.message, failure_text(error), ERROR_STYLE)
