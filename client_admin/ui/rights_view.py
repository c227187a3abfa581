"""Rights, edited as matrices: a department's prescribing rights (professional title x drug
class) and the group's reviewing rights (pharmacist level x drug class). A tick grants; Save
sends the matrix with the one it was read as, so a concurrent edit is refused, not undone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from client_admin.rights import RightsMatrix
from client_admin.ui.labels import drug_class_label, level_label, title_label
from client_admin.ui.page import Page, fill_table, make_table
from client_admin.ui.services import AppServices

CHANGED = QColor("#fff3cd")


def own_departments(organisations: list[dict[str, Any]], org_id: str) -> list[dict[str, Any]]:
    """The departments whose rights this administrator edits: every one for a group
    administrator, those of their own hospital or clinic otherwise."""
    mine = next((o for o in organisations if str(o["id"]) == org_id), None)
    group = mine is not None and mine["kind"] == "group"
    return [o for o in organisations if o["kind"] == "department"
            and (group or str(o["parent_id"]) == org_id)]


def department_label(department: dict[str, Any], organisations: list[dict[str, Any]]) -> str:
    parent = next((o["name"] for o in organisations
                   if str(o["id"]) == str(department["parent_id"])), "")
    return f"{parent} · {department['name']}" if parent else department["name"]


class MatrixTable(QTableWidget):
    """Check boxes for the cells of a `RightsMatrix`; changed cells are highlighted."""

    def __init__(self, name: str, row_label: Callable[[str], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.row_label = row_label
        self.matrix: RightsMatrix | None = None
        self._filling = False
        self.itemChanged.connect(self._on_item_changed)

    def show_matrix(self, matrix: RightsMatrix) -> None:
        self._filling = True
        self.matrix = matrix
        self.clear()
        self.setRowCount(len(matrix.rows))
        self.setColumnCount(len(matrix.columns))
        self.setHorizontalHeaderLabels([drug_class_label(c) for c in matrix.columns])
        self.setVerticalHeaderLabels([self.row_label(r) for r in matrix.rows])
        for r, row in enumerate(matrix.rows):
            for c, column in enumerate(matrix.columns):
                item = QTableWidgetItem()
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                item.setCheckState(Qt.CheckState.Checked if matrix.is_granted(row, column)
                                   else Qt.CheckState.Unchecked)
                self.setItem(r, c, item)
        self.resizeColumnsToContents()
        self._filling = False

    def toggle(self, row: str, column: str) -> None:
        """As a click on the cell does."""
        assert self.matrix is not None
        item = self.item(self.matrix.rows.index(row), self.matrix.columns.index(column))
        assert item is not None
        item.setCheckState(Qt.CheckState.Unchecked if item.checkState() == Qt.CheckState.Checked
                           else Qt.CheckState.Checked)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or self.matrix is None:
            return
        row, column = self.matrix.rows[item.row()], self.matrix.columns[item.column()]
        granted = item.checkState() == Qt.CheckState.Checked
        self.matrix.mark(row, column, granted)
        self._filling = True
        item.setBackground(CHANGED if granted != ((row, column) in self.matrix.original)
                           else QColor(Qt.GlobalColor.transparent))
        self._filling = False


class RightsView(Page):
    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(services, parent)
        self.department = QComboBox()
        self.department.setObjectName("department")
        self.department.currentIndexChanged.connect(self._on_department_current_index_changed)
        self.prescribing = MatrixTable("prescribing", title_label)
        self.reviewing = MatrixTable("reviewing", level_label)
        self.save_prescribing_button = QPushButton(self.tr("Save prescribing rights"))
        self.save_prescribing_button.setObjectName("save_prescribing")
        self.save_prescribing_button.clicked.connect(self.save_prescribing)
        self.save_reviewing_button = QPushButton(self.tr("Save reviewing rights"))
        self.save_reviewing_button.setObjectName("save_reviewing")
        self.save_reviewing_button.clicked.connect(self.save_reviewing)
        prescribing_page = QWidget()
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Department")))
        top.addWidget(self.department, 1)
        bar = QHBoxLayout()
        box = QVBoxLayout(prescribing_page)
        bar.addStretch(1)
        bar.addWidget(self.save_prescribing_button)
        box.addLayout(bar)
        box.addWidget(QLabel(self.tr(
            "Rows: professional titles; columns: drug classes. A tick lets doctors of that "
            "title in this department prescribe the class.")))
        box.addWidget(self.prescribing, 1)
        reviewing_page = QWidget()
        box = QVBoxLayout(reviewing_page)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr(
            "Rows: pharmacist levels; columns: drug classes. One matrix for the whole group.")),
            1)
        bar.addWidget(self.save_reviewing_button)
        box.addLayout(bar)
        box.addWidget(self.reviewing, 1)
        self.templates: list[dict[str, Any]] = []
        self.templates_table = make_table([self.tr("Template"), self.tr("Diagnoses"),
                                           self.tr("Drugs")], "templates")
        self.retire_button = QPushButton(self.tr("Remove template…"))
        self.retire_button.setObjectName("retire")
        self.retire_button.clicked.connect(self._on_retire_button_clicked)
        self.retire_button.setEnabled(services.can("rights.manage"))
        templates_page = QWidget()
        box = QVBoxLayout(templates_page)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr(
            "Templates the department's doctors share (doctors save them from their "
            "prescribing app).")), 1)
        bar.addWidget(self.retire_button)
        box.addLayout(bar)
        box.addWidget(self.templates_table, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(prescribing_page, self.tr("Prescribing rights"))
        self.tabs.addTab(reviewing_page, self.tr("Reviewing rights"))
        self.tabs.addTab(templates_page, self.tr("Department templates"))
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)

    def load(self) -> None:
        super().load()
        admin = self.services.admin
        self.call(lambda: (admin.organisations(), admin.reviewing_rights()), self._on_loaded)

    def _on_loaded(self, answer: tuple[list[dict[str, Any]], dict[str, Any]], *,
                   load_department: bool = True) -> None:
        organisations, reviewing = answer
        departments = own_departments(organisations, str(self.services.me.org_id))
        current = self.department.currentData()
        self.department.blockSignals(True)
        self.department.clear()
        for dept in sorted(departments, key=lambda d: d["code"]):
            self.department.addItem(department_label(dept, organisations), str(dept["id"]))
        self.department.setCurrentIndex(max(0, self.department.findData(current)))
        self.department.blockSignals(False)
        self.reviewing.show_matrix(RightsMatrix.reviewing(reviewing))
        if load_department:
            self._on_department_current_index_changed()

    def _on_department_current_index_changed(self, _index: int = 0) -> None:
        department_id = self.department.currentData()
        if department_id:
            admin = self.services.admin
            self.call(lambda: admin.prescribing_rights(department_id),
                      lambda answer: self.prescribing.show_matrix(
                          RightsMatrix.prescribing(answer)), latest="prescribing")
            self.call(lambda: admin.department_templates(department_id),
                      self.show_templates, latest="templates")

    def _on_tabs_current_changed(self, index: int) -> None:
        # The reviewing matrix is the group's: the department does not apply to it.
        self.department.setEnabled(index != 1)

    def show_templates(self, templates: list[dict[str, Any]]) -> None:
        self.templates = templates
        fill_table(self.templates_table, [
            [t["name"], "、".join(d.get("name") or d.get("code", "") for d in t["diagnoses"]),
             "；".join(t["products"])] for t in templates])

    def retire_template(self, template: dict[str, Any]) -> None:
        admin, department_id = self.services.admin, self.department.currentData()
        self.call(lambda: admin.retire_department_template(department_id, template["id"]),
                  lambda _none: self._on_template_retired(template))

    def _on_template_retired(self, template: dict[str, Any]) -> None:
        self.show_info(self.tr("Template %1 removed.").replace("%1", template["name"]))
        self._on_department_current_index_changed()

    def _on_retire_button_clicked(self) -> None:
        row = self.templates_table.currentRow()
        if not 0 <= row < len(self.templates):
            return
        template = self.templates[row]
        answer = QMessageBox.question(self, self.tr("Remove template"), self.tr(
            "Remove the department template %1? Doctors of the department will no longer "
            "see it.").replace("%1", template["name"]))
        if answer == QMessageBox.StandardButton.Yes:
            self.retire_template(template)

    def save_prescribing(self) -> None:
        matrix, department_id = self.prescribing.matrix, self.department.currentData()
        if matrix is None or not department_id:
            return
        if not matrix.changed:
            self.show_info(self.tr("Nothing changed."))
            return
        admin = self.services.admin
        cells, previous = matrix.cells_body(), matrix.previous_body()
        name = self.department.currentText()
        self.call(lambda: admin.put_prescribing_rights(department_id, cells, previous),
                  lambda answer: self._on_prescribing_saved(department_id, name, answer))

    def _on_prescribing_saved(self, department_id: str, name: str,
                              answer: dict[str, Any]) -> None:
        # Another department may have been chosen meanwhile: its matrix stays on screen.
        if self.department.currentData() == department_id:
            self.prescribing.show_matrix(RightsMatrix.prescribing(answer))
        self.show_info(self.tr("Prescribing rights of %1 saved.").replace("%1", name))

    def save_reviewing(self) -> None:
        matrix = self.reviewing.matrix
        if matrix is None:
            return
        if not matrix.changed:
            self.show_info(self.tr("Nothing changed."))
            return
        admin = self.services.admin
        cells, previous = matrix.cells_body(), matrix.previous_body()
        self.call(lambda: admin.put_reviewing_rights(cells, previous),
                  self._on_reviewing_saved)

    def _on_reviewing_saved(self, answer: dict[str, Any]) -> None:
        self.reviewing.show_matrix(RightsMatrix.reviewing(answer))
        self.show_info(self.tr("Reviewing rights saved."))
