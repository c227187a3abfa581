"""The live order inbox: a new order flashes a banner and beeps; accept it, or return it with a
reason, before the lock runs out (the countdown per row)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client_pharmacy.counter import Inbox, Order, yuan
from client_pharmacy.ui.services import CounterServices, failure_text
from client_pharmacy.ui.widgets import (
    ALERT_STYLE,
    BUSY_STYLE,
    ERROR_STYLE,
    OK_STYLE,
    countdown_text,
    fill,
    fill_args,
    inbox_status_label,
    mode_label,
    paid_label,
    say,
    table,
    working_text,
)
from common.qt.worker import LatestOnly

COUNTDOWN_COLUMN = 6


class InboxView(QWidget):
    """Live orders; `opened(order)` when one is accepted or chosen for dispensing."""

    opened = Signal(object)
    loaded = Signal()  # the table shows the server's latest answer

    def __init__(self, services: CounterServices, inbox: Inbox,
                 ask_reason: Callable[[], str | None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.inbox = inbox
        self.ask_reason = ask_reason or self._ask_reason
        self.alert = QLabel("")
        self.alert.setStyleSheet(ALERT_STYLE)
        self.alert.setVisible(False)
        self.table = table([self.tr("Order"), self.tr("Prescription"), self.tr("Status"),
                            self.tr("Mode"), self.tr("Amount"), self.tr("Payment"),
                            self.tr("Time left to accept")])
        self.accept_button = QPushButton(self.tr("Accept"))
        self.return_button = QPushButton(self.tr("Return"))
        self.dispense_button = QPushButton(self.tr("Dispense"))
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.message = QLabel("")
        buttons = QHBoxLayout()
        for b in (self.accept_button, self.return_button, self.dispense_button):
            buttons.addWidget(b)
        buttons.addStretch()
        buttons.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.alert)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.accept_button.clicked.connect(self.on_accept_button_clicked)
        self.return_button.clicked.connect(self.on_return_button_clicked)
        self.dispense_button.clicked.connect(self.on_dispense_button_clicked)
        self.refresh_button.clicked.connect(self.refresh)
        # Events and actions each read the inbox again; only the newest read is shown (an
        # earlier one answering last would bring back an order accepted since).
        self.reads = LatestOnly(services.worker, self)
        self.reads.succeeded.connect(self.show_orders)
        self.reads.failed.connect(self._on_failed)
        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self.update_countdowns)
        self.ticker.start()

    # -- loading ---------------------------------------------------------------------------
    def refresh(self) -> None:
        self.reads.request(self.inbox.fetch)

    def show_orders(self, orders: list[Order]) -> None:
        selected = self.selected()
        self.inbox.orders = orders
        fill(self.table, [[o["number"], o["prescription_number"], inbox_status_label(o),
                           mode_label(o["mode"]), yuan(o["total_fen"]), paid_label(o["paid"]),
                           ""] for o in orders])
        if selected is not None:
            self.select_number(selected["number"])
        self.update_countdowns()
        self.loaded.emit()

    def update_countdowns(self) -> None:
        for row, order in enumerate(self.inbox.orders[:self.table.rowCount()]):
            item = self.table.item(row, COUNTDOWN_COLUMN)
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

    # -- actions ---------------------------------------------------------------------------
    def _busy(self) -> None:
        say(self.message, working_text(), BUSY_STYLE)

    def _on_failed(self, error: BaseException) -> None:
        say(self.message, failure_text(error), ERROR_STYLE)

    def on_accept_button_clicked(self) -> None:
        order = self.selected()
        if order is None:
            return
        self._busy()
        self.services.run(lambda: self.inbox.accept(order["id"]), self._on_accepted,
                          self._on_failed)

    def _on_accepted(self, accepted: Order) -> None:
        say(self.message, fill_args(self.tr("Accepted: %1"), accepted["number"]), OK_STYLE)
        self.alert.setVisible(False)
        self.refresh()
        self.opened.emit(accepted)

    def on_return_button_clicked(self) -> None:
        order = self.selected()
        reason = self.ask_reason() if order is not None else None
        if order is None or not reason:
            return
        self._busy()

        def returned(_: Any) -> None:
            say(self.message, fill_args(self.tr("Returned: %1 (%2)"), order["number"], reason),
                OK_STYLE)
            self.refresh()

        self.services.run(lambda: self.inbox.give_back(order["id"], reason), returned,
                          self._on_failed)

    def on_dispense_button_clicked(self) -> None:
        order = self.selected()
        if order is None:
            return
        if order["accepted_at"] is None:
            say(self.message, self.tr("Accept the order before dispensing it."), ERROR_STYLE)
            return
        self._busy()

        def fetched(full: Order) -> None:
            self.message.clear()
            self.opened.emit(full)

        self.services.run(lambda: self.inbox.order(order["id"]), fetched, self._on_failed)

    def _ask_reason(self) -> str | None:
        text, ok = QInputDialog.getText(self, self.tr("Return the order"),
                                        self.tr("Why is the order returned?"))
        return text.strip() if ok else None
