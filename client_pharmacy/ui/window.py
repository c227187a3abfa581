"""The counter's main window: inbox, dispensing, pickup and delivery, day summary, the store's
profile; live events and scanners wired in. Every server and printer call runs on a worker
(`CounterServices`), so the window keeps answering while one is under way."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QMainWindow, QTabWidget, QWidget

from client_pharmacy.counter import Counter, Dispensing, Inbox, Order
from client_pharmacy.profile import ProfileView, StoreProfile
from client_pharmacy.receipt import print_receipt, save_pdf
from client_pharmacy.ui.counter_view import CounterView, SummaryView
from client_pharmacy.ui.dispensing_view import DispensingView
from client_pharmacy.ui.inbox_view import InboxView
from client_pharmacy.ui.profile_view import ProfileScreen
from client_pharmacy.ui.scanning import DeviceScanner, WedgeFilter
from client_pharmacy.ui.services import CounterServices, failure_text
from client_pharmacy.ui.widgets import (
    BUSY_STYLE,
    ERROR_STYLE,
    OK_STYLE,
    fill_args,
    say,
    working_text,
)
from common.api import ApiClient
from common.api.models import LiveEvent, Me
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
    def __init__(self, api: ApiClient, *, me: Me, printer_url: str | None = None,
                 scanner_urls: tuple[str, ...] = (), live: bool = True,
                 choose_pdf_path: Callable[[str], str | None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self.me = me
        self.user_name = me.name
        self.pharmacy_name = ""
        self.printer_url = printer_url
        self.choose_pdf_path = choose_pdf_path or self._choose_pdf_path
        self.services = CounterServices(api, me, self)
        self._set_title()
        self.resize(1280, 800)
        self.inbox = Inbox(api)
        self.counter = Counter(api)
        self.store = StoreProfile(api, str(me.org_id), me.permissions)
        self.tabs = QTabWidget()
        self.inbox_view = InboxView(self.services, self.inbox)
        self.dispensing_view = DispensingView(self.services)
        self.counter_view = CounterView(self.services, self.counter)
        self.summary_view = SummaryView(self.services, self.counter)
        self.profile_view = ProfileScreen(self.services, self.store)
        self.tabs.addTab(self.inbox_view, self.tr("Orders"))
        self.tabs.addTab(self.dispensing_view, self.tr("Dispensing"))
        self.tabs.addTab(self.counter_view, self.tr("Pickup / delivery"))
        self.tabs.addTab(self.summary_view, self.tr("Day summary"))
        self.tabs.addTab(self.profile_view, self.tr("Store profile"))
        self.setCentralWidget(self.tabs)
        self.device_status = QLabel("")
        self.statusBar().addPermanentWidget(self.device_status)
        self.inbox_view.opened.connect(self.on_inbox_view_opened)
        self.dispensing_view.completed.connect(self.on_dispensing_view_completed)
        self.dispensing_view.print_button.clicked.connect(self.on_print_button_clicked)
        self.dispensing_view.pdf_button.clicked.connect(self.on_pdf_button_clicked)
        self.counter_view.done.connect(self.on_counter_view_done)
        self.profile_view.loaded.connect(self.on_profile_view_loaded)
        self.profile_view.saved.connect(self.on_profile_view_loaded)
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
        self.profile_view.refresh()

    def _set_title(self) -> None:
        title = self.tr("Prescription circulation platform · Pharmacy counter")
        self.setWindowTitle(f"{title} — {self.pharmacy_name} {self.user_name}".rstrip())

    def add_scanner(self, url: str) -> DeviceScanner:
        try:
            scanner = DeviceScanner(url, self)
        except DeviceError as error:
            self.device_status.setText(fill_args(self.tr("Scanner unavailable: %1"),
                                                 error.message))
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
            self.show_order_alert(event.type, event.payload.get("order_number") or "")

    def show_order_alert(self, event_type: str, number: str) -> None:
        """Banner and beep for a new (or newly paid) order, with the inbox in front."""
        text = self.tr("New order %1") if event_type == "order.new" else self.tr("Order paid %1")
        self.inbox_view.show_alert(fill_args(text, number).strip())
        self.tabs.setCurrentWidget(self.inbox_view)

    def on_inbox_view_opened(self, order: Order) -> None:
        self.dispensing_view.show_order(Dispensing(self.api, order, self.user_name))
        self.tabs.setCurrentWidget(self.dispensing_view)

    def on_dispensing_view_completed(self, order: Order) -> None:
        self.counter_view.show_order(order)
        self.summary_view.refresh()

    def on_counter_view_done(self, _: str) -> None:
        self.summary_view.refresh()

    def on_profile_view_loaded(self, view: ProfileView) -> None:
        self.pharmacy_name = view.name
        self._set_title()

    # -- receipts and labels ---------------------------------------------------------------
    def on_print_button_clicked(self) -> None:
        dispensing = self.dispensing_view.dispensing
        if dispensing is None:
            return
        if not self.printer_url:
            self.on_pdf_button_clicked()
            return
        feedback = self.dispensing_view.feedback
        order, url, pharmacy = dispensing.order, self.printer_url, self.pharmacy_name
        say(feedback, working_text(), BUSY_STYLE)
        self.services.run(
            lambda: print_receipt(url, order, pharmacy=pharmacy, dispenser=self.user_name),
            lambda _: say(feedback, self.tr("Receipt and labels printed"), OK_STYLE),
            lambda error: say(feedback, failure_text(error), ERROR_STYLE))

    def on_pdf_button_clicked(self) -> None:
        dispensing = self.dispensing_view.dispensing
        if dispensing is None:
            return
        order = dispensing.order
        chosen = self.choose_pdf_path(f"{order['number']}.pdf")
        if not chosen:
            return
        feedback = self.dispensing_view.feedback
        try:
            path = save_pdf(Path(chosen), order, pharmacy=self.pharmacy_name,
                            dispenser=self.user_name)
        except OSError:
            say(feedback, fill_args(self.tr("Could not write the PDF: %1"), chosen), ERROR_STYLE)
            return
        say(feedback, fill_args(self.tr("Receipt and labels saved as PDF: %1"), path), OK_STYLE)

    def _choose_pdf_path(self, name: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save receipt and labels"), str(Path(tempfile.gettempdir()) / name),
            self.tr("PDF (*.pdf)"))
        return path or None

    # -- closing ---------------------------------------------------------------------------
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
        self.services.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
