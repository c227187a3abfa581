"""The run-time settings the admin app edits (server/platform_settings), and the couriers'
published tariffs (server/delivery): which groups, turning what was typed back into the
value's type, and a tariff edited as a table into its next version."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

# Prescription limits, review time limits, and the circulation lock (accept) timeout.
SETTING_KEYS = ("prescription_limits", "review_time_limits", "circulation_limits")


def parse_field(current: Any, text: str) -> Any:
    """The typed value of `text` for a field whose value now is `current`. ValueError when
    it does not read as that type (the UI names the field)."""
    stripped = text.strip()
    if isinstance(current, bool):
        return stripped in ("1", "true", "True", "是")
    if isinstance(current, int):
        return int(stripped)
    if isinstance(current, float):
        return float(stripped)
    if isinstance(current, list):
        return [item.strip() for item in stripped.replace("，", ",").split(",") if item.strip()]
    return stripped


def format_field(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


# A courier tariff rule as the editor's cells: region, first weight and fee, step and fee.
TARIFF_COLUMNS = ("region_prefix", "region_name", "first_weight_g", "first_fee",
                  "step_weight_g", "step_fee")


class TariffRowInvalid(ValueError):
    """Row `row` (from 0), column `column`, cannot be read."""

    def __init__(self, row: int, column: str) -> None:
        super().__init__(f"row {row} column {column}")
        self.row = row
        self.column = column


def fen_of(yuan: str) -> int:
    value = Decimal(yuan.strip())
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise ValueError(yuan)
    return int(value * 100)


def yuan_of(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def tariff_cells(rule: dict[str, Any]) -> list[str]:
    return [rule.get("region_prefix") or "", rule["region_name"], str(rule["first_weight_g"]),
            yuan_of(rule["first_fee_fen"]), str(rule["step_weight_g"]),
            yuan_of(rule["step_fee_fen"])]


def tariff_body(current: dict[str, Any], rows: list[list[str]], *, effective_from: str,
                note: str | None) -> dict[str, Any]:
    """The next version of `current` (a tariff version as the server gives it) with the
    edited rows; distance bands of a region are kept from the version read."""
    bands = {r.get("region_prefix") or "": r.get("distance_bands") or []
             for r in current["rules"]}
    rules = []
    for index, cells in enumerate(rows):
        if not any(cell.strip() for cell in cells):
            continue
        values: dict[str, Any] = {}
        for column, cell in zip(TARIFF_COLUMNS, cells, strict=True):
            try:
                if column in ("first_fee", "step_fee"):
                    values[f"{column}_fen"] = fen_of(cell)
                elif column.endswith("_g"):
                    values[column] = int(cell.strip())
                else:
                    values[column] = cell.strip()
            except (ValueError, ArithmeticError):
                raise TariffRowInvalid(index, column) from None
        values["distance_bands"] = bands.get(values["region_prefix"], [])
        rules.append(values)
    return {"version": current["tariff_version"], "carrier_name": current["carrier_name"],
            "effective_from": effective_from, "note": note, "rules": rules}
