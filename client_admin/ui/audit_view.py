"""Audit and trace: run the hash-chain verification and see plainly whether the log is
intact or where it was broken; search the audit log (who, what, when, which record); trace a
prescription or a traceability code through every node. Auditors see the log, and anyone
with the trace right the traces."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from client_admin.audit import AuditSearch, Verification, trace_target
from client_admin.statistics import china_today, day_start
from client_admin.ui.labels import outcome_label, role_label, source_label
from client_admin.ui.page import Page, fill_table, local_time, make_table
from client_admin.ui.services import AppServices, failure_text

OK_STYLE = ("background: #e8f5e9; color: #1b5e20; border: 2px solid #2e7d32; padding: 8px;"
            " font-weight: bold;")
BROKEN_STYLE = ("background: #ffebee; color: #b71c1c; border: 2px solid #c62828; padding: 8px;"
                " font-weight: bold;")


class AuditView(Page):
    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(services, parent)
        self.events: list[dict[str, Any]] = []
        self.verification: Verification | None = None
        self.trace: dict[str, Any] | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        split = QSplitter(Qt.Orientation.Vertical)
        layout.addWidget(split, 1)

        self.verify_box = QGroupBox(self.tr("Audit chain"))
        self.verify_button = QPushButton(self.tr("Verify the audit chain"))
        self.verify_button.setObjectName("verify")
        self.verify_button.clicked.connect(self.verify)
        self.verify_result = QLabel(self.tr("Not verified in this session."))
        self.verify_result.setObjectName("verify_result")
        self.verify_result.setWordWrap(True)
        box = QHBoxLayout(self.verify_box)
        box.addWidget(self.verify_button)
        box.addWidget(self.verify_result, 1)

        self.search_box = QGroupBox(self.tr("Audit log"))
        self.action = QLineEdit()
        self.action.setObjectName("action")
        self.action.setPlaceholderText(self.tr("e.g. user.freeze"))
        self.entity_type = QLineEdit()
        self.entity_type.setObjectName("entity_type")
        self.entity_type.setPlaceholderText(self.tr("e.g. staff_user"))
        self.entity_id = QLineEdit()
        self.entity_id.setObjectName("entity_id")
        self.use_dates = QCheckBox(self.tr("Between"))
        self.since = QDateEdit(QDate(china_today()).addDays(-7))
        self.until = QDateEdit(QDate(china_today()))
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        search = QPushButton(self.tr("Search"))
        search.setObjectName("search")
        search.clicked.connect(self.search)
        filters = QHBoxLayout()
        for label, widget in [(self.tr("Action"), self.action),
                              (self.tr("Record type"), self.entity_type),
                              (self.tr("Record id"), self.entity_id)]:
            filters.addWidget(QLabel(label))
            filters.addWidget(widget, 1)
        filters.addWidget(self.use_dates)
        filters.addWidget(self.since)
        filters.addWidget(QLabel("–"))
        filters.addWidget(self.until)
        filters.addWidget(search)
        self.events_table = make_table([self.tr("No."), self.tr("Time"), self.tr("Who"),
                                        self.tr("Role"), self.tr("Workstation"), self.tr("IP"),
                                        self.tr("Action"), self.tr("Record"),
                                        self.tr("Outcome"), self.tr("Details")], "events")
        self.total = QLabel()
        box2 = QVBoxLayout(self.search_box)
        box2.addLayout(filters)
        box2.addWidget(self.events_table, 1)
        box2.addWidget(self.total)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.verify_box)
        top_layout.addWidget(self.search_box, 1)
        split.addWidget(top)
        if not services.can("audit.read"):
            self.search_box.hide()
        if not services.can("audit.verify"):
            self.verify_box.hide()
        if not (services.can("audit.read") or services.can("audit.verify")):
            top.hide()

        self.trace_box = QGroupBox(self.tr("Trace"))
        self.trace_input = QLineEdit()
        self.trace_input.setObjectName("trace_input")
        self.trace_input.setPlaceholderText(self.tr(
            "Prescription id, or a traceability code (20 digits or GS1)"))
        self.trace_input.returnPressed.connect(self._on_trace_clicked)
        trace_button = QPushButton(self.tr("Trace"))
        trace_button.setObjectName("trace")
        trace_button.clicked.connect(self._on_trace_clicked)
        self.trace_title = QLabel()
        self.trace_title.setObjectName("trace_title")
        self.trace_table = make_table([self.tr("Time"), self.tr("Step"), self.tr("Operator"),
                                       self.tr("Role"), self.tr("Organisation"),
                                       self.tr("Workstation"), self.tr("Details")], "trace")
        row = QHBoxLayout()
        row.addWidget(self.trace_input, 1)
        row.addWidget(trace_button)
        box3 = QVBoxLayout(self.trace_box)
        box3.addLayout(row)
        box3.addWidget(self.trace_title)
        box3.addWidget(self.trace_table, 1)
        split.addWidget(self.trace_box)
        if not services.can("trace.read"):
            self.trace_box.hide()

    def load(self) -> None:
        super().load()
        if self.services.can("audit.read"):
            self.search()

    # -- verification --------------------------------------------------------------------------

    def verify(self) -> None:
        self.verify_button.setEnabled(False)
        self.verify_result.setStyleSheet("")
        self.verify_result.setText(self.tr("Verifying…"))
        self.call(self.services.admin.verify_audit, self._on_verified, self._on_verify_failed)

    def _on_verify_failed(self, exc: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self.verify_result.setText(failure_text(exc))
        self.verify_result.setStyleSheet(BROKEN_STYLE)

    def _on_verified(self, answer: dict[str, Any]) -> None:
        self.verify_button.setEnabled(True)
        result = self.verification = Verification.of(answer)
        if result.ok:
            text = self.tr("INTACT: %1 events and %2 signed checkpoints verified, up to No. %3.")\
                .replace("%1", str(result.events_checked))\
                .replace("%2", str(result.checkpoints_checked))\
                .replace("%3", str(result.head_seq))
        else:
            text = self.tr("BROKEN: the audit log was changed. %1").replace("%1", result.message)
            if result.first_broken_seq is not None:
                text += "\n" + self.tr("First broken event: No. %1. Search it below.").replace(
                    "%1", str(result.first_broken_seq))
        if result.warnings:
            text += "\n" + "；".join(result.warnings)
        self.verify_result.setText(text)
        self.verify_result.setStyleSheet(OK_STYLE if result.ok else BROKEN_STYLE)

    # -- search --------------------------------------------------------------------------------

    def criteria(self) -> AuditSearch:
        criteria = AuditSearch(self.action.text(), self.entity_type.text(),
                               self.entity_id.text())
        if self.use_dates.isChecked():
            criteria.since = _day_start(self.since.date())
            criteria.until = _day_start(self.until.date().addDays(1))
        return criteria

    def search(self) -> None:
        admin, params = self.services.admin, self.criteria().params()
        self.call(lambda: admin.audit_events(**params), self._on_events_loaded, latest="events")

    def _on_events_loaded(self, page: dict[str, Any]) -> None:
        self.events = page["items"]
        fill_table(self.events_table, [
            [str(e["seq"]), local_time(e["occurred_at"]), e.get("actor_name") or "",
             role_label(e.get("actor_role") or ""), e.get("workstation") or "",
             e.get("ip") or "", e["action"],
             " ".join(x for x in (e.get("entity_type"), e.get("entity_id")) if x),
             outcome_label(e["outcome"]), _summary(e.get("summary") or {})] for e in self.events],
            [None if e["outcome"] == "success" else "#b71c1c" for e in self.events])
        self.total.setText(self.tr("%1 of %2 events (newest first) · served by %3")
                           .replace("%1", str(len(self.events)))
                           .replace("%2", str(page["total"]))
                           .replace("%3", source_label(page["served_by"])))

    # -- trace ---------------------------------------------------------------------------------

    def trace_of(self, text: str) -> None:
        target = trace_target(text)
        if target is None:
            self.show_error(self.tr("Enter a prescription id or a traceability code."))
            return
        admin = self.services.admin
        fetch = (lambda: admin.prescription_trace(target.value)) \
            if target.kind == "prescription" else (lambda: admin.code_trace(target.value))
        self.call(fetch, self._on_trace_loaded, latest="trace")

    def _on_trace_loaded(self, trace: dict[str, Any]) -> None:
        self.trace = trace
        self.message.clear()
        status = trace.get("status") or {}
        self.trace_title.setText(self.tr("Prescription %1 · %2%3")
                                 .replace("%1", trace["prescription_number"])
                                 .replace("%2", str(status.get("label") or ""))
                                 .replace("%3", self.tr(" · package %1").replace(
                                     "%1", trace["focus_code"]) if trace.get("focus_code")
                                          else ""))
        fill_table(self.trace_table, [
            [local_time(n.get("at")), n["label"], n.get("operator") or "",
             role_label(n.get("operator_role") or ""), n.get("organisation") or "",
             n.get("workstation") or "", _summary(n.get("data") or {})]
            for n in trace["nodes"]])

    def _on_trace_clicked(self) -> None:
        self.trace_of(self.trace_input.text())


def _summary(data: dict[str, Any]) -> str:
    return "；".join(f"{k}={v}" for k, v in data.items() if v not in (None, "", [], {}))


def _day_start(day: QDate) -> datetime:
    return day_start(day.toPython())  # type: ignore[arg-type]

