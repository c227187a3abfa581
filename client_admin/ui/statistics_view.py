"""Statistics: prescriptions and amounts by doctor, department, drug class, pharmacy, day or
month; review approval, rejection and error rates and times; fulfilment by delivery mode.
A date range, a chart of the main figure, the table, and exports to CSV and XLSX."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from client_admin.statistics import (
    CHART_MEASURE,
    CHINA,
    GROUPINGS,
    StatisticsTable,
    china_today,
    day_start,
    display,
    table_from,
    write_csv,
    write_xlsx,
)
from client_admin.ui.labels import (
    delivery_mode_label,
    drug_class_label,
    grouping_label,
    report_label,
    source_label,
    statistics_column_label,
)
from client_admin.ui.page import Page, fill_table, make_table
from client_admin.ui.services import AppServices
from common.qt.clock import Clock, utc_now

CHART_BARS = 15  # more categories than this do not read as a bar chart


def label_for(group_by: str | None, label: str) -> str:
    if group_by == "drug_class":
        return drug_class_label(label)
    if group_by is None:
        return delivery_mode_label(label)
    return label


class StatisticsView(Page):
    def __init__(self, services: AppServices, parent: QWidget | None = None, *,
                 clock: Clock = utc_now) -> None:
        """`clock`: whose today the default period (the last 30 days) ends on."""
        super().__init__(services, parent)
        self.result: StatisticsTable | None = None
        self.report = QComboBox()
        self.report.setObjectName("report")
        for report in GROUPINGS:
            self.report.addItem(report_label(report), report)
        self.report.currentIndexChanged.connect(self._on_report_current_index_changed)
        self.grouping = QComboBox()
        self.grouping.setObjectName("grouping")
        today = QDate(china_today(clock()))
        self.since = QDateEdit(today.addDays(-29))
        self.since.setObjectName("since")
        self.until = QDateEdit(today)
        self.until.setObjectName("until")
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        run = QPushButton(self.tr("Show"))
        run.setObjectName("run")
        run.clicked.connect(self.load)
        self.export_csv_button = QPushButton(self.tr("Export CSV…"))
        self.export_csv_button.clicked.connect(self._on_export_csv_button_clicked)
        self.export_xlsx_button = QPushButton(self.tr("Export XLSX…"))
        self.export_xlsx_button.clicked.connect(self._on_export_xlsx_button_clicked)
        bar = QHBoxLayout()
        bar.addWidget(self.report)
        bar.addWidget(self.grouping)
        bar.addWidget(QLabel(self.tr("From")))
        bar.addWidget(self.since)
        bar.addWidget(QLabel(self.tr("to")))
        bar.addWidget(self.until)
        bar.addWidget(run)
        bar.addStretch(1)
        bar.addWidget(self.export_csv_button)
        bar.addWidget(self.export_xlsx_button)
        self.chart = QChart()
        self.chart.legend().hide()
        self.chart_view = QChartView(self.chart)
        self.chart_view.setObjectName("chart")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(240)
        self.table = make_table([], "figures")
        self.source = QLabel()
        self.source.setObjectName("source")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.chart_view)
        split.addWidget(self.table)
        split.setSizes([300, 360])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)
        layout.addWidget(self.source)
        self._on_report_current_index_changed()

    def _on_report_current_index_changed(self, _index: int = 0) -> None:
        self.grouping.clear()
        for grouping in GROUPINGS[self.report.currentData()]:
            self.grouping.addItem(grouping_label(grouping), grouping)

    def choose(self, report: str, grouping: str | None) -> None:
        self.report.setCurrentIndex(self.report.findData(report))
        self.grouping.setCurrentIndex(max(0, self.grouping.findData(grouping)))

    def period(self) -> tuple[datetime, datetime]:
        return (day_start(self.since.date().toPython()),  # type: ignore[arg-type]
                day_start(self.until.date().addDays(1).toPython()))  # type: ignore[arg-type]

    def load(self) -> None:
        super().load()
        report, grouping = self.report.currentData(), self.grouping.currentData()
        since, until = self.period()
        if since >= until:
            self.show_error(self.tr("The start date must be on or before the end date."))
            return
        admin = self.services.admin
        self.call(lambda: admin.statistics(report, group_by=grouping, since=since, until=until),
                  lambda answer: self.show_result(report, grouping, answer),
                  latest="statistics")

    def headers(self) -> list[str]:
        assert self.result is not None
        return [statistics_column_label(c.key) if c.key != "label"
                else grouping_label(self.result.group_by) for c in self.result.columns]

    def show_result(self, report: str, grouping: str | None, answer: dict[str, Any]) -> None:
        self.result = table_from(report, grouping, answer, label_for=label_for)
        self.message.clear()
        table = self.result
        self.table.clear()
        self.table.setColumnCount(len(table.columns))
        self.table.setHorizontalHeaderLabels(self.headers())
        fill_table(self.table, [[display(v, c.kind) for v, c in zip(row, table.columns,
                                                                     strict=True)]
                                for row in table.rows])
        for r in range(self.table.rowCount()):
            for c in range(1, self.table.columnCount()):
                item = self.table.item(r, c)
                if item is not None:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
        self.source.setText(self.tr("%1 rows · served by %2").replace(
            "%1", str(len(table.rows))).replace("%2", source_label(table.served_by)))
        self._draw_chart()

    def _draw_chart(self) -> None:
        assert self.result is not None
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        points = self.result.chart_points()
        if len(points) > CHART_BARS:
            points = sorted(points, key=lambda p: p[1], reverse=True)[:CHART_BARS]
        measure = statistics_column_label(CHART_MEASURE[self.result.report])
        self.chart.setTitle(self.tr("%1, %2").replace("%1", measure).replace(
            "%2", grouping_label(self.result.group_by)))
        if not points:
            self.chart.setTitle(self.tr("No figures in this period"))
            return
        bars = QBarSet(measure)
        bars.setColor(QColor("#1565c0"))
        for _label, value in points:
            bars.append(value)
        series = QBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        self.chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append([label for label, _ in points])
        self.chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(categories)
        values = QValueAxis()
        values.setRange(0, max(value for _, value in points) * 1.15 or 1)
        # Round ticks (0, 2, 4 … 12): with the range's own quarters, "%d" labelled 2.75 as 2
        # and 8.25 as 8, and a bar of 10 stood below the tick that said 11.
        values.applyNiceNumbers()
        step = (values.max() - values.min()) / max(values.tickCount() - 1, 1)
        values.setLabelFormat("%d" if step >= 1 else "%.2g")
        self.chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(values)

    def export(self, path: Path) -> Path | None:
        """The table as shown, to CSV or (by the suffix) XLSX."""
        if self.result is None:
            self.show_error(self.tr("Show figures before exporting them."))
            return None
        since, until = self.result.since, self.result.until - timedelta(seconds=1)
        title = f"{report_label(self.result.report)}（{grouping_label(self.result.group_by)}）"
        period = self.tr("Period: %1 to %2").replace(
            "%1", f"{(since + CHINA):%Y-%m-%d}").replace("%2", f"{(until + CHINA):%Y-%m-%d}")
        try:
            if path.suffix.lower() == ".xlsx":
                write_xlsx(self.result, self.headers(), path, title=title, period=period)
            else:
                write_csv(self.result, self.headers(), path)
        except OSError as exc:
            self.show_error(self.tr("Cannot write %1: %2").replace("%1", str(path))
                            .replace("%2", exc.strerror or str(exc)))
            return None
        self.show_info(self.tr("Exported to %1.").replace("%1", str(path)))
        return path

    def _on_export_csv_button_clicked(self) -> None:
        self._on_export_clicked("csv")

    def _on_export_xlsx_button_clicked(self) -> None:
        self._on_export_clicked("xlsx")

    def _on_export_clicked(self, kind: str) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export statistics"), f"statistics.{kind}",
            self.tr("Excel workbook (*.xlsx)") if kind == "xlsx" else self.tr("CSV (*.csv)"))
        if name:
            path = Path(name)
            self.export(path if path.suffix else path.with_suffix(f".{kind}"))
