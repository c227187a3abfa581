"""My reviews: my own figures (approval and rejection rates, time to decision, spot-check
errors) and the list of my decisions."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client_pharmacist.ui.labels import (
    decision_label,
    duration_text,
    percent_text,
    spot_check_label,
    visit_type_label,
)
from common.api.models import HistoryItem, ReviewStats


def local_time(moment: datetime | None) -> str:
    return f"{moment.astimezone():%m-%d %H:%M}" if moment else "—"


class HistoryView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figures: dict[str, QLabel] = {}
        form = QFormLayout()
        for name, label in [
                ("decided", self.tr("Decisions")),
                ("approval_rate", self.tr("Approval rate")),
                ("rejection_rate", self.tr("Rejection rate")),
                ("avg_time", self.tr("Average time to decision")),
                ("p90_time", self.tr("90% decided within")),
                ("errors", self.tr("Spot checks: errors found"))]:
            value = QLabel("—")
            value.setObjectName(name)
            value.setStyleSheet("font-weight: bold;")
            form.addRow(label, value)
            self.figures[name] = value
        figures = QGroupBox(self.tr("My figures"))
        figures.setLayout(form)
        self.table = QTableWidget(0, 6)
        self.table.setObjectName("history")
        self.table.setHorizontalHeaderLabels([
            self.tr("Prescription"), self.tr("Visit"), self.tr("Decision"), self.tr("Reason"),
            self.tr("Decided at"), self.tr("Time to decision")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.total = QLabel()
        self.total.setObjectName("total")
        box = QVBoxLayout(self)
        box.addWidget(figures)
        box.addWidget(self.total)
        box.addWidget(self.table, 1)

    def set_stats(self, stats: ReviewStats) -> None:
        f = self.figures
        f["decided"].setText(self.tr("%1 (approved %2, rejected %3)")
                             .replace("%1", str(stats.decided))
                             .replace("%2", str(stats.approved))
                             .replace("%3", str(stats.rejected)))
        f["approval_rate"].setText(percent_text(stats.approval_rate))
        f["rejection_rate"].setText(percent_text(stats.rejection_rate))
        f["avg_time"].setText(duration_text(stats.avg_seconds_to_decision))
        f["p90_time"].setText(duration_text(stats.p90_seconds_to_decision))
        f["errors"].setText(self.tr("%1 of %2 checked (%3)")
                            .replace("%1", str(stats.errors))
                            .replace("%2", str(stats.spot_checked))
                            .replace("%3", percent_text(stats.error_rate)))

    def set_history(self, items: list[HistoryItem], total: int) -> None:
        self.total.setText(self.tr("My decisions: %1").replace("%1", str(total)))
        self.table.setRowCount(len(items))
        for i, item in enumerate(items):
            task = item.task
            reason = task.reason_text or ""
            if task.decision == "approved" and task.spot_check:
                reason = self.tr("Spot check: %1").replace("%1", spot_check_label(task.spot_check))
            cells = [item.prescription_number, visit_type_label(item.visit_type),
                     decision_label(task.decision), reason, local_time(task.decided_at),
                     duration_text(item.seconds_to_decision)]
            for column, text in enumerate(cells):
                self.table.setItem(i, column, QTableWidgetItem(text))
