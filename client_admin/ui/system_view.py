"""System: is the server up, is the primary database up and its schema current, how far
behind each read replica is (statistics and searches read from the replicas), the queue of
outgoing messages to patients (SMS through the gateway), the integration outbox (messages to
the hospitals' systems) with its dead letters to retry, and the kiosks' devices."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client_admin.system import destination_needs_attention, devices_in_order
from client_admin.ui.labels import device_fault_label, device_label
from client_admin.ui.page import Page, fill_table, local_time, make_table
from client_admin.ui.services import AppServices, failure_text

GOOD, BAD = "color: #1b5e20; font-weight: bold;", "color: #b71c1c; font-weight: bold;"
LAG_WARNING_SECONDS = 30.0
OUTBOX_WARNING = 100  # messages waiting: the gateway is down or slow


class SystemView(Page):
    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(services, parent)
        self.state: dict[str, Any] | None = None
        self.server = QLabel("—")
        self.server.setObjectName("server")
        self.primary = QLabel("—")
        self.primary.setObjectName("primary")
        self.migrations = QLabel("—")
        self.migrations.setObjectName("migrations")
        self.overall = QLabel("—")
        self.overall.setObjectName("overall")
        form = QFormLayout()
        form.addRow(self.tr("Server"), self.server)
        form.addRow(self.tr("Primary database"), self.primary)
        form.addRow(self.tr("Database schema"), self.migrations)
        form.addRow(self.tr("Overall"), self.overall)
        status_box = QGroupBox(self.tr("Server and database"))
        status_box.setLayout(form)
        self.replicas = make_table([self.tr("Replica"), self.tr("State"),
                                    self.tr("Lag (seconds)")], "replicas")
        self.no_replicas = QLabel(self.tr(
            "No read replica is configured: statistics and searches read from the primary."))
        self.no_replicas.setWordWrap(True)
        replicas_box = QGroupBox(self.tr("Read replicas"))
        box = QVBoxLayout(replicas_box)
        box.addWidget(self.no_replicas)
        box.addWidget(self.replicas)
        refresh = QPushButton(self.tr("Check now"))
        refresh.clicked.connect(self.load)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        columns = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        columns.addLayout(left, 2)
        columns.addLayout(right, 3)
        layout.addLayout(columns, 1)
        left.addWidget(status_box)
        left.addWidget(replicas_box)
        self.outbox_pending = QLabel("—")
        self.outbox_pending.setObjectName("outbox_pending")
        self.outbox_failed = QLabel("—")
        self.outbox_failed.setObjectName("outbox_failed")
        self.outbox_oldest = QLabel("—")
        outbox_form = QFormLayout()
        outbox_form.addRow(self.tr("Waiting to be sent"), self.outbox_pending)
        outbox_form.addRow(self.tr("Given up after retries"), self.outbox_failed)
        outbox_form.addRow(self.tr("Oldest waiting since"), self.outbox_oldest)
        self.outbox_box = QGroupBox(self.tr("Outgoing messages to patients (SMS)"))
        self.outbox_box.setLayout(outbox_form)
        self.outbox_box.setVisible(services.can("config.manage"))
        left.addWidget(self.outbox_box)
        left.addStretch(1)

        self.dead: list[dict[str, Any]] = []
        self.destinations = make_table(
            [self.tr("Destination"), self.tr("Waiting"), self.tr("Due now"),
             self.tr("Dead letters"), self.tr("Oldest waiting since")], "destinations")
        self.destinations.setMaximumHeight(120)
        self.no_destinations = QLabel(self.tr("Nothing has been sent to another system yet."))
        self.dead_letters = make_table(
            [self.tr("Destination"), self.tr("Receiver"), self.tr("Ordering key"),
             self.tr("Attempts"), self.tr("Last error"), self.tr("Given up at")],
            "dead_letters")
        self.dead_letters.itemSelectionChanged.connect(self._enable_retry)
        self.retry_button = QPushButton(self.tr("Retry"))
        self.retry_button.setObjectName("retry")
        self.retry_button.clicked.connect(self.retry)
        retry_bar = QHBoxLayout()
        retry_bar.addWidget(QLabel(self.tr(
            "Dead letters: the relay gave up on these; later messages of the same ordering "
            "key wait behind them.")), 1)
        retry_bar.addWidget(self.retry_button)
        self.integration_box = QGroupBox(self.tr("Messages to other systems (HIS)"))
        integration = QVBoxLayout(self.integration_box)
        integration.addWidget(self.no_destinations)
        integration.addWidget(self.destinations)
        integration.addLayout(retry_bar)
        integration.addWidget(self.dead_letters)
        self.integration_box.setVisible(services.can("outbox.manage"))
        right.addWidget(self.integration_box, 1)

        self.devices = make_table(
            [self.tr("Kiosk"), self.tr("Device"), self.tr("State"), self.tr("Fault"),
             self.tr("Detail"), self.tr("Since"), self.tr("Last report")], "devices")
        self.no_devices = QLabel(self.tr("No kiosk has reported its devices yet."))
        self.devices_box = QGroupBox(self.tr("Kiosk devices"))
        devices_layout = QVBoxLayout(self.devices_box)
        devices_layout.addWidget(self.no_devices)
        devices_layout.addWidget(self.devices)
        self.devices_box.setVisible(services.can("ops.read"))
        right.addWidget(self.devices_box, 1)
        self._enable_retry()

    def load(self) -> None:
        super().load()
        admin = self.services.admin

        def check() -> dict[str, Any]:
            self.services.api.health()
            return admin.readiness()

        self.call(check, self.show_state, self._on_unreachable)
        if self.services.can("config.manage"):
            self.call(admin.outbox, self.show_outbox)
        if self.services.can("outbox.manage"):
            self.load_integration()
        if self.services.can("ops.read"):
            self.call(admin.device_status, self.show_devices)

    def load_integration(self) -> None:
        admin = self.services.admin
        self.call(lambda: (admin.integration_outbox(), admin.dead_letters()),
                  lambda found: self.show_integration(*found))

    def show_integration(self, stats: dict[str, Any], dead: list[dict[str, Any]]) -> None:
        destinations = stats["destinations"]
        self.no_destinations.setVisible(not destinations)
        fill_table(self.destinations, [
            [d["destination"], str(d["pending"]), str(d["due"]), str(d["dead"]),
             local_time(d.get("oldest_pending_at"))] for d in destinations],
            ["#b71c1c" if destination_needs_attention(d) else None for d in destinations])
        self.dead = dead
        fill_table(self.dead_letters, [
            [m["destination"], m["topic"], m.get("ordering_key") or "—", str(m["attempts"]),
             m.get("last_error") or "", local_time(m.get("dead_at"))] for m in dead],
            ["#b71c1c"] * len(dead))
        self._enable_retry()

    def _selected_dead(self) -> dict[str, Any] | None:
        rows = self.dead_letters.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.dead):
            return None
        return self.dead[rows[0].row()]

    def _enable_retry(self) -> None:
        self.retry_button.setEnabled(self._selected_dead() is not None)

    def retry(self) -> None:
        message = self._selected_dead()
        if message is None:
            return
        self.call(lambda: self.services.admin.retry_dead_letter(message["id"]),
                  self._on_retried)

    def _on_retried(self, message: dict[str, Any]) -> None:
        self.show_info(self.tr("Message to %1 put back in the queue (%2).")
                       .replace("%1", message["topic"]).replace("%2", message["destination"]))
        self.load_integration()

    def show_devices(self, devices: list[dict[str, Any]]) -> None:
        ordered = devices_in_order(devices)
        self.no_devices.setVisible(not ordered)
        fill_table(self.devices, [
            [d["client_name"], device_label(d["device"]),
             self.tr("Fault") if d["state"] == "fault" else self.tr("Working"),
             device_fault_label(d.get("fault")), d.get("detail") or "",
             local_time(d["since"]), local_time(d["reported_at"])] for d in ordered])
        for r, device in enumerate(ordered):
            if device["state"] == "fault":
                for c in range(self.devices.columnCount()):
                    item = self.devices.item(r, c)
                    if item is None:
                        continue
                    item.setBackground(QColor("#ffebee"))
                    item.setForeground(QColor("#b71c1c"))

    def show_outbox(self, outbox: dict[str, Any]) -> None:
        self._mark(self.outbox_pending, outbox["pending"] < OUTBOX_WARNING,
                   str(outbox["pending"]))
        self._mark(self.outbox_failed, outbox["failed"] == 0, str(outbox["failed"]))
        self.outbox_oldest.setText(local_time(outbox.get("oldest_pending_at")))

    def _on_unreachable(self, exc: BaseException) -> None:
        self._mark(self.server, False, failure_text(exc))
        for label in (self.primary, self.migrations, self.overall):
            self._mark(label, False, "—")

    @staticmethod
    def _mark(label: QLabel, good: bool, text: str) -> None:
        label.setText(text)
        label.setStyleSheet(GOOD if good else BAD)

    def show_state(self, state: dict[str, Any]) -> None:
        self.state = state
        self.message.clear()
        self._mark(self.server, True, self.tr("Answering"))
        self._mark(self.primary, state.get("primary") == "up",
                   self.tr("Up") if state.get("primary") == "up" else self.tr("Down (%1)")
                   .replace("%1", str(state.get("error", ""))))
        at_head = state.get("migrations") == "head"
        self._mark(self.migrations, at_head, self.tr("Current") if at_head
                   else str(state.get("migrations")))
        ready = state.get("status") == "ready"
        self._mark(self.overall, ready, self.tr("Ready") if ready else self.tr("Not ready"))
        replicas = state.get("replicas") or []
        self.no_replicas.setVisible(not replicas)
        self.replicas.setVisible(bool(replicas))
        fill_table(self.replicas, [
            [r["name"], self.tr("Up") if r.get("up") else self.tr("Down (%1)").replace(
                "%1", str(r.get("error", ""))),
             f"{r['lag_seconds']:.1f}" if r.get("up") else "—"] for r in replicas],
            [None if r.get("up") and r.get("lag_seconds", 0) < LAG_WARNING_SECONDS
             else "#b71c1c" for r in replicas])
