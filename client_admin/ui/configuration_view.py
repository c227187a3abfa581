"""Configuration: prescription limits, review time limits, the circulation lock (how long a
pharmacy has to accept before the lock is released), and the couriers' tariffs in effect."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from client_admin.configuration import SETTING_KEYS, format_field, parse_field
from client_admin.ui.labels import setting_field_label, setting_group_label
from client_admin.ui.page import Page, fill_table, make_table
from client_admin.ui.services import AppServices


def _yuan(fen: int) -> str:
    return f"{fen / 100:.2f}"


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
        self.tariffs = make_table([self.tr("Carrier"), self.tr("Version"),
                                   self.tr("Effective from"), self.tr("Region"),
                                   self.tr("First weight (g)"), self.tr("First fee (yuan)"),
                                   self.tr("Each further (g)"), self.tr("Further fee (yuan)")],
                                  "tariffs")
        tariffs_box = QGroupBox(self.tr("Courier tariffs in effect today"))
        QVBoxLayout(tariffs_box).addWidget(self.tariffs)
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
        rows = []
        for tariff in tariffs:
            for rule in tariff["rules"]:
                rows.append([f"{tariff['carrier_name']}（{tariff['carrier_code']}）",
                             str(tariff["tariff_version"]), tariff["effective_from"],
                             rule["region_name"], str(rule["first_weight_g"]),
                             _yuan(rule["first_fee_fen"]), str(rule["step_weight_g"]),
                             _yuan(rule["step_fee_fen"])])
        fill_table(self.tariffs, rows)

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
