"""The store's profile: what the hospital set, shown read-only, and what the store's own staff
may change (phone, opening hours per weekday, holidays and special days)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client_pharmacy.profile import (
    WEEKDAYS,
    Problem,
    ProfileInputError,
    ProfileView,
    SpecialDay,
    StoreProfile,
    hours_update,
)
from client_pharmacy.regions import region_text
from client_pharmacy.ui.services import CounterServices, failure_text
from client_pharmacy.ui.widgets import (
    BUSY_STYLE,
    ERROR_STYLE,
    OK_STYLE,
    READ_ONLY_STYLE,
    fill_args,
    say,
    weekday_label,
    working_text,
)

DATE, CLOSED, HOURS, NOTE = range(4)


class ProfileScreen(QWidget):
    loaded = Signal(object)  # ProfileView
    saved = Signal(object)  # ProfileView

    def __init__(self, services: CounterServices, profile: StoreProfile,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.profile = profile
        self.view: ProfileView | None = None
        self.hospital_names: dict[str, str] = {}
        self.fixed: dict[str, QLabel] = {}
        hospital = QGroupBox(self.tr("Set by the hospital (read-only)"))
        fixed_form = QFormLayout(hospital)
        for key, label in (("name", self.tr("Store")), ("status", self.tr("Status")),
                           ("address", self.tr("Address")),
                           ("licence", self.tr("Drug trading licence")),
                           ("credit", self.tr("Unified social credit code")),
                           ("contact", self.tr("Contact person")),
                           ("region", self.tr("Region code")),
                           ("modes", self.tr("Delivery capabilities")),
                           ("hospitals", self.tr("Delivers to hospitals")),
                           ("regions", self.tr("Courier regions"))):
            value = QLabel("—")
            value.setStyleSheet(READ_ONLY_STYLE)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fixed[key] = value
            fixed_form.addRow(label, value)
        own = QGroupBox(self.tr("Kept by the store"))
        own_form = QFormLayout(own)
        self.phone = QLineEdit()
        own_form.addRow(self.tr("Phone"), self.phone)
        self.week: dict[str, QLineEdit] = {}
        for day in WEEKDAYS:
            edit = QLineEdit()
            edit.setPlaceholderText(self.tr("e.g. 08:00-12:00, 14:00-21:00; empty: closed"))
            self.week[day] = edit
            own_form.addRow(weekday_label(day), edit)
        self.special = QTableWidget(0, 4)
        self.special.setHorizontalHeaderLabels([
            self.tr("Date"), self.tr("Closed all day"), self.tr("Special hours"),
            self.tr("Note")])
        self.special.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.special.verticalHeader().setVisible(False)
        self.special.setMinimumHeight(120)
        self.add_day_button = QPushButton(self.tr("Add holiday / special day"))
        self.remove_day_button = QPushButton(self.tr("Remove selected day"))
        day_buttons = QHBoxLayout()
        day_buttons.addWidget(self.add_day_button)
        day_buttons.addWidget(self.remove_day_button)
        day_buttons.addStretch()
        own_form.addRow(self.tr("Holidays and special days"), self.special)
        own_form.addRow("", day_buttons)
        self.save_button = QPushButton(self.tr("Save"))
        self.reload_button = QPushButton(self.tr("Reload"))
        self.message = QLabel("")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.reload_button)
        buttons.addStretch()
        columns = QHBoxLayout()
        columns.addWidget(hospital, 1)
        columns.addWidget(own, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.add_day_button.clicked.connect(self.on_add_day_button_clicked)
        self.remove_day_button.clicked.connect(self.on_remove_day_button_clicked)
        self.save_button.clicked.connect(self.on_save_button_clicked)
        self.reload_button.clicked.connect(self.refresh)
        self._set_editable(profile.may_edit)

    def _set_editable(self, editable: bool) -> None:
        for edit in (self.phone, *self.week.values()):
            edit.setReadOnly(not editable)
        for button in (self.add_day_button, self.remove_day_button, self.save_button):
            button.setEnabled(editable)
        self.special.setEnabled(editable)

    # -- loading ---------------------------------------------------------------------------
    def refresh(self) -> None:
        def load() -> tuple[ProfileView, dict[str, str]]:
            view = self.profile.load()
            return view, self.profile.hospital_names(view.delivery_hospital_ids)

        self.services.run(load, self._on_loaded, self._on_failed)

    def _on_loaded(self, loaded: tuple[ProfileView, dict[str, str]]) -> None:
        view, self.hospital_names = loaded
        self.show_profile(view)
        self.message.clear()
        self.loaded.emit(view)

    def show_profile(self, view: ProfileView) -> None:
        self.view = view
        yes, no = self.tr("yes"), self.tr("no")
        modes = [fill_args(self.tr("Store pickup: %1"), yes if view.store_pickup else no),
                 fill_args(self.tr("Delivery to the hospital: %1"),
                           yes if view.hospital_delivery else no),
                 fill_args(self.tr("Same-day delivery: %1"),
                           yes if view.same_day_delivery else no)]
        regions = [self.tr("nationwide") if r == "" else region_text(r)
                   for r in view.courier_regions]
        values = {
            "name": view.name, "status": view.status_label, "address": view.address or "—",
            "licence": view.licence_number, "credit": view.credit_code,
            "contact": view.contact_person, "region": region_text(view.region_code),
            "modes": "；".join(modes),
            "hospitals": "、".join(self.hospital_names.get(h, h)
                                  for h in view.delivery_hospital_ids) or "—",
            "regions": "、".join(regions) or self.tr("No courier delivery"),
        }
        for key, text in values.items():
            self.fixed[key].setText(text)
        self.phone.setText(view.phone)
        for day, edit in self.week.items():
            edit.setText(view.week.get(day, ""))
        self.special.setRowCount(0)
        for special in view.special_days:
            self._add_row(special)

    # -- special days ----------------------------------------------------------------------
    def _add_row(self, day: SpecialDay) -> None:
        row = self.special.rowCount()
        self.special.insertRow(row)
        self.special.setItem(row, DATE, QTableWidgetItem(day.on_date))
        closed = QCheckBox()
        closed.setChecked(day.closed)
        self.special.setCellWidget(row, CLOSED, closed)
        self.special.setItem(row, HOURS, QTableWidgetItem(day.hours))
        self.special.setItem(row, NOTE, QTableWidgetItem(day.note))

    def on_add_day_button_clicked(self) -> None:
        self._add_row(SpecialDay(on_date="", closed=True))
        self.special.setCurrentCell(self.special.rowCount() - 1, DATE)

    def on_remove_day_button_clicked(self) -> None:
        row = self.special.currentRow()
        if row >= 0:
            self.special.removeRow(row)

    def special_days(self) -> list[SpecialDay]:
        days = []
        for row in range(self.special.rowCount()):
            closed = self.special.cellWidget(row, CLOSED)
            days.append(SpecialDay(
                on_date=self._text(row, DATE),
                closed=isinstance(closed, QCheckBox) and closed.isChecked(),
                hours=self._text(row, HOURS), note=self._text(row, NOTE)))
        return days

    def _text(self, row: int, column: int) -> str:
        item = self.special.item(row, column)
        return item.text().strip() if item is not None else ""

    # -- saving ----------------------------------------------------------------------------
    def on_save_button_clicked(self) -> None:
        view = self.view
        if view is None or not self.profile.may_edit:
            return
        try:
            body = hours_update(view.version, self.phone.text(),
                                {d: e.text() for d, e in self.week.items()},
                                self.special_days())
        except ProfileInputError as error:
            say(self.message, self.input_error_text(error), ERROR_STYLE)
            return
        say(self.message, working_text(), BUSY_STYLE)
        self.services.run(lambda: self.profile.save(body), self._on_saved, self._on_failed)

    def _on_saved(self, view: ProfileView) -> None:
        self.show_profile(view)
        say(self.message, self.tr("Saved"), OK_STYLE)
        self.saved.emit(view)

    def _on_failed(self, error: BaseException) -> None:
        say(self.message, failure_text(error), ERROR_STYLE)

    def field_label(self, field: str) -> str:
        """The name on screen of the server's field `opening_hours.1`, `closures.0.hours`."""
        parts = field.split(".")
        if parts[0] == "phone":
            return self.tr("Phone")
        if parts[0] == "opening_hours" and len(parts) > 1:
            return weekday_label(parts[1])
        if parts[0] == "closures" and len(parts) > 1 and parts[1].isdigit():
            return fill_args(self.tr("Special day, row %1"), int(parts[1]) + 1)
        return field

    def input_error_text(self, error: ProfileInputError) -> str:
        problems: dict[Problem, str] = {
            Problem.INTERVAL_FORMAT: self.tr(
                "write hours as HH:MM-HH:MM, several separated by commas (not \u201c%1\u201d)"),
            Problem.TIME_RANGE: self.tr("times run from 00:00 to 24:00 (not \u201c%1\u201d)"),
            Problem.DATE_FORMAT: self.tr("write the date as YYYY-MM-DD (not \u201c%1\u201d)"),
            Problem.DUPLICATE_DATE: self.tr("the date %1 is there twice"),
            Problem.SPECIAL_DAY_NEEDS_HOURS: self.tr(
                "a day that is not closed needs its special hours"),
            Problem.PHONE_FORMAT: self.tr("only digits, spaces, + and - (not \u201c%1\u201d)"),
        }
        return fill_args(self.tr("%1: %2"), self.field_label(error.field),
                         fill_args(problems[error.problem], error.value))
