"""System: is the server up, is the primary database up and its schema current, how far
behind each read replica is (statistics and searches read from the replicas), and the queue of
outgoing messages to patients (SMS through the gateway)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

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
        layout.addWidget(status_box)
        layout.addWidget(replicas_box)
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
        layout.addWidget(self.outbox_box)
        layout.addStretch(1)

    def load(self) -> None:
        super().load()
        admin = self.services.admin

        def check() -> dict[str, Any]:
            self.services.api.health()
            return admin.readiness()

        self.call(check, self.show_state, self._on_unreachable)
        if self.services.can("config.manage"):
            self.call(admin.outbox, self.show_outbox)

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
