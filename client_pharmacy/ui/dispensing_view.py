"""The picking list: every package scanned with feedback at once (wrong product, used code,
expired batch, too many), batch and expiry prefilled from GS1 codes, lines not dispensed with a
reason (partial dispense), the checker, completion, the receipt."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client_pharmacy.counter import Dispensing, Order, ScanFeedback, ScanOutcome
from client_pharmacy.gs1 import prefill
from client_pharmacy.ui.services import CounterServices, failure_text
from client_pharmacy.ui.widgets import (
    BUSY_STYLE,
    ERROR_STYLE,
    OK_STYLE,
    fill,
    fill_args,
    mode_label,
    say,
    table,
    working_text,
)

CODES_COLUMN = 5


class DispensingView(QWidget):
    completed = Signal(object)  # the dispensed order
    scan_done = Signal(object)  # ScanFeedback, after the screen shows it

    def __init__(self, services: CounterServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.dispensing: Dispensing | None = None
        self.header = QLabel(self.tr("Choose an order on the Orders page"))
        self.lines = table([self.tr("Line"), self.tr("Drug"), self.tr("Specification"),
                            self.tr("Prescribed"), self.tr("Scanned"),
                            self.tr("Traceability codes")])
        self.code = QLineEdit()
        self.code.setPlaceholderText(self.tr("Scan or type the traceability code, then Enter"))
        self.batch = QLineEdit()
        self.expiry = QLineEdit()
        self.expiry.setPlaceholderText("YYYY-MM-DD")
        self.feedback = QLabel("")
        self.feedback.setWordWrap(True)
        self.dispenser = QLabel("")
        self.checker = QLineEdit()
        self.checker.setPlaceholderText(self.tr("Username of the colleague who checks"))
        self.not_dispensed_button = QPushButton(self.tr("Not dispensed (selected line)"))
        self.unscan_button = QPushButton(self.tr("Remove last code (selected line)"))
        self.complete_button = QPushButton(self.tr("Complete dispensing"))
        self.print_button = QPushButton(self.tr("Print receipt"))
        self.pdf_button = QPushButton(self.tr("Receipt and labels as PDF"))
        form = QFormLayout()
        form.addRow(self.tr("Traceability code"), self.code)
        form.addRow(self.tr("Batch"), self.batch)
        form.addRow(self.tr("Expiry"), self.expiry)
        form.addRow(self.tr("Dispenser"), self.dispenser)
        form.addRow(self.tr("Checker"), self.checker)
        buttons = QHBoxLayout()
        for b in (self.not_dispensed_button, self.unscan_button, self.complete_button,
                  self.print_button, self.pdf_button):
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
        self.unscan_button.clicked.connect(self.on_unscan_button_clicked)
        self.complete_button.clicked.connect(self.on_complete_button_clicked)
        self.reason_for: Callable[[], str | None] = self._ask_reason

    def show_order(self, dispensing: Dispensing) -> None:
        self.dispensing = dispensing
        self.dispenser.setText(dispensing.dispenser)
        self.feedback.clear()
        self.show_lines()

    def show_lines(self) -> None:
        if self.dispensing is None:
            return
        order = self.dispensing.order
        self.header.setText(fill_args(
            self.tr("Order %1  Patient %2  %3  %4"), order["number"], order["patient_name"],
            mode_label(order["mode"]), order["status"]["label"]))
        fill(self.lines, [[str(line["line_no"]), line["generic_name"], line["specification"],
                           f"{line['quantity']}{line['unit']}", self._dispensed(line),
                           " ".join(self.dispensing.codes_of(line["id"]))]
                          for line in self.dispensing.lines()])

    def _dispensed(self, line: dict[str, Any]) -> str:
        reason = line["not_dispensed_reason"]
        if reason:
            return fill_args(self.tr("%1, not dispensed: %2"), line["dispensed"], reason)
        return str(line["dispensed"])

    def _selected_line(self) -> dict[str, Any] | None:
        row = self.lines.currentRow()
        lines = self.dispensing.lines() if self.dispensing else []
        return lines[row] if 0 <= row < len(lines) else None

    def _on_failed(self, error: BaseException) -> None:
        say(self.feedback, failure_text(error), ERROR_STYLE)
        QApplication.beep()

    # -- scanning --------------------------------------------------------------------------
    def on_code_text_changed(self, text: str) -> None:
        filled = prefill(text)
        if filled.batch:
            self.batch.setText(filled.batch)
        if filled.expiry:
            self.expiry.setText(filled.expiry.isoformat())

    def on_code_return_pressed(self) -> None:
        self.scan(self.code.text())

    def scan(self, code: str) -> bool:
        """A code from any source (the field, the wedge, a serial or camera scanner) goes to
        the server in the order scanned; False when there is nothing to send it with."""
        dispensing = self.dispensing
        if dispensing is None or not code.strip():
            return False
        self.on_code_text_changed(code)
        try:
            expiry = date.fromisoformat(self.expiry.text().strip()) if self.expiry.text() else None
        except ValueError:
            say(self.feedback, self.tr("Expiry must be written YYYY-MM-DD"), ERROR_STYLE)
            return False
        line = self._selected_line()
        batch = self.batch.text().strip() or None
        line_id = line["id"] if line else None
        say(self.feedback, working_text(), BUSY_STYLE)
        self.services.run(
            lambda: dispensing.scan(code, batch=batch, expiry=expiry, line_id=line_id),
            self.show_feedback, self._on_failed, in_order=True)
        return True

    def show_feedback(self, result: ScanFeedback) -> None:
        if result.ok:
            if self.code.text().strip() == result.code:
                self.code.clear()
            self.show_lines()
            package = result.package or {}
            line = self.dispensing.line(result.line_id or "") if self.dispensing else None
            say(self.feedback, "✔ " + fill_args(
                self.tr("Scanned: %1, batch %2, expiry %3"),
                line["generic_name"] if line else "", package.get("batch", ""),
                package.get("expiry", "")), OK_STYLE)
        else:
            say(self.feedback, "✘ " + fill_args(self.tr("%1: %2 (%3)"),
                                                self._refusal(result.outcome), result.message,
                                                result.code), ERROR_STYLE)
            QApplication.beep()
        self.scan_done.emit(result)

    def _refusal(self, outcome: ScanOutcome) -> str:
        titles = {
            ScanOutcome.REUSED: self.tr("Code already used, refused"),
            ScanOutcome.WRONG_PRODUCT: self.tr("Wrong product"),
            ScanOutcome.EXPIRED: self.tr("Batch expired"),
            ScanOutcome.TOO_MANY: self.tr("Line already full"),
            ScanOutcome.NEEDS_BATCH: self.tr("Enter batch and expiry"),
        }
        return titles.get(outcome, self.tr("Not registered"))

    # -- lines, completion -----------------------------------------------------------------
    def _order_changed(self, message: str) -> Callable[[Order], None]:
        def done(_: Order) -> None:
            self.show_lines()
            say(self.feedback, message, OK_STYLE)
        return done

    def on_not_dispensed_button_clicked(self) -> None:
        dispensing, line = self.dispensing, self._selected_line()
        if dispensing is None or line is None:
            say(self.feedback, self.tr("Select the line that is not dispensed."), ERROR_STYLE)
            return
        reason = self.reason_for()
        if not reason:
            return
        say(self.feedback, working_text(), BUSY_STYLE)
        left = line["quantity"] - line["dispensed"]
        self.services.run(
            lambda: dispensing.not_dispensed(line["id"], reason),
            self._order_changed(fill_args(self.tr("Line %1: %2 %3 not dispensed (%4)"),
                                          line["line_no"], left, line["unit"], reason)),
            self._on_failed, in_order=True)

    def on_unscan_button_clicked(self) -> None:
        dispensing, line = self.dispensing, self._selected_line()
        if dispensing is None or line is None:
            return
        packages = [p for p in dispensing.order["packages"] if p["line_id"] == line["id"]]
        if not packages:
            say(self.feedback, self.tr("No code scanned on this line."), ERROR_STYLE)
            return
        last = packages[-1]
        say(self.feedback, working_text(), BUSY_STYLE)
        self.services.run(lambda: dispensing.unscan(last["id"]),
                          self._order_changed(fill_args(self.tr("Removed %1"),
                                                        last["trace_code"])),
                          self._on_failed, in_order=True)

    def on_complete_button_clicked(self) -> None:
        dispensing = self.dispensing
        if dispensing is None:
            return
        checker = self.checker.text().strip()
        say(self.feedback, working_text(), BUSY_STYLE)
        self.services.run(lambda: dispensing.complete(checker), self._on_completed,
                          self._on_failed, in_order=True)

    def _on_completed(self, order: Order) -> None:
        self.show_lines()
        short = [x for x in order["lines"] if x["dispensed"] < x["quantity"]]
        if not any(x["dispensed"] for x in order["lines"]):
            text = fill_args(self.tr("Nothing dispensed: %1 is closed"), order["number"])
        elif short:
            text = fill_args(self.tr("Dispensed in part: %1 (%2 line(s) short)"),
                             order["number"], len(short))
        else:
            text = fill_args(self.tr("Dispensing complete: %1"), order["number"])
        say(self.feedback, text, OK_STYLE)
        self.completed.emit(order)

    def _ask_reason(self) -> str | None:
        text, ok = QInputDialog.getText(self, self.tr("Not dispensed"),
                                        self.tr("Why is it not dispensed?"))
        return text.strip() if ok else None
