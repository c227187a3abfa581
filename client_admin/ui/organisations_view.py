"""Organisations and departments: the group's tree, and adding a hospital, clinic, pharmacy
or department under the selected organisation."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client_admin.ui.labels import org_kind_label, org_status_label
from client_admin.ui.page import Page
from client_admin.ui.services import AppServices

CHILD_KINDS = {"group": ("hospital", "clinic", "pharmacy"), "hospital": ("department",),
               "clinic": ("department",)}


class OrganisationDialog(QDialog):
    def __init__(self, parent_org: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New organisation under %1").replace(
            "%1", parent_org["name"]))
        form = QFormLayout(self)
        self.kind = QComboBox()
        for kind in CHILD_KINDS.get(parent_org["kind"], ()):
            self.kind.addItem(org_kind_label(kind), kind)
        self.code = QLineEdit()
        self.name = QLineEdit()
        self.address = QLineEdit()
        self.phone = QLineEdit()
        form.addRow(self.tr("Kind"), self.kind)
        form.addRow(self.tr("Code"), self.code)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Address"), self.address)
        form.addRow(self.tr("Phone"), self.phone)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def body(self, parent_id: str) -> dict[str, Any]:
        return {"kind": self.kind.currentData(), "code": self.code.text().strip(),
                "name": self.name.text().strip(), "parent_id": parent_id,
                "address": self.address.text().strip() or None,
                "phone": self.phone.text().strip() or None}


class OrganisationsView(Page):
    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(services, parent)
        self.organisations: list[dict[str, Any]] = []
        self.tree = QTreeWidget()
        self.tree.setObjectName("organisations")
        self.tree.setHeaderLabels([self.tr("Name"), self.tr("Kind"), self.tr("Code"),
                                   self.tr("Status"), self.tr("Address"), self.tr("Phone")])
        self.tree.setColumnWidth(0, 260)
        self.add_button = QPushButton(self.tr("Add under selected…"))
        self.add_button.setObjectName("add")
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.add_button.setEnabled(services.can("org.manage"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.tree, 1)

    def load(self) -> None:
        super().load()
        admin = self.services.admin
        self.call(admin.organisations, self._on_loaded)

    def _on_loaded(self, organisations: list[dict[str, Any]]) -> None:
        self.organisations = organisations
        self.tree.clear()
        items: dict[str, QTreeWidgetItem] = {}
        pending = list(organisations)
        # Parents first: the list is not ordered by depth.
        while pending:
            rest = []
            for org in pending:
                parent_id = str(org["parent_id"]) if org["parent_id"] else None
                if parent_id and parent_id not in items and any(
                        str(o["id"]) == parent_id for o in pending):
                    rest.append(org)
                    continue
                item = QTreeWidgetItem([org["name"], org_kind_label(org["kind"]), org["code"],
                                        org_status_label(org["status"]),
                                        org.get("address") or "", org.get("phone") or ""])
                item.setData(0, Qt.ItemDataRole.UserRole, str(org["id"]))
                parent_item = items.get(parent_id or "")
                if parent_item is not None:
                    parent_item.addChild(item)
                else:
                    self.tree.addTopLevelItem(item)
                items[str(org["id"])] = item
            if len(rest) == len(pending):
                break
            pending = rest
        self.tree.expandToDepth(1)

    def selected(self) -> dict[str, Any] | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        org_id = item.data(0, Qt.ItemDataRole.UserRole)
        return next((o for o in self.organisations if str(o["id"]) == org_id), None)

    def add_organisation(self, body: dict[str, Any]) -> None:
        admin = self.services.admin
        self.call(lambda: admin.create_organisation(body), self._on_created)

    def _on_created(self, org: dict[str, Any]) -> None:
        self.show_info(self.tr("%1 added.").replace("%1", org["name"]))
        self.load()

    def _on_add_button_clicked(self) -> None:
        parent_org = self.selected()
        if parent_org is None or parent_org["kind"] not in CHILD_KINDS:
            self.show_error(self.tr("Select the group, a hospital or a clinic first."))
            return
        dialog = OrganisationDialog(parent_org, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.add_organisation(dialog.body(str(parent_org["id"])))
        dialog.deleteLater()
