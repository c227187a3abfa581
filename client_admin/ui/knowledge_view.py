"""Knowledge data (用药审查知识库): the versions loaded and which one the checks use; the
rules of one kind (interaction pairs, dose ranges, allergy classes, insurance rules, ...) to
view and edit; importing a kind from a CSV file. An edit or an import becomes the next
version; every row is checked first, and a refused import stores nothing and lists each bad
row with its number and the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client_admin.knowledge import KINDS, RowProblem, read_csv_file, report_of, table_to_csv
from client_admin.ui.labels import knowledge_kind_label
from client_admin.ui.page import ERROR_STYLE, Page, cell_text, fill_table, local_time, make_table
from client_admin.ui.services import AppServices, failure_text
from common.api.errors import ValidationFailed


class KnowledgeView(Page):
    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(services, parent)
        self.sets: list[dict[str, Any]] = []
        self.columns: list[str] = []
        self.problems: list[RowProblem] = []
        self.sets_table = make_table([self.tr("Version"), self.tr("Description"),
                                      self.tr("Loaded by"), self.tr("Loaded at"),
                                      self.tr("In use"), self.tr("Rules")], "sets")
        self.activate_button = QPushButton(self.tr("Use this version"))
        self.activate_button.setObjectName("activate")
        self.activate_button.clicked.connect(self._on_activate_button_clicked)
        self.kind = QComboBox()
        self.kind.setObjectName("kind")
        for kind in KINDS:
            self.kind.addItem(knowledge_kind_label(kind), kind)
        self.kind.currentIndexChanged.connect(self.load_rules)
        self.version_label = QLabel()
        self.version_label.setObjectName("version")
        self.rules = QTableWidget(0, 0)
        self.rules.setObjectName("rules")
        self.rules.setAlternatingRowColors(True)
        self.rules.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rules.verticalHeader().setVisible(True)
        self.description = QLineEdit()
        self.description.setObjectName("description")
        self.description.setPlaceholderText(self.tr("What changed (recorded with the version)"))
        self.activate_after = QCheckBox(self.tr("Use at once"))
        self.activate_after.setObjectName("activate_after")
        add_row = QPushButton(self.tr("Add row"))
        add_row.clicked.connect(self._on_add_row_clicked)
        remove_row = QPushButton(self.tr("Delete row"))
        remove_row.clicked.connect(self._on_remove_row_clicked)
        self.save_button = QPushButton(self.tr("Save edits as new version"))
        self.save_button.setObjectName("save")
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.import_button = QPushButton(self.tr("Import CSV file…"))
        self.import_button.setObjectName("import")
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.report_label = QLabel()
        self.report_label.setObjectName("report_label")
        self.report_label.setWordWrap(True)
        self.report_label.setStyleSheet(ERROR_STYLE)
        self.report = make_table([self.tr("File"), self.tr("Row"), self.tr("Column"),
                                  self.tr("Reason")], "report")
        self.report_box = QGroupBox(self.tr("Validation report: nothing was imported"))
        report_layout = QVBoxLayout(self.report_box)
        report_layout.addWidget(self.report_label)
        report_layout.addWidget(self.report)
        self.report_box.hide()

        sets_box = QGroupBox(self.tr("Versions"))
        sets_layout = QVBoxLayout(sets_box)
        sets_layout.addWidget(self.sets_table)
        sets_layout.addWidget(self.activate_button, 0, Qt.AlignmentFlag.AlignRight)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Kind")))
        bar.addWidget(self.kind)
        bar.addWidget(self.version_label, 1)
        bar.addWidget(add_row)
        bar.addWidget(remove_row)
        save_bar = QHBoxLayout()
        save_bar.addWidget(self.description, 1)
        save_bar.addWidget(self.activate_after)
        save_bar.addWidget(self.save_button)
        save_bar.addWidget(self.import_button)
        rules_box = QWidget()
        rules_layout = QVBoxLayout(rules_box)
        rules_layout.setContentsMargins(0, 0, 0, 0)
        rules_layout.addLayout(bar)
        rules_layout.addWidget(self.rules, 1)
        rules_layout.addLayout(save_bar)
        rules_layout.addWidget(self.report_box)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(sets_box)
        split.addWidget(rules_box)
        split.setSizes([170, 560])
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)

    # -- versions ------------------------------------------------------------------------------

    def load(self) -> None:
        super().load()
        self.call(self.services.admin.knowledge_sets, self._on_sets_loaded)
        self.load_rules()

    def _on_sets_loaded(self, sets: list[dict[str, Any]]) -> None:
        self.sets = sets
        fill_table(self.sets_table, [
            [str(s["version"]), s["description"], s["loaded_by"], local_time(s["loaded_at"]),
             self.tr("In use") if s["active"] else "",
             "，".join(f"{knowledge_kind_label(k)} {n}" for k, n in s["counts"].items())]
            for s in sets], ["#1b5e20" if s["active"] else None for s in sets])

    def activate(self, knowledge_set: dict[str, Any]) -> None:
        admin = self.services.admin
        self.call(lambda: admin.activate_knowledge(knowledge_set["id"]), self._on_activated)

    def _on_activated(self, knowledge_set: dict[str, Any]) -> None:
        self.show_info(self.tr("Version %1 is in use: every check uses it from now on.")
                       .replace("%1", str(knowledge_set["version"])))
        self.load()

    def _on_activate_button_clicked(self) -> None:
        row = self.sets_table.currentRow()
        if 0 <= row < len(self.sets):
            self.activate(self.sets[row])

    # -- rules of one kind ---------------------------------------------------------------------

    @property
    def current_kind(self) -> str:
        return str(self.kind.currentData())

    def load_rules(self) -> None:
        admin, kind = self.services.admin, self.current_kind
        self.call(lambda: admin.knowledge_rules(kind), self._on_rules_loaded, latest="rules")

    def _on_rules_loaded(self, answer: dict[str, Any]) -> None:
        if answer["kind"] != self.current_kind:
            return  # the user chose another kind meanwhile
        self.columns = list(answer["columns"])
        self.rules.clear()
        self.rules.setColumnCount(len(self.columns))
        self.rules.setHorizontalHeaderLabels(self.columns)
        fill_table(self.rules, [[row.get(c, "") for c in self.columns]
                                for row in answer["rows"]])
        self.rules.resizeColumnsToContents()
        self.version_label.setText(self.tr("Version %1 (%2), %3 rules")
                                   .replace("%1", str(answer["version"]))
                                   .replace("%2", self.tr("in use") if answer["active"]
                                            else self.tr("not in use"))
                                   .replace("%3", str(len(answer["rows"]))))

    def table_rows(self) -> list[dict[str, str]]:
        return [{c: cell_text(self.rules, r, i).strip() for i, c in enumerate(self.columns)}
                for r in range(self.rules.rowCount())]

    def _on_add_row_clicked(self) -> None:
        row = self.rules.rowCount()
        self.rules.insertRow(row)
        for column in range(len(self.columns)):
            self.rules.setItem(row, column, QTableWidgetItem(""))
        self.rules.scrollToBottom()
        self.rules.setCurrentCell(row, 0)

    def _on_remove_row_clicked(self) -> None:
        row = self.rules.currentRow()
        if row >= 0:
            self.rules.removeRow(row)

    # -- importing -----------------------------------------------------------------------------

    def _description(self, fallback: str) -> str:
        return self.description.text().strip() or fallback

    def import_csv(self, csv_text: str, description: str) -> None:
        """The text as every rule of the current kind, as the next version."""
        admin, kind = self.services.admin, self.current_kind
        activate = self.activate_after.isChecked()
        self.report_box.hide()
        self.call(lambda: admin.import_knowledge(kind, csv_text, description=description,
                                                 activate=activate),
                  self._on_imported, self._on_import_failed)

    def import_file(self, path: Path) -> None:
        try:
            text = read_csv_file(path)
        except (OSError, UnicodeDecodeError) as exc:
            self.show_error(self.tr("Cannot read %1: %2").replace("%1", str(path))
                            .replace("%2", str(exc)))
            return
        self.import_csv(text, self._description(self.tr("Imported from %1")
                                                .replace("%1", path.name)))

    def _on_imported(self, knowledge_set: dict[str, Any]) -> None:
        kind = self.current_kind
        self.show_info(self.tr("Version %1 stored with %2 %3 rules%4.")
                       .replace("%1", str(knowledge_set["version"]))
                       .replace("%2", str(knowledge_set["counts"].get(kind, 0)))
                       .replace("%3", knowledge_kind_label(kind))
                       .replace("%4", self.tr(" and in use") if knowledge_set["active"]
                                else self.tr(", not in use yet")))
        self.description.clear()
        self.load()

    def _on_import_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, ValidationFailed) or "errors" not in exc.body:
            self.show_error(failure_text(exc))
            return
        self.problems = report_of(exc.body)
        self.show_error(self.tr("Nothing was imported: %n row(s) need fixing.", "",
                                len(self.problems)))
        self.report_label.setText(exc.message)
        fill_table(self.report, [[p.file, "" if p.row is None else str(p.row),
                                  p.column or "", p.reason] for p in self.problems])
        self.report_box.show()

    def _on_save_button_clicked(self) -> None:
        self.import_csv(table_to_csv(self.columns, self.table_rows()),
                        self._description(self.tr("Edited in the administration app")))

    def _on_import_button_clicked(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.tr("Import %1").replace(
            "%1", knowledge_kind_label(self.current_kind)), "", self.tr("CSV files (*.csv)"))
        if name:
            self.import_file(Path(name))
