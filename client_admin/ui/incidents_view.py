"""Incidents: the faults on record with the contract's two clocks (respond, fix) counting down
every second, raised on the screen when one is about to run out or has; recording a fault,
taking it, recording the response and the fix, notes and re-grading; and the monthly report
of clocks met and missed."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from client_admin.incidents import (
    TEXT_REQUIRED,
    Clock,
    IncidentRow,
    ReportRow,
    by_urgency,
    countdown,
    newly_escalated,
    recent_months,
)
from client_admin.ui.labels import (
    affected_service_label,
    clock_state_label,
    incident_event_label,
    incident_status_label,
    severity_label,
)
from client_admin.ui.page import Page, fill_table, local_time, make_table
from client_admin.ui.services import AppServices

# Text and background of a clock cell by state.
CLOCK_COLOURS = {
    "running": ("#1b5e20", None),
    "escalated": ("#e65100", "#fff3e0"),
    "breached": ("#ffffff", "#c62828"),
    "met": ("#2e7d32", None),
    "missed": ("#880e4f", "#fce4ec"),
}
ALERT_STYLE = ("color: #ffffff; background: #c62828; font-weight: bold; padding: 4px;")
# The list is read again this often, so changes made at another desk show up.
REFRESH_SECONDS = 60
SERVICES = ("prescribing", "review", "circulation", "purchase", "other")
COLUMNS = 8
RESPOND_COLUMN, FIX_COLUMN = 6, 7


class IncidentsView(Page):
    def __init__(self, services: AppServices, parent: QWidget | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        super().__init__(services, parent)
        self.monotonic = monotonic
        self.rows: list[IncidentRow] = []
        self.read_at = 0.0
        self.clock_states: dict[tuple[str, str], str] = {}
        self.detail: dict[str, Any] | None = None
        self.report: dict[str, Any] | None = None
        manage = services.can("incident.manage")

        self.unresolved = QCheckBox(self.tr("Unresolved only"))
        self.unresolved.toggled.connect(lambda _on: self.load_incidents())
        refresh = QPushButton(self.tr("Refresh"))
        refresh.clicked.connect(self.load)
        bar = QHBoxLayout()
        bar.addWidget(self.unresolved)
        bar.addStretch(1)
        bar.addWidget(refresh)
        self.alert = QLabel()
        self.alert.setObjectName("alert")
        self.alert.setStyleSheet(ALERT_STYLE)
        self.alert.setWordWrap(True)
        self.alert.hide()

        self.table = make_table([self.tr("Number"), self.tr("Severity"), self.tr("Title"),
                                 self.tr("Affected"), self.tr("Status"), self.tr("Opened"),
                                 self.tr("Response clock"), self.tr("Fix clock")], "incidents")
        self.table.itemSelectionChanged.connect(self._on_selection)

        # Recording a fault.
        self.title = QLineEdit()
        self.title.setObjectName("title")
        self.title.setPlaceholderText(self.tr("What is not working, in one line"))
        self.description = QPlainTextEdit()
        self.description.setObjectName("description")
        self.description.setPlaceholderText(self.tr("Symptoms, who is affected"))
        self.description.setMaximumHeight(60)
        self.severity = QComboBox()
        self.severity.setObjectName("severity")
        for code in ("general", "serious"):
            self.severity.addItem(severity_label(code), code)
        self.service = QComboBox()
        self.service.setObjectName("service")
        for code in SERVICES:
            self.service.addItem(affected_service_label(code), code)
        self.record_button = QPushButton(self.tr("Record incident"))
        self.record_button.clicked.connect(self.record)
        form = QFormLayout()
        form.addRow(self.tr("Title"), self.title)
        form.addRow(self.tr("Description"), self.description)
        form.addRow(self.tr("Severity"), self.severity)
        form.addRow(self.tr("Affected"), self.service)
        form.addRow("", self.record_button)
        limits = QLabel(self.tr("General fault: respond within 1 hour, fix within 2 hours. "
                                "Serious fault (prescribing, circulation or purchase stopped): "
                                "respond within 15 minutes, fix within 1 hour."))
        limits.setWordWrap(True)
        form.addRow(limits)
        self.record_box = QGroupBox(self.tr("Record an incident"))
        self.record_box.setLayout(form)
        self.record_box.setVisible(manage)

        # The chosen incident: its timeline and what can be done next.
        self.summary = QLabel(self.tr("Choose an incident in the list."))
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.timeline = make_table([self.tr("Time"), self.tr("Event"), self.tr("By"),
                                    self.tr("Note")], "timeline")
        self.note = QLineEdit()
        self.note.setObjectName("note")
        self.note.setPlaceholderText(self.tr(
            "Note, response (what is being done), resolution, or the reason for a new severity"))
        self.buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        for action, text in (("acknowledge", self.tr("Take it")),
                             ("respond", self.tr("Record response")),
                             ("resolve", self.tr("Record fix")),
                             ("notes", self.tr("Add note"))):
            button = QPushButton(text)
            button.setObjectName(action)
            button.clicked.connect(lambda _c=False, a=action: self.act(a))
            self.buttons[action] = button
            actions.addWidget(button)
        self.new_severity = QComboBox()
        self.new_severity.setObjectName("new_severity")
        for code in ("general", "serious"):
            self.new_severity.addItem(severity_label(code), code)
        severity_button = QPushButton(self.tr("Change severity"))
        severity_button.setObjectName("severity_button")
        severity_button.clicked.connect(lambda: self.act("severity"))
        self.buttons["severity"] = severity_button
        actions.addStretch(1)
        actions.addWidget(self.new_severity)
        actions.addWidget(severity_button)
        detail_box = QGroupBox(self.tr("Incident"))
        detail = QVBoxLayout(detail_box)
        detail.addWidget(self.summary)
        detail.addWidget(self.timeline)
        self.actions_box = QWidget()
        actions_layout = QVBoxLayout(self.actions_box)
        actions_layout.setContentsMargins(0, 0, 0, 0)
        actions_layout.addWidget(self.note)
        actions_layout.addLayout(actions)
        self.actions_box.setVisible(manage)
        detail.addWidget(self.actions_box)

        lower = QHBoxLayout()
        lower.addWidget(self.record_box, 2)
        lower.addWidget(detail_box, 3)
        incidents_tab = QWidget()
        incidents_layout = QVBoxLayout(incidents_tab)
        incidents_layout.addWidget(self.table, 3)
        incidents_layout.addLayout(lower, 2)

        # The monthly report.
        self.month = QComboBox()
        self.month.setObjectName("month")
        self.month.activated.connect(lambda _i: self.load_report(self.month.currentData()))
        month_bar = QHBoxLayout()
        month_bar.addWidget(QLabel(self.tr("Month (Beijing time)")))
        month_bar.addWidget(self.month)
        month_bar.addStretch(1)
        self.report_table = make_table(
            [self.tr("Severity"), self.tr("Incidents recorded"), self.tr("Response met"),
             self.tr("Response missed"), self.tr("Response running"), self.tr("Fix met"),
             self.tr("Fix missed"), self.tr("Fix running")], "report")
        self.missed_table = make_table([self.tr("Number"), self.tr("Title"),
                                        self.tr("Severity"), self.tr("Opened"),
                                        self.tr("Clocks missed")], "missed")
        report_tab = QWidget()
        report_layout = QVBoxLayout(report_tab)
        report_layout.addLayout(month_bar)
        report_layout.addWidget(self.report_table, 1)
        report_layout.addWidget(QLabel(self.tr("Incidents that missed a clock")))
        report_layout.addWidget(self.missed_table, 2)

        self.tabs = QTabWidget()
        self.tabs.addTab(incidents_tab, self.tr("Incidents"))
        self.tabs.addTab(report_tab, self.tr("Monthly report"))
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.alert)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs)

        self.ticks = 0
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self._enable()

    # -- reading ----------------------------------------------------------------------------

    def load(self) -> None:
        super().load()
        self.load_incidents()
        self.load_report(self.month.currentData())

    def load_incidents(self) -> None:
        admin, unresolved = self.services.admin, self.unresolved.isChecked()
        self.call(lambda: admin.incidents(unresolved=unresolved), self.show_incidents,
                  latest="incidents")

    def load_report(self, month: str | None) -> None:
        self.call(lambda: self.services.admin.incident_report(month), self.show_report,
                  latest="report")

    def show_incidents(self, incidents: list[dict[str, Any]]) -> None:
        chosen = self.selected()
        self.rows = by_urgency([IncidentRow.of(i) for i in incidents])
        self.read_at = self.monotonic()
        self.table.blockSignals(True)
        fill_table(self.table, [[r.number, severity_label(r.severity), r.title,
                                 affected_service_label(r.service),
                                 incident_status_label(r.status), local_time(
                                     r.opened_at.isoformat()), "", ""] for r in self.rows],
                   ["#b71c1c" if r.severity == "serious" else None for r in self.rows])
        for r, row in enumerate(self.rows):
            if chosen is not None and row.id == chosen.id:
                self.table.selectRow(r)
        self.table.blockSignals(False)
        self.tick()
        if any(c.remaining is not None for r in self.rows for c in r.clocks()):
            self.timer.start()
        else:
            self.timer.stop()
        self._on_selection()

    def tick(self) -> None:
        """Count every clock down to now; raise the ones that have just escalated or run
        out; read the list again every REFRESH_SECONDS."""
        elapsed = self.monotonic() - self.read_at
        states: dict[tuple[str, str], str] = {}
        for r, row in enumerate(self.rows):
            for column, clock in ((RESPOND_COLUMN, row.respond), (FIX_COLUMN, row.fix)):
                state, left = clock.at(elapsed)
                states[(row.id, clock.name)] = state
                self._paint_clock(r, column, clock, state, left)
        raised = newly_escalated(self.clock_states, states) if self.clock_states else [
            (key[0], key[1], state) for key, state in states.items()
            if state in ("escalated", "breached")]
        self.clock_states = states
        if raised:
            self._raise_alert(raised, elapsed)
        elif not any(s in ("escalated", "breached") for s in states.values()):
            self.alert.hide()
        self.ticks += 1
        if self.timer.isActive() and self.ticks % REFRESH_SECONDS == 0 and not self.busy:
            self.load_incidents()

    def _paint_clock(self, r: int, column: int, clock: Clock, state: str,
                     left: float | None) -> None:
        if left is None:
            text = self.tr("%1 at %2").replace("%1", clock_state_label(state)).replace(
                "%2", local_time(clock.stopped_at.isoformat() if clock.stopped_at else None))
        elif left > 0:
            text = self.tr("%1 left").replace("%1", countdown(left))
            if state == "escalated":
                text += " · " + clock_state_label(state)
        else:
            text = self.tr("Overdue by %1").replace("%1", countdown(left))
        item = QTableWidgetItem(text)
        foreground, background = CLOCK_COLOURS.get(state, ("#000000", None))
        item.setForeground(QColor(foreground))
        if background:
            item.setBackground(QColor(background))
        item.setData(Qt.ItemDataRole.UserRole, state)
        self.table.setItem(r, column, item)

    def _raise_alert(self, raised: list[tuple[str, str, str]], elapsed: float) -> None:
        by_id = {r.id: r for r in self.rows}
        lines = []
        for incident_id, name, state in raised:
            row = by_id[incident_id]
            clock = row.respond if name == "respond" else row.fix
            which = self.tr("response") if name == "respond" else self.tr("fix")
            if state == "breached":
                line = self.tr("%1 %2 (%3): the %4 deadline %5 has passed; escalate now.")
            else:
                line = self.tr("%1 %2 (%3): the %4 deadline %5 is close, %6 left; "
                               "act now.")
                _state, left = clock.at(elapsed)
                line = line.replace("%6", countdown(left or 0))
            lines.append(line.replace("%1", severity_label(row.severity))
                         .replace("%2", row.number).replace("%3", row.title)
                         .replace("%4", which)
                         .replace("%5", local_time(clock.due_at.isoformat())))
        self.alert.setText("\n".join(lines))
        self.alert.show()

    # -- the chosen incident ------------------------------------------------------------------

    def selected(self) -> IncidentRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.rows):
            return None
        return self.rows[rows[0].row()]

    def select(self, number: str) -> None:
        for r, row in enumerate(self.rows):
            if row.number == number:
                self.table.selectRow(r)

    def _on_selection(self) -> None:
        self._enable()
        row = self.selected()
        if row is None:
            self.detail = None
            self.summary.setText(self.tr("Choose an incident in the list."))
            self.timeline.setRowCount(0)
            return
        self.call(lambda: self.services.admin.incident(row.id), self.show_detail, latest="detail")

    def show_detail(self, incident: dict[str, Any]) -> None:
        self.detail = incident
        self.summary.setText(self.tr("%1 · %2 · %3 · recorded by %4 at %5\n%6")
                             .replace("%1", incident["number"])
                             .replace("%2", severity_label(incident["severity"]))
                             .replace("%3", incident_status_label(incident["status"]))
                             .replace("%4", incident["reported_by_name"])
                             .replace("%5", local_time(incident["opened_at"]))
                             .replace("%6", incident.get("description") or incident["title"]))
        events = incident.get("events") or []
        fill_table(self.timeline, [[local_time(e["at"]), incident_event_label(e["kind"]),
                                    e["actor_name"], e.get("note") or ""] for e in events],
                   ["#b71c1c" if e["kind"].endswith(("_breached", "_escalated")) else None
                    for e in events])

    def _enable(self) -> None:
        row = self.selected()
        for action, button in self.buttons.items():
            button.setEnabled(row is not None and row.allows(action))

    def act(self, action: str) -> None:
        row = self.selected()
        if row is None or not row.allows(action):
            return
        text = self.note.text().strip()
        if action in TEXT_REQUIRED and not text:
            self.show_error({
                "respond": self.tr("Write what is being done in the note field."),
                "resolve": self.tr("Write the cause and the fix in the note field."),
                "notes": self.tr("Write the note first."),
                "severity": self.tr("Write the reason for the new severity in the note "
                                    "field."),
            }[action])
            self.note.setFocus()
            return
        bodies: dict[str, dict[str, Any]] = {
            "acknowledge": {"note": text or None},
            "respond": {"note": text},
            "resolve": {"resolution": text},
            "notes": {"note": text},
            "severity": {"severity": self.new_severity.currentData(), "reason": text},
        }
        body = bodies[action]
        self.call(lambda: self.services.admin.incident_action(row.id, action, body),
                  lambda changed: self._on_changed(action, changed))

    def _on_changed(self, action: str, incident: dict[str, Any]) -> None:
        self.note.clear()
        self.show_info({
            "acknowledge": self.tr("%1 taken."),
            "respond": self.tr("Response to %1 recorded."),
            "resolve": self.tr("%1 recorded as fixed."),
            "notes": self.tr("Note added to %1."),
            "severity": self.tr("Severity of %1 changed; its clocks follow the new one."),
        }[action].replace("%1", incident["number"]))
        self.load_incidents()
        self.load_report(self.month.currentData())

    # -- recording ----------------------------------------------------------------------------

    def record(self) -> None:
        title = self.title.text().strip()
        if not title:
            self.show_error(self.tr("Title: say in one line what is not working."))
            self.title.setFocus()
            return
        body = {"title": title,
                "description": self.description.toPlainText().strip() or None,
                "severity": self.severity.currentData(), "service": self.service.currentData()}
        self.call(lambda: self.services.admin.open_incident(body), self._on_recorded)

    def _on_recorded(self, incident: dict[str, Any]) -> None:
        self.title.clear()
        self.description.clear()
        self.show_info(self.tr("%1 recorded; its clocks are running.")
                       .replace("%1", incident["number"]))
        number = incident["number"]

        def then_select(incidents: list[dict[str, Any]]) -> None:
            self.show_incidents(incidents)
            self.select(number)

        admin, unresolved = self.services.admin, self.unresolved.isChecked()
        self.call(lambda: admin.incidents(unresolved=unresolved), then_select,
                  latest="incidents")
        self.load_report(self.month.currentData())

    # -- the monthly report -------------------------------------------------------------------

    def show_report(self, report: dict[str, Any]) -> None:
        self.report = report
        year, month = (int(part) for part in report["month"].split("-"))
        if self.month.findData(report["month"]) < 0:
            self.month.clear()
            for value in recent_months(date(year, month, 1)):
                self.month.addItem(value, value)
        self.month.setCurrentIndex(self.month.findData(report["month"]))
        rows = [ReportRow.of(s) for s in report["severities"]]
        fill_table(self.report_table, [[severity_label(r.severity)]
                                       + [str(n) for n in r.cells()] for r in rows],
                   ["#b71c1c" if r.respond_missed or r.fix_missed else None for r in rows])
        names = {"respond": self.tr("response"), "fix": self.tr("fix")}
        fill_table(self.missed_table, [
            [m["number"], m["title"], severity_label(m["severity"]),
             local_time(m["opened_at"]), "、".join(names.get(c, c) for c in m["missed"])]
            for m in report["missed"]])

    def clock_text(self, number: str, name: str) -> tuple[str, str]:
        """What the list shows for an incident's clock, and its state (for tests)."""
        for r, row in enumerate(self.rows):
            if row.number == number:
                item = self.table.item(r, RESPOND_COLUMN if name == "respond" else FIX_COLUMN)
                if item is None:
                    return "", ""
                return item.text(), str(item.data(Qt.ItemDataRole.UserRole))
        raise KeyError(number)
