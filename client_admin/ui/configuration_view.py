"""Configuration: prescription limits, review time limits, the circulation lock (how long a
pharmacy has to accept before the lock is released), and the couriers' tariffs (the version
in effect, edited as a table and saved as the next version from a date)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client_admin.configuration import (
    SETTING_KEYS,
    TARIFF_COLUMNS,
    TariffRowInvalid,
    format_field,
    parse_field,
    tariff_body,
    tariff_cells,
)
from client_admin.statistics import china_today
from client_admin.ui.labels import setting_field_label, setting_group_label
from client_admin.ui.page import Page, cell_text, fill_table, make_table
from client_admin.ui.services import AppServices

TARIFF_HEADER_INDEX = {name: i for i, name in enumerate(TARIFF_COLUMNS)}


class SettingGroup(QGroupBox):
    """One settings group as a form; `value()` reads it back typed. Its Save button asks
    the page to save (`save_requested` with the group's key)."""

    save_requested = Signal(str)

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(setting_group_label(key), parent)
        self.setObjectName(key)
        self.key = key
        self.version = 0
        self.current: dict[str, Any] = {}
        self.fields: dict[str, QWidget] = {}
        self.form = QFormLayout(self)
        self.save_button: QPushButton | None = None

    def show_value(self, value: dict[str, Any], version: int) -> None:
        self.version, self.current = version, value
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields = {}
        for name, current in value.items():
            widget: QWidget
            if isinstance(current, bool):
                box = QCheckBox()
                box.setChecked(current)
                widget = box
            elif isinstance(current, int):
                spin = QSpinBox()
                spin.setRange(0, 100_000)
                spin.setValue(current)
                widget = spin
            else:
                line = QLineEdit(format_field(current))
                widget = line
            widget.setObjectName(name)
            self.fields[name] = widget
            self.form.addRow(setting_field_label(name), widget)
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setObjectName(f"save_{self.key}")
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.form.addRow(self.save_button)

    def _on_save_button_clicked(self) -> None:
        self.save_requested.emit(self.key)

    def value(self) -> dict[str, Any]:
        value: dict[str, Any] = {}
        for name, widget in self.fields.items():
            if isinstance(widget, QCheckBox):
                value[name] = widget.isChecked()
            elif isinstance(widget, QSpinBox):
                value[name] = widget.value()
            elif isinstance(widget, QLineEdit):
                value[name] = parse_field(self.current[name], widget.text())
        return value


class ConfigurationView(Page):
    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(services, parent)
        self.groups: dict[str, SettingGroup] = {}
        columns = QHBoxLayout()
        for key in SETTING_KEYS:
            group = SettingGroup(key)
            group.save_requested.connect(self.save)
            self.groups[key] = group
            columns.addWidget(group, 1)
        self.tariff_versions: list[dict[str, Any]] = []
        self.carrier = QComboBox()
        self.carrier.setObjectName("carrier")
        self.carrier.currentIndexChanged.connect(self._on_carrier_current_index_changed)
        self.tariff_state = QLabel()
        self.tariffs = make_table([self.tr("Region code prefix (empty: nationwide)"),
                                   self.tr("Region"), self.tr("First weight (g)"),
                                   self.tr("First fee (yuan)"), self.tr("Each further (g)"),
                                   self.tr("Further fee (yuan)")], "tariffs")
        self.tariffs.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.tariff_from = QDateEdit(QDate(china_today()).addDays(1))
        self.tariff_from.setObjectName("tariff_from")
        self.tariff_from.setCalendarPopup(True)
        self.tariff_from.setDisplayFormat("yyyy-MM-dd")
        self.tariff_note = QLineEdit()
        self.tariff_note.setObjectName("tariff_note")
        self.tariff_note.setPlaceholderText(self.tr("Why (e.g. the carrier's new price list)"))
        add_rule = QPushButton(self.tr("Add region"))
        add_rule.clicked.connect(self._on_add_rule_clicked)
        self.save_tariff_button = QPushButton(self.tr("Save as new version"))
        self.save_tariff_button.setObjectName("save_tariff")
        self.save_tariff_button.clicked.connect(self.save_tariff)
        top = QHBoxLayout()
        top.addWidget(self.carrier)
        top.addWidget(self.tariff_state, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(add_rule)
        bottom.addWidget(QLabel(self.tr("Effective from")))
        bottom.addWidget(self.tariff_from)
        bottom.addWidget(self.tariff_note, 1)
        bottom.addWidget(self.save_tariff_button)
        tariffs_box = QGroupBox(self.tr("Courier tariffs"))
        tariffs_layout = QVBoxLayout(tariffs_box)
        tariffs_layout.addLayout(top)
        tariffs_layout.addWidget(self.tariffs)
        tariffs_layout.addLayout(bottom)
        content = QWidget()
        box = QVBoxLayout(content)
        box.addLayout(columns)
        box.addWidget(tariffs_box, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(scroll, 1)

    def load(self) -> None:
        super().load()
        admin = self.services.admin
        for key in SETTING_KEYS:
            self.call(lambda k=key: admin.setting(k), self._on_setting_loaded)  # type: ignore[misc]
        self.call(admin.tariffs, self._on_tariffs_loaded)

    def _on_setting_loaded(self, setting: dict[str, Any]) -> None:
        group = self.groups[setting["key"]]
        group.show_value(setting["value"], setting["version"])

    def _on_tariffs_loaded(self, tariffs: list[dict[str, Any]]) -> None:
        current = self.carrier.currentData()
        self.tariff_versions = tariffs
        self.carrier.blockSignals(True)
        self.carrier.clear()
        for tariff in tariffs:
            self.carrier.addItem(f"{tariff['carrier_name']}（{tariff['carrier_code']}）",
                                 tariff["carrier_code"])
        self.carrier.setCurrentIndex(max(0, self.carrier.findData(current)))
        self.carrier.blockSignals(False)
        self._on_carrier_current_index_changed()

    def current_tariff(self) -> dict[str, Any] | None:
        code = self.carrier.currentData()
        return next((t for t in self.tariff_versions if t["carrier_code"] == code), None)

    def _on_carrier_current_index_changed(self, _index: int = 0) -> None:
        tariff = self.current_tariff()
        if tariff is None:
            self.tariffs.setRowCount(0)
            return
        self.tariff_state.setText(self.tr("Version %1, in effect from %2; entered by %3")
                                  .replace("%1", str(tariff["tariff_version"]))
                                  .replace("%2", tariff["effective_from"])
                                  .replace("%3", tariff["created_by_name"]))
        fill_table(self.tariffs, [tariff_cells(rule) for rule in tariff["rules"]])

    def _on_add_rule_clicked(self) -> None:
        row = self.tariffs.rowCount()
        self.tariffs.insertRow(row)
        for column in range(self.tariffs.columnCount()):
            self.tariffs.setItem(row, column, QTableWidgetItem(""))
        self.tariffs.setCurrentCell(row, 0)

    def save_tariff(self) -> None:
        tariff = self.current_tariff()
        if tariff is None:
            return
        rows = [[cell_text(self.tariffs, r, c) for c in range(self.tariffs.columnCount())]
                for r in range(self.tariffs.rowCount())]
        try:
            body = tariff_body(tariff, rows,
                               effective_from=self.tariff_from.date().toString("yyyy-MM-dd"),
                               note=self.tariff_note.text().strip() or None)
        except TariffRowInvalid as bad:
            header = self.tariffs.horizontalHeaderItem(TARIFF_HEADER_INDEX[bad.column])
            self.show_error(self.tr("Row %1, %2: not a valid number.")
                            .replace("%1", str(bad.row + 1))
                            .replace("%2", header.text() if header else bad.column))
            return
        admin, code = self.services.admin, tariff["carrier_code"]
        self.call(lambda: admin.put_tariff(code, body), self._on_tariff_saved)

    def _on_tariff_saved(self, tariff: dict[str, Any]) -> None:
        self.show_info(self.tr("%1: version %2 saved, in effect from %3.")
                       .replace("%1", tariff["carrier_name"])
                       .replace("%2", str(tariff["tariff_version"]))
                       .replace("%3", tariff["effective_from"]))
        self.tariff_note.clear()
        self.call(self.services.admin.tariffs, self._on_tariffs_loaded)

    def save(self, key: str) -> None:
        group = self.groups[key]
        try:
            value = group.value()
        except ValueError:
            self.show_error(self.tr("%1: a value is not a number.").replace(
                "%1", setting_group_label(key)))
            return
        admin, version = self.services.admin, group.version
        self.call(lambda: admin.put_setting(key, value, version), self._on_saved)

    def _on_saved(self, setting: dict[str, Any]) -> None:
        group = self.groups[setting["key"]]
        group.show_value(setting["value"], setting["version"])
        self.show_info(self.tr("%1 saved.").replace("%1", setting_group_label(group.key)))
