"""Knowledge data in the admin app: reading a CSV file as the hospital's staff save it (Excel's
"CSV UTF-8" with a BOM, or GB18030), writing an edited table back as CSV, and the validation
report of a refused import (file, row, column and reason of every bad row; nothing stored)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KINDS = ("interaction_pair", "dose_rule", "allergy_class", "allergy_cross", "duplicate_class",
         "contraindication", "incompatibility", "insurance_rule")


def read_csv_file(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def table_to_csv(columns: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        if any(str(row.get(c, "")).strip() for c in columns):  # an empty row added and left
            writer.writerow({c: row.get(c, "") for c in columns})
    return out.getvalue()


@dataclass(frozen=True)
class RowProblem:
    file: str
    row: int | None
    column: str | None
    reason: str


def report_of(body: dict[str, Any]) -> list[RowProblem]:
    """The bad rows of a refused import (the server's 422 body), in file order."""
    problems = [RowProblem(str(e.get("file", "")), e.get("row"), e.get("column"),
                           str(e.get("reason", "")))
                for e in body.get("errors") or () if isinstance(e, dict)]
    return sorted(problems, key=lambda p: (p.file, p.row or 0))
