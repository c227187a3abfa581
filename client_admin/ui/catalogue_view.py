"""The catalogue (同质化目录): proposals to approve or refuse, products to suspend, reinstate
or withdraw (with a reason), price versions, and the chronic-disease list (the products
marked for it)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from client_admin.ui.labels import drug_class_label, product_status_label
from client_admin.ui.page import Page, fill_table, local_time, make_table
from client_admin.ui.services import AppServices

ACTIONS = {"approve": (("proposed",), False), "refuse": (("proposed",), True),
           "suspend": (("active",), True), "reinstate": (("suspended",), True),
           "withdraw": (("active", "suspended"), True)}


class CatalogueView(Page):
    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(services, parent)
        self.products: list[dict[str, Any]] = []
        self.detail: dict[str, Any] | None = None
        self.status = QComboBox()
        self.status.setObjectName("status")
        for code in ("proposed", "active", "suspended", "withdrawn", "refused"):
            self.status.addItem(product_status_label(code), code)
        self.status.addItem(self.tr("All"), None)
        self.status.currentIndexChanged.connect(self.load)
        self.chronic_only = QCheckBox(self.tr("Chronic-disease list only"))
        self.chronic_only.setObjectName("chronic_only")
        self.chronic_only.toggled.connect(self.show_products)
        self.table = make_table([self.tr("Generic name"), self.tr("Brand"),
                                 self.tr("Specification"), self.tr("Package"),
                                 self.tr("Manufacturer"), self.tr("Drug class"),
                                 self.tr("Chronic list"), self.tr("Status")], "products")
        self.table.itemSelectionChanged.connect(self._on_table_item_selection_changed)
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        bar.addWidget(self.status)
        bar.addWidget(self.chronic_only)
        for action, text in [("approve", self.tr("Approve")), ("refuse", self.tr("Refuse…")),
                             ("suspend", self.tr("Suspend…")),
                             ("reinstate", self.tr("Reinstate…")),
                             ("withdraw", self.tr("Withdraw…"))]:
            button = QPushButton(text)
            button.setObjectName(action)
            button.setEnabled(False)
            button.setProperty("action", action)
            button.clicked.connect(self._on_action_button_clicked)
            self.buttons[action] = button
            bar.addWidget(button)
        bar.addStretch(1)
        self.prices = make_table([self.tr("Price (yuan)"), self.tr("Effective from"),
                                  self.tr("Note"), self.tr("Entered by"), self.tr("Entered at")],
                                 "prices")
        self.price = QLineEdit()
        self.price.setObjectName("price")
        self.price.setPlaceholderText("12.50")
        self.effective = QDateEdit(QDate.currentDate())
        self.effective.setCalendarPopup(True)
        self.effective.setDisplayFormat("yyyy-MM-dd")
        self.note = QLineEdit()
        self.add_price_button = QPushButton(self.tr("Add price version"))
        self.add_price_button.setObjectName("add_price")
        self.add_price_button.clicked.connect(self._on_add_price_button_clicked)
        price_form = QFormLayout()
        price_form.addRow(self.tr("New price (yuan)"), self.price)
        price_form.addRow(self.tr("Effective from"), self.effective)
        price_form.addRow(self.tr("Note"), self.note)
        price_form.addRow(self.add_price_button)
        prices_box = QGroupBox(self.tr("Price versions of the selected product"))
        prices_layout = QHBoxLayout(prices_box)
        prices_layout.addWidget(self.prices, 3)
        prices_layout.addLayout(price_form, 2)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(prices_box)
        split.setSizes([440, 220])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)

    def load(self) -> None:
        super().load()
        admin, status = self.services.admin, self.status.currentData()
        self.call(lambda: admin.products(status=status), self._on_loaded, latest="products")

    def _on_loaded(self, products: list[dict[str, Any]]) -> None:
        self.products = products
        self.show_products()

    def shown(self) -> list[dict[str, Any]]:
        return [p for p in self.products
                if not self.chronic_only.isChecked() or p["chronic_list"]]

    def show_products(self) -> None:
        fill_table(self.table, [[p["generic_name"], p.get("brand_name") or "",
                                 p["specification"], p["package"], p["manufacturer"],
                                 drug_class_label(p["drug_class"]),
                                 self.tr("Yes") if p["chronic_list"] else "",
                                 product_status_label(p["status"])] for p in self.shown()])
        self.prices.setRowCount(0)
        self.detail = None
        self._enable()

    def selected(self) -> dict[str, Any] | None:
        shown, row = self.shown(), self.table.currentRow()
        return shown[row] if 0 <= row < len(shown) else None

    def _enable(self) -> None:
        product = self.selected()
        for action, (statuses, _reason) in ACTIONS.items():
            self.buttons[action].setEnabled(product is not None
                                            and product["status"] in statuses)
        self.add_price_button.setEnabled(product is not None
                                         and product["status"] in ("proposed", "active",
                                                                   "suspended"))

    def _on_table_item_selection_changed(self) -> None:
        self._enable()
        product = self.selected()
        if product is not None:
            admin = self.services.admin
            self.call(lambda: admin.product(product["id"]), self.show_detail, latest="detail")

    def show_detail(self, detail: dict[str, Any]) -> None:
        self.detail = detail
        fill_table(self.prices, [[str(p["price"]), p["effective_from"], p.get("note") or "",
                                  p["created_by_name"], local_time(p["created_at"])]
                                 for p in detail["prices"]])

    def change_status(self, product: dict[str, Any], action: str, reason: str | None) -> None:
        admin = self.services.admin
        self.call(lambda: admin.change_product_status(product["id"], action,
                                                      version=product["version"],
                                                      reason=reason), self._on_changed)

    def _on_changed(self, product: dict[str, Any]) -> None:
        self.show_info(self.tr("%1: %2").replace("%1", product["generic_name"])
                       .replace("%2", product_status_label(product["status"])))
        self.load()

    def add_price(self, product: dict[str, Any], price: str, effective_from: str,
                  note: str | None) -> None:
        admin = self.services.admin
        self.call(lambda: admin.add_price(product["id"], price=price,
                                          effective_from=effective_from, note=note),
                  self._on_price_added)

    def _on_price_added(self, detail: dict[str, Any]) -> None:
        self.show_detail(detail)
        self.show_info(self.tr("Price version added."))

    def _on_add_price_button_clicked(self) -> None:
        product = self.selected()
        if product is not None:
            self.add_price(product, self.price.text().strip(),
                           self.effective.date().toString("yyyy-MM-dd"),
                           self.note.text().strip() or None)

    def _on_action_button_clicked(self) -> None:
        button = self.sender()
        if isinstance(button, QPushButton):
            self._on_action_clicked(str(button.property("action")))

    def _on_action_clicked(self, action: str) -> None:
        product = self.selected()
        if product is None:
            return
        reason = None
        if ACTIONS[action][1]:
            reason = self.ask_reason(self.buttons[action].text().rstrip("…"))
            if reason is None:
                return
        self.change_status(product, action, reason)
