"""The kiosk at work: the flow, the server, the card reader, the scanner and the printer, wired
through Qt. Blocking calls (API, card, printer) run on the `Worker`; their outcomes come back as
signals on the GUI thread and are handed to the flow; the window shows whatever the flow says.

Server faults: any call that cannot reach the server puts the flow on `out_of_service`, and a
probe every `probe_ms` brings it back to home once the server answers.

Device status: what the devices do (a print, a card read, a scanner error) and a check of the
card reader and printer every `device_check_ms` feed `kiosk.devices.DeviceReporter`; every
`report_ms` the reporter says whether a report is due and it goes out on a worker of its own,
so neither a slow server nor a slow device check holds up a patient's call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

from common.api.errors import ApiError, ServerUnavailable
from common.hardware.card.profile import CardEvent, CardIdentity
from common.hardware.card.reader import CardReader
from common.hardware.errors import (
    CardError,
    DeviceError,
    NoCardReader,
    PrinterError,
    ScannerError,
)
from common.hardware.scanner.base import Scan, Scanner
from common.qt.devices import CardEvents, ScanEvents
from common.qt.worker import Task, Worker
from kiosk.devices import Device, DeviceReporter, ReporterSettings
from kiosk.flow import KioskFlow, Screen, Visit
from kiosk.models import DeliveryMode, Order, PatientAccess, PatientPrescription
from kiosk.receipt import test_page, visit_receipt
from kiosk.service import KioskService
from kiosk.texts import Message, fill

log = logging.getLogger(__name__)

PICKUP_MODES = (DeliveryMode.STORE_PICKUP, DeliveryMode.HOSPITAL_DELIVERY)
SLIP_PREFIX = "RXP1:"
NEAR_END = "纸卷将尽，请准备更换"  # for staff in the admin app, like the devices' own messages


def _local_now() -> datetime:
    return datetime.now().astimezone()  # aware: the server compares with its own times


class KioskApp(QObject):
    changed = Signal()  # the flow moved; the window renders
    home_idle = Signal()  # home untouched for the idle time: what was typed there goes
    alerted = Signal(str)  # a staff alert (also logged)

    def __init__(self, service: KioskService, *, flow: KioskFlow | None = None,
                 card_reader: CardReader | None = None, scanner: Scanner | None = None,
                 printer: Any = None, kiosk_id: str = "KIOSK", region_code: str = "330106",
                 scanner_device: Device = "scanner", tick_ms: int = 1000, poll_ms: int = 1000,
                 probe_ms: int = 2000, device_check_ms: int = 15000, report_ms: int = 1000,
                 reporting: ReporterSettings | None = None,
                 now: Callable[[], datetime] = _local_now,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.flow = flow or KioskFlow()
        self.kiosk_id = kiosk_id
        self.region_code = region_code
        self.printer = printer
        self.card_reader = card_reader
        self.now = now
        self.worker = Worker(self, max_threads=2)
        # Reports and device checks: never in the patient's queue (a check waits for a print).
        self.device_worker = Worker(self, max_threads=2)
        self.scanner_device: Device = scanner_device
        reported: list[Device] = ["card_reader"] if card_reader is not None else []
        reported += [scanner_device] if scanner is not None else []
        reported += ["printer"] if printer is not None else []
        self.devices = DeviceReporter(reported, reporting)
        self._checking_devices = False
        self._device_events: dict[Device, int] = {}
        self.sms_phone: str | None = None
        self.self_test_report: list[str] = []
        self.flow.subscribe(self._on_flow_changed)
        self.cards = CardEvents(card_reader, self) if card_reader is not None else None
        if self.cards is not None:
            self.cards.inserted.connect(self.on_cards_inserted)
            self.cards.removed.connect(self.on_cards_removed)
        self.scans = ScanEvents(scanner, self) if scanner is not None else None
        if self.scans is not None:
            self.scans.scanned.connect(self.on_scans_scanned)
            self.scans.failed.connect(self.on_scans_failed)
        self._tick = QTimer(self, interval=tick_ms)
        self._tick.timeout.connect(self.on_tick_timeout)
        self._poll = QTimer(self, interval=poll_ms)
        self._poll.timeout.connect(self.on_poll_timeout)
        self._probe = QTimer(self, interval=probe_ms)
        self._probe.timeout.connect(self.on_probe_timeout)
        self._device_check = QTimer(self, interval=device_check_ms)
        self._device_check.timeout.connect(self.on_device_check_timeout)
        self._report = QTimer(self, interval=report_ms)
        self._report.timeout.connect(self.on_report_timeout)
        self._polling = False
        self._shown = self.flow.screen
        self._home_idle_sent = False

    # -- life ----------------------------------------------------------------------------------

    def start(self) -> None:
        if self.cards is not None:
            self.cards.start()
        if self.scans is not None:
            self.scans.start()
            self.devices.ok(self.scanner_device)  # opened; it reports its own failure
        self._tick.start()
        self._probe.start()
        self._device_check.start()
        self._report.start()
        self.on_device_check_timeout()

    def stop(self) -> None:
        for timer in (self._tick, self._poll, self._probe, self._device_check, self._report):
            timer.stop()
        if self.cards is not None:
            self.cards.stop()
        if self.scans is not None:
            self.scans.stop()
        self.worker.shutdown(5000)
        self.device_worker.shutdown(5000)

    def _run(self, fn: Callable[[], Any], on_ok: Callable[[Any], None],
             on_error: Callable[[Exception], None] | None = None) -> Task:
        task = self.worker.submit(fn)
        task.succeeded.connect(on_ok)
        task.failed.connect(lambda exc: self._failed(exc, on_error))
        return task

    def _run_for(self, visit: Visit, fn: Callable[[], Any], on_ok: Callable[[Any], None],
                 on_error: Callable[[Exception], None] | None = None) -> Task:
        """`_run` for a call about `visit`: its answer, or its failure, is dropped once that
        visit has ended. The patient may have left (card out, idle, signed out) while it was on
        its way, and the next one be at the screen: a late order must not land on their visit,
        nor a late failure send them home."""
        def ok(value: Any) -> None:
            if self.flow.visit is visit:
                on_ok(value)

        def error(exc: Exception) -> None:
            if self.flow.visit is not visit:
                return
            if on_error is not None:
                on_error(exc)
            else:
                self._unexpected(exc)

        return self._run(fn, ok, error)

    def _failed(self, exc: Exception, on_error: Callable[[Exception], None] | None) -> None:
        if isinstance(exc, ServerUnavailable):
            self.flow.server_unreachable()
        elif on_error is not None:
            on_error(exc)
        else:
            self._unexpected(exc)

    def _unexpected(self, exc: Exception) -> None:
        message = getattr(exc, "message", None) or self.tr(
            "Something went wrong: please go to a staffed counter")
        log.warning("kiosk call failed: %r", exc)
        self.flow.alert("error", f"{type(exc).__name__}: {message}")
        self.flow.reset(message)

    def _on_flow_changed(self, flow: KioskFlow) -> None:
        if flow.screen is not self._shown:
            # The screen only: the log is for staff and must hold no patient data.
            log.info("kiosk %s: screen %s", self.kiosk_id, flow.screen)
            self._shown = flow.screen
        # The visit ended: the patient's token goes too (the flow dropped the rest). Taken
        # here, on the GUI thread: the next patient's may be made current before the logout runs.
        token = self.service.take_patient() if flow.visit is None else None
        if token is not None:
            self.worker.submit(lambda: self.service.end_access(token))
        if flow.screen is Screen.PAY and flow.visit and flow.visit.payment:
            self._poll.start()
        else:
            self._poll.stop()
        self.changed.emit()

    @Slot()
    def on_tick_timeout(self) -> None:
        self.flow.tick()
        # Home is not a patient screen for the flow, but an ID number typed there, or the
        # masked phone a code went to, must not wait for the next patient.
        if self.flow.screen is not Screen.HOME or \
                self.flow.idle_for() < self.flow.settings.idle_seconds:
            self._home_idle_sent = False
        elif not self._home_idle_sent:
            self._home_idle_sent = True
            self.sms_phone = None
            self.home_idle.emit()

    # -- identification ------------------------------------------------------------------------

    @Slot(object)
    def on_cards_inserted(self, event: CardEvent) -> None:
        if self.flow.screen not in (Screen.HOME, Screen.CARD_ERROR):
            return
        attempt = self.flow.card_inserted()
        reader = self.card_reader
        assert reader is not None

        def identify() -> PatientAccess:
            card: CardIdentity = reader.read_card()
            return self.service.identify_by_card(card.kind.value, card.number)

        def failed(exc: Exception) -> None:
            # A card the reader could not make sense of, or a refusal by the server, means
            # the reader itself worked; only a missing reader is its fault.
            if isinstance(exc, CardError | ApiError):
                self._device_seen("card_reader", exc if isinstance(exc, NoCardReader) else None)
            self._identification_failed(exc, attempt)

        self._identify(attempt, identify, by_card=True, failed=failed,
                       answered=lambda: self._device_seen("card_reader", None))

    @Slot(object)
    def on_cards_removed(self, event: CardEvent) -> None:
        self.flow.card_removed()

    def _identify(self, attempt: int, identify: Callable[[], PatientAccess], *, by_card: bool,
                  failed: Callable[[Exception], None],
                  answered: Callable[[], None] | None = None) -> None:
        """Identification `attempt` on the worker: who it is, then their prescriptions with
        their own token; the visit opens only if that attempt is still the one under way."""
        service = self.service

        def run() -> tuple[PatientAccess, list[PatientPrescription]]:
            access = identify()
            return access, service.prescriptions(access)

        def done(result: tuple[PatientAccess, list[PatientPrescription]]) -> None:
            if answered is not None:
                answered()
            access, prescriptions = result
            if not self.flow.is_current(attempt):
                # For a patient who has left, or identified before the one at the screen now.
                self.worker.submit(lambda: service.end_access(access.access_token))
                return
            service.use_patient(access)
            self.flow.identified(access, prescriptions, by_card=by_card, attempt=attempt)

        self._run(run, done, failed)

    def _identification_failed(self, exc: Exception, attempt: int) -> None:
        if not self.flow.is_current(attempt):
            return  # the patient already left, or another identification is under way
        if isinstance(exc, CardError | ApiError):
            self.flow.identification_failed(exc.message, attempt)
        else:
            self._failed(exc, None)

    @Slot(object)
    def on_scans_failed(self, error: ScannerError) -> None:
        self._device_seen(self.scanner_device, error)

    @Slot(object)
    def on_scans_scanned(self, scan: Scan) -> None:
        if self.flow.screen is Screen.HOME and scan.code.startswith(SLIP_PREFIX):
            self.identify_by_slip(scan.code)

    def identify_by_slip(self, code: str) -> None:
        attempt = self.flow.identifying()
        self._identify(attempt, lambda: self.service.identify_by_slip(code), by_card=False,
                       failed=lambda exc: self._identification_failed(exc, attempt))

    def request_sms_code(self, id_number: str) -> None:
        def sent(phone: Any) -> None:
            self.sms_phone = str(phone)
            self.changed.emit()

        self._run(lambda: self.service.request_sms_code(id_number), sent,
                  lambda exc: self.flow.identification_failed(getattr(exc, "message", "")))

    def identify_by_sms(self, id_number: str, code: str) -> None:
        self.sms_phone = None
        attempt = self.flow.identifying()
        self._identify(attempt, lambda: self.service.identify_by_sms(id_number, code),
                       by_card=False,
                       failed=lambda exc: self._identification_failed(exc, attempt))

    # -- choosing ------------------------------------------------------------------------------

    def select_prescription(self, prescription_id: Any) -> None:
        self.flow.select(prescription_id)

    def choose_mode(self, mode: DeliveryMode) -> None:
        visit = self.flow.visit
        assert visit is not None and visit.prescription is not None
        self.flow.choose_mode(mode)
        rx_id = visit.prescription.id
        self.changed.emit()
        self._run_for(visit, lambda: self.service.pharmacies(rx_id, mode,
                                                             region_code=self.region_code),
                      lambda options: self.flow.options_loaded(mode, options))

    def choose_pharmacy(self, pharmacy_id: Any, *, appointment_at: datetime | None = None,
                        address: dict[str, str] | None = None) -> None:
        self.flow.choose_pharmacy(pharmacy_id, appointment_at=appointment_at, address=address)
        self.changed.emit()

    def place_order(self) -> None:
        visit = self.flow.visit
        if not self.flow.ready_to_order() or visit is None:
            return
        assert visit.prescription and visit.pharmacy and visit.mode
        rx_id, pharmacy_id, mode = visit.prescription.id, visit.pharmacy.pharmacy_id, visit.mode
        appointment, address = visit.appointment_at, visit.address

        def refused(exc: Exception) -> None:
            self.flow.message = Message(getattr(exc, "message", None)
                                        or self.tr("The order was not placed"))
            self.changed.emit()

        self._run_for(visit, lambda: self.service.choose(
            rx_id, pharmacy_id=pharmacy_id, mode=mode, appointment_at=appointment,
            address=address), self.flow.ordered, refused)

    def back(self) -> None:
        self.flow.back()

    def leave(self) -> None:
        self.flow.reset(self.tr("Signed out: your data is cleared"))

    # -- paying and printing -------------------------------------------------------------------

    def pay_online(self) -> None:
        visit = self.flow.visit
        assert visit is not None and visit.order is not None
        order_id = visit.order.id
        self._run_for(visit, lambda: self.service.pay_online(order_id),
                      self.flow.payment_started)

    @Slot()
    def on_poll_timeout(self) -> None:
        visit = self.flow.visit
        if self._polling or visit is None or visit.order is None:
            return
        self._polling = True
        order_id = visit.order.id

        def got(order: Order) -> None:
            self._polling = False
            if self.flow.visit is not visit:
                return  # that patient has left
            self.flow.order_refreshed(order)
            if self.flow.screen is Screen.PRINTING:
                self._print()

        def failed(exc: Exception) -> None:
            self._polling = False
            if self.flow.visit is visit:
                self._failed(exc, None)

        task = self.worker.submit(lambda: self.service.order(order_id))
        task.succeeded.connect(got)
        task.failed.connect(failed)

    def pay_at_counter(self) -> None:
        self.flow.pay_at_counter()
        self._print()

    def _print(self) -> None:
        """Queue number (pickup modes) and the fresh order first, so that a printer fault
        still leaves them on screen; then the receipt."""
        visit = self.flow.visit
        assert visit is not None and visit.order is not None
        order_id, mode = visit.order.id, visit.order.mode

        def prepare() -> tuple[str | None, Order]:
            number = self.service.queue_number(order_id) if mode in PICKUP_MODES else None
            return number, self.service.order(order_id)

        def prepared(result: tuple[str | None, Order]) -> None:
            number, order = result
            if self.flow.visit is not visit or self.flow.screen is not Screen.PRINTING:
                return
            if number:
                self.flow.queue_number_issued(number)
            visit.order = order
            self.changed.emit()
            receipt = visit_receipt(visit, kiosk_id=self.kiosk_id,
                                    printed_at=f"{self.now():%Y-%m-%d %H:%M}",
                                    translate=QCoreApplication.translate)
            printer = self.printer
            no_printer = self.tr("No receipt printer is configured")

            def run() -> object:
                if printer is None:
                    raise PrinterError(no_printer)
                return printer.print(receipt)

            def printed(status: object) -> None:
                self._printer_working(status)
                self._printed(visit)

            self._run(run, printed, self._print_failed)

        self._run(prepare, prepared)

    def _printed(self, visit: object) -> None:
        if self.flow.visit is visit and self.flow.screen is Screen.PRINTING:
            self.flow.printed()

    def _print_failed(self, exc: Exception) -> None:
        self._printer_failed(exc)
        if self.flow.screen is not Screen.PRINTING:
            return
        if isinstance(exc, DeviceError):
            self.flow.print_failed(exc.message)
            self.alerted.emit(exc.message)
        else:
            self._failed(exc, None)

    # -- server health -------------------------------------------------------------------------

    @Slot()
    def on_probe_timeout(self) -> None:
        if self.flow.screen is not Screen.OUT_OF_SERVICE:
            return
        task = self.worker.submit(self.service.health)
        task.succeeded.connect(lambda _: self.flow.server_back())

    # -- device status -------------------------------------------------------------------------

    def _device_seen(self, device: Device, error: DeviceError | None, *,
                     detail: str | None = None) -> None:
        """What a device did for a patient (or staff): newer than any check under way."""
        self._device_events[device] = self._device_events.get(device, 0) + 1
        if (self.devices.ok(device, detail) if error is None
                else self.devices.failed(device, error)):
            self.report_devices()

    def _printer_failed(self, exc: Exception) -> None:
        if isinstance(exc, DeviceError) and self.printer is not None:
            self._device_seen("printer", exc)

    def _printer_working(self, status: object) -> None:
        # "Paper near end" is no fault (the printer prints) but staff should know.
        near_end = bool(getattr(status, "paper_near_end", False))
        self._device_seen("printer", None, detail=NEAR_END if near_end else None)

    @Slot()
    def on_device_check_timeout(self) -> None:
        """Asks the card reader and the printer how they are: that is how a fault clears
        (paper put back) without a patient having to meet it first."""
        if self._checking_devices:
            return
        reader, printer = self.card_reader, self.printer
        self._checking_devices = True
        events_before = dict(self._device_events)

        def check() -> dict[Device, Any]:
            found: dict[Device, Any] = {}
            if reader is not None:
                try:
                    reader.card_present()
                    found["card_reader"] = None
                except DeviceError as exc:
                    found["card_reader"] = exc
            if printer is not None:
                try:
                    status = printer.status()
                    found["printer"] = status.fault() or status
                except DeviceError as exc:
                    found["printer"] = exc
            return found

        def checked(found: dict[Device, Any]) -> None:
            self._checking_devices = False
            changed = False
            for device, outcome in found.items():
                if self._device_events.get(device) != events_before.get(device):
                    continue  # a print or a read since the check began knows better
                if isinstance(outcome, DeviceError):
                    changed |= self.devices.failed(device, outcome)
                elif device == "printer":
                    near_end = bool(getattr(outcome, "paper_near_end", False))
                    changed |= self.devices.ok(device, NEAR_END if near_end else None)
                else:
                    changed |= self.devices.ok(device)
            if changed:
                self.report_devices()

        def failed(exc: Exception) -> None:
            self._checking_devices = False
            log.warning("device check failed: %r", exc)

        task = self.device_worker.submit(check)
        task.succeeded.connect(checked)
        task.failed.connect(failed)

    @Slot()
    def on_report_timeout(self) -> None:
        self.report_devices()

    def report_devices(self) -> None:
        """Sends a report if one is due (a change, the heartbeat, a retry); never waits."""
        body = self.devices.next_report()
        if body is None:
            return
        task = self.device_worker.submit(lambda: self.service.report_devices(body))
        task.succeeded.connect(lambda _: self._reported())
        task.failed.connect(self._not_reported)

    def _reported(self) -> None:
        self.devices.delivered()
        if self.devices.pending:  # changed while the report was on its way
            self.report_devices()

    def _not_reported(self, exc: Exception) -> None:
        self.devices.undelivered(exc)

    # -- maintenance ---------------------------------------------------------------------------

    def open_maintenance(self, pin: str) -> None:
        self.self_test_report = []
        if not self.flow.open_maintenance(pin):
            self.changed.emit()

    def close_maintenance(self) -> None:
        self.self_test_report = []
        self.flow.close_maintenance()

    def self_test(self) -> None:
        reader, printer = self.card_reader, self.printer
        # Worded here, on the GUI thread; the checks run on a worker.
        ok, failed = self.tr("%1: working"), self.tr("%1: %2")
        checks = ((self.tr("Server"), self.service.health),
                  (self.tr("Card reader"), lambda: reader and reader.card_present()),
                  (self.tr("Receipt printer"), lambda: printer and printer.status()))

        def run() -> list[str]:
            report = []
            for name, check in checks:
                try:
                    check()
                    report.append(fill(ok, name))
                except (DeviceError, ApiError) as exc:
                    report.append(fill(failed, name, exc.message))
            return report

        def done(report: list[str]) -> None:
            self.self_test_report = report
            self.changed.emit()

        task = self.worker.submit(run)
        task.succeeded.connect(done)

    def test_print(self) -> None:
        printer = self.printer
        page = test_page(kiosk_id=self.kiosk_id, printed_at=f"{self.now():%Y-%m-%d %H:%M}",
                         translate=QCoreApplication.translate)

        def report(text: str) -> None:
            self.self_test_report = [text]
            self.changed.emit()

        task = self.worker.submit(lambda: printer.print(page))
        printed, failed = self.tr("Test page printed"), self.tr("Printing failed: %1")

        def done(status: object) -> None:
            self._printer_working(status)
            report(printed)

        task.succeeded.connect(done)
        task.failed.connect(self._printer_failed)
        task.failed.connect(lambda exc: report(fill(failed, getattr(exc, "message", exc))))
