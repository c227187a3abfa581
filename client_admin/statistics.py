"""Statistics as the admin app shows and exports them: the reports the server offers, their
columns, a table built from an answer, and the exports (CSV for any tool, XLSX for Excel).

Amounts come from the server in fen and are shown and exported in yuan; rates are fractions
shown as percentages and exported as numbers with a percent format, so a spreadsheet can
compute with them.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

# The server counts days in China's time (Asia/Shanghai, no daylight saving): date filters are
# China's calendar days whatever zone the workstation is set to.
CHINA = timedelta(hours=8)


def china_today(now: datetime | None = None) -> date:
    return ((now or datetime.now(UTC)) + CHINA).date()


def day_start(day: date) -> datetime:
    """Midnight at the start of `day` in China, as an aware UTC time."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) - CHINA


class ColumnKind(StrEnum):
    TEXT = "text"
    COUNT = "count"
    MONEY = "money"  # yuan, from the server's fen
    RATE = "rate"  # a fraction 0..1
    NUMBER = "number"  # minutes, hours


@dataclass(frozen=True)
class Column:
    key: str
    kind: ColumnKind


T, C, M, R, N = (ColumnKind.TEXT, ColumnKind.COUNT, ColumnKind.MONEY, ColumnKind.RATE,
                 ColumnKind.NUMBER)
# report -> its groupings (None: the report has one fixed grouping)
GROUPINGS: dict[str, tuple[str | None, ...]] = {
    "prescriptions": ("doctor", "department", "drug_class", "pharmacy", "day", "month"),
    "reviews": ("pharmacist", "day", "month"),
    "fulfilment": (None,),
}
COLUMNS: dict[str, tuple[Column, ...]] = {
    "prescriptions": (Column("label", T), Column("prescriptions", C), Column("amount_fen", M)),
    "reviews": (Column("label", T), Column("decided", C), Column("approved", C),
                Column("rejected", C), Column("errors", C), Column("approval_rate", R),
                Column("rejection_rate", R), Column("error_rate", R),
                Column("avg_minutes", N), Column("p90_minutes", N)),
    "fulfilment": (Column("label", T), Column("orders", C), Column("finished", C),
                   Column("released", C), Column("avg_accept_minutes", N),
                   Column("avg_fulfil_hours", N)),
}
# The figure the chart draws for each report.
CHART_MEASURE = {"prescriptions": "prescriptions", "reviews": "decided",
                 "fulfilment": "orders"}

Value = str | int | float | Decimal | None


@dataclass(frozen=True)
class StatisticsTable:
    report: str
    group_by: str | None
    since: datetime
    until: datetime
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]
    served_by: str

    def column_values(self, key: str) -> list[Value]:
        index = next(i for i, c in enumerate(self.columns) if c.key == key)
        return [row[index] for row in self.rows]

    def chart_points(self) -> list[tuple[str, float]]:
        """(label, value) of the report's main figure, in table order."""
        labels = self.column_values("label")
        values = self.column_values(CHART_MEASURE[self.report])
        return [(str(label), float(value or 0)) for label, value in zip(labels, values,
                                                                          strict=True)]


def _value(raw: Any, kind: ColumnKind) -> Value:
    if raw is None:
        return None
    if kind == ColumnKind.MONEY:
        return (Decimal(int(raw)) / 100).quantize(Decimal("0.01"))
    if kind == ColumnKind.COUNT:
        return int(raw)
    if kind in (ColumnKind.RATE, ColumnKind.NUMBER):
        return float(raw)
    return str(raw)


def table_from(report: str, group_by: str | None, answer: dict[str, Any], *,
               label_for: Callable[[str | None, str], str] = lambda _g, label: label
               ) -> StatisticsTable:
    """The table of an answer of `/statistics/<report>`. `label_for(group_by, label)` words
    labels that are codes (drug classes, delivery modes)."""
    columns = COLUMNS[report]
    rows = []
    for raw in answer["rows"]:
        cells: list[Value] = []
        for column in columns:
            value = _value(raw.get(column.key), column.kind)
            if column.key == "label":
                value = label_for(group_by, str(value or ""))
            cells.append(value)
        rows.append(tuple(cells))
    return StatisticsTable(report, group_by, _moment(answer["since"]), _moment(answer["until"]),
                           columns, tuple(rows), str(answer.get("served_by", "")))


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def display(value: Value, kind: ColumnKind) -> str:
    """A cell as the table shows it."""
    if value is None:
        return "—"
    if kind == ColumnKind.MONEY:
        return f"{Decimal(value):,.2f}"
    if kind == ColumnKind.RATE:
        return f"{float(value) * 100:.1f}%"
    if kind == ColumnKind.NUMBER:
        return f"{float(value):.1f}"
    return str(value)


def write_csv(table: StatisticsTable, headers: Sequence[str], path: Path) -> Path:
    """UTF-8 with a BOM, so Excel opens the Chinese headers correctly."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(headers)
        for row in table.rows:
            writer.writerow(["" if v is None else str(v) for v in row])
    return path


NUMBER_FORMATS = {ColumnKind.MONEY: "#,##0.00", ColumnKind.RATE: "0.0%",
                  ColumnKind.NUMBER: "0.0", ColumnKind.COUNT: "0"}


def write_xlsx(table: StatisticsTable, headers: Sequence[str], path: Path, *,
               title: str, period: str) -> Path:
    """One sheet: a title line, the period, the header row, the figures as numbers."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]  # Excel's limit on sheet names
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([period])
    sheet.append(list(headers))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        for column, cell in zip(table.columns, sheet[sheet.max_row], strict=True):
            number_format = NUMBER_FORMATS.get(column.kind)
            if number_format:
                cell.number_format = number_format
    for index, header in enumerate(headers):
        letter = sheet.cell(row=3, column=index + 1).column_letter
        sheet.column_dimensions[letter].width = max(12, len(header) * 2 + 4)
    workbook.save(path)
    return path
