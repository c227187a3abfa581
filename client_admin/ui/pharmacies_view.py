"""Pharmacy onboarding (遴选): applications to approve or refuse, approved pharmacies to
suspend and reinstate, each with a reason; the status history of the selected one."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QSplitter, QVBoxLayout, QWidget

from client_admin.ui.labels import org_status_label
from client_admin.ui.page import Page, fill_table, local_time, make_table
from client_admin.ui.services import AppServices

# action -> the statuses it applies to, and whether the server requires a reason
ACTIONS = {"approve": (("pending",), False), "refuse": (("pending",), True),
           "suspend": (("active",), True), "reinstate": (("suspended",), True)}


class PharmaciesView(Page):
    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(services, parent)
        self.pharmacies: list[dict[str, Any]] = []
        self.status = QComboBox()
        self.status.setObjectName("status")
        self.status.addItem(self.tr("All"), None)
        for code in ("pending", "active", "suspended", "refused"):
            self.status.addItem(org_status_label(code), code)
        self.status.currentIndexChanged.connect(self.load)
        self.table = make_table([self.tr("Code"), self.tr("Name"), self.tr("Status"),
                                 self.tr("Address"), self.tr("Phone")], "pharmacies")
        self.table.itemSelectionChanged.connect(self._on_table_item_selection_changed)
        self.history = make_table([self.tr("Time"), self.tr("From"), self.tr("To"),
                                   self.tr("By"), self.tr("Reason")], "history")
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        bar.addWidget(self.status)
        for action, text in [("approve", self.tr("Approve")), ("refuse", self.tr("Refuse…")),
                             ("suspend", self.tr("Suspend…")),
                             ("reinstate", self.tr("Reinstate…"))]:
            button = QPushButton(text)
            button.setObjectName(action)
            button.setEnabled(False)
            button.setProperty("action", action)
            button.clicked.connect(self._on_action_button_clicked)
            self.buttons[action] = button
            bar.addWidget(button)
        bar.addStretch(1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.history)
        split.setSizes([420, 200])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)

    def load(self) -> None:
        super().load()
        admin, status = self.services.admin, self.status.currentData()
        self.call(lambda: admin.pharmacies(status=status), self._on_loaded, latest="pharmacies")

    def _on_loaded(self, pharmacies: list[dict[str, Any]]) -> None:
        self.pharmacies = pharmacies
        fill_table(self.table, [[p["code"], p["name"], p["status_label"],
                                 p.get("address") or "", p.get("phone") or ""]
                                for p in pharmacies],
                   [{"pending": "#e65100", "suspended": "#b71c1c"}.get(p["status"])
                    for p in pharmacies])
        self.history.setRowCount(0)
        self._enable()

    def selected(self) -> dict[str, Any] | None:
        row = self.table.currentRow()
        return self.pharmacies[row] if 0 <= row < len(self.pharmacies) else None

    def _enable(self) -> None:
        pharmacy = self.selected()
        for action, (statuses, _reason) in ACTIONS.items():
            self.buttons[action].setEnabled(pharmacy is not None
                                            and pharmacy["status"] in statuses)

    def _on_table_item_selection_changed(self) -> None:
        self._enable()
        pharmacy = self.selected()
        if pharmacy is not None:
            admin = self.services.admin
            self.call(lambda: admin.pharmacy_history(pharmacy["id"]), self._on_history_loaded,
                      latest="history")

    def _on_history_loaded(self, history: list[dict[str, Any]]) -> None:
        fill_table(self.history, [[local_time(h["changed_at"]),
                                   org_status_label(h["from_status"] or ""),
                                   org_status_label(h["to_status"]), h["changed_by_name"],
                                   h.get("reason") or ""] for h in reversed(history)])

    def change_status(self, pharmacy: dict[str, Any], action: str, reason: str | None) -> None:
        admin = self.services.admin
        self.call(lambda: admin.change_pharmacy_status(pharmacy["id"], action,
                                                       version=pharmacy["version"],
                                                       reason=reason), self._on_changed)

    def _on_changed(self, pharmacy: dict[str, Any]) -> None:
        self.show_info(self.tr("%1: %2").replace("%1", pharmacy["name"])
                       .replace("%2", pharmacy["status_label"]))
        self.load()

    def _on_action_button_clicked(self) -> None:
        button = self.sender()
        if isinstance(button, QPushButton):
            self._on_action_clicked(str(button.property("action")))

    def _on_action_clicked(self, action: str) -> None:
        pharmacy = self.selected()
        if pharmacy is None:
            return
        reason = None
        if ACTIONS[action][1]:
            reason = self.ask_reason(self.buttons[action].text().rstrip("…"))
            if reason is None:
                return
        self.change_status(pharmacy, action, reason)
