"""The counter's main window: inbox, dispensing, pickup and delivery, day summary; live events
and scanners wired in."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QTabWidget, QWidget

from client_pharmacy.counter import Counter, Dispensing, Inbox, Order
from client_pharmacy.receipt import print_receipt, save_pdf
from client_pharmacy.ui.scanning import DeviceScanner, WedgeFilter
from client_pharmacy.ui.views import (
    ERROR_STYLE,
    OK_STYLE,
    CounterView,
    DispensingView,
    InboxView,
    SummaryView,
)
from common.api import ApiClient
from common.api.models import LiveEvent
from common.events import EventSubscriber
from common.hardware.errors import DeviceError


class LiveEvents(QObject):
    """The server's event stream; `arrived(LiveEvent)` on the GUI thread."""

    arrived = Signal(object)
    _from_thread = Signal(object)

    def __init__(self, api: ApiClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._from_thread.connect(self.arrived, Qt.ConnectionType.QueuedConnection)
        self.subscriber = EventSubscriber(api, on_event=self._from_thread.emit)

    def start(self) -> None:
        self.subscriber.start()

    def stop(self) -> None:
        self.subscriber.stop()


class PharmacyWindow(QMainWindow):
    def __init__(self, api: ApiClient, *, user_name: str, pharmacy_name: str = "",
                 printer_url: str | None = None, scanner_urls: tuple[str, ...] = (),
                 live: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self.user_name = user_name
        self.pharmacy_name = pharmacy_name
        self.printer_url = printer_url
        self.setWindowTitle(self.tr("处方流转平台 · 药店柜台") + f" — {pharmacy_name} {user_name}")
        self.resize(1280, 800)
        self.inbox = Inbox(api)
        self.counter = Counter(api)
        self.tabs = QTabWidget()
        self.inbox_view = InboxView(self.inbox)
        self.dispensing_view = DispensingView()
        self.counter_view = CounterView(self.counter)
        self.summary_view = SummaryView(self.counter)
        self.tabs.addTab(self.inbox_view, self.tr("订单"))
        self.tabs.addTab(self.dispensing_view, self.tr("配药发药"))
        self.tabs.addTab(self.counter_view, self.tr("取药 / 配送"))
        self.tabs.addTab(self.summary_view, self.tr("日报"))
        self.setCentralWidget(self.tabs)
        self.device_status = QLabel("")
        self.statusBar().addPermanentWidget(self.device_status)
        self.inbox_view.opened.connect(self.on_inbox_view_opened)
        self.dispensing_view.completed.connect(self.on_dispensing_view_completed)
        self.dispensing_view.print_button.clicked.connect(self.on_print_button_clicked)
        self.wedge = WedgeFilter(self)
        self.wedge.scanned.connect(self.on_scanner_scanned)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.wedge)
        self.scanners: list[DeviceScanner] = []
        for url in scanner_urls:
            self.add_scanner(url)
        self.events: LiveEvents | None = None
        if live:
            self.events = LiveEvents(api, self)
            self.events.arrived.connect(self.on_events_arrived)
            self.events.start()
        self.inbox_view.refresh()
        self.summary_view.refresh()

    def add_scanner(self, url: str) -> DeviceScanner:
        try:
            scanner = DeviceScanner(url, self)
        except DeviceError as error:
            self.device_status.setText(f"扫码枪不可用：{error.message}")
            raise
        scanner.scanned.connect(self.on_scanner_scanned)
        scanner.failed.connect(self.on_scanner_failed)
        scanner.start()
        self.scanners.append(scanner)
        return scanner

    def on_scanner_scanned(self, code: str) -> None:
        # A scan on the counter page is a pickup QR; anywhere else a package.
        if self.tabs.currentWidget() is self.counter_view:
            self.counter_view.pickup_code.setText(code)
            self.counter_view.on_find_button_clicked()
        else:
            self.tabs.setCurrentWidget(self.dispensing_view)
            self.dispensing_view.scan(code)

    def on_scanner_failed(self, message: str) -> None:
        self.device_status.setText(message)

    def on_events_arrived(self, event: LiveEvent) -> None:
        if Inbox.needs_refresh(event):
            self.inbox_view.refresh()
        if self.inbox.on_event(event):
            number = event.payload.get("order_number") or ""
            text = "新订单" if event.type == "order.new" else "订单已支付"
            self.inbox_view.show_alert(f"🔔 {text} {number}".strip())
            self.tabs.setCurrentWidget(self.inbox_view)

    def on_inbox_view_opened(self, order: Order) -> None:
        self.dispensing_view.show_order(Dispensing(self.api, order, self.user_name))
        self.tabs.setCurrentWidget(self.dispensing_view)

    def on_dispensing_view_completed(self, order: Order) -> None:
        self.counter_view.show_order(order)
        self.summary_view.refresh()

    def on_print_button_clicked(self) -> None:
        dispensing = self.dispensing_view.dispensing
        if dispensing is None:
            return
        feedback = self.dispensing_view.feedback
        try:
            if self.printer_url:
                print_receipt(self.printer_url, dispensing.order, pharmacy=self.pharmacy_name,
                              dispenser=self.user_name)
                done = "小票已打印"
            else:
                path = save_pdf(Path(tempfile.gettempdir()) / f"{dispensing.order['number']}.pdf",
                                dispensing.order, pharmacy=self.pharmacy_name,
                                dispenser=self.user_name)
                done = f"小票已存为 PDF：{path}"
        except DeviceError as error:
            feedback.setStyleSheet(ERROR_STYLE)
            feedback.setText(error.message)
            return
        feedback.setStyleSheet(OK_STYLE)
        feedback.setText(done)

    def shutdown(self) -> None:
        if self.events is not None:
            self.events.stop()
            self.events = None
        for scanner in self.scanners:
            scanner.stop()
        self.scanners.clear()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.wedge)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
