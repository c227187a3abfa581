"""How many sales packages a line needs: dose x doses per day x days, rounded up to packages.

The catalogue describes a product by its strength per dose unit (`specification`, e.g. "0.25g",
"10mg", "5ml:0.1g") and its package (e.g. "24粒/盒", "100ml/瓶", "10支/盒"). A dose is given
either in the package's own count unit (2 粒) or in an amount the strength is expressed in
(500 mg); anything else cannot be converted and the doctor is told which line and why.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from server.core.errors import Unprocessable

MASS_MG = {"kg": Decimal(1_000_000), "g": Decimal(1000), "mg": Decimal(1),
           "μg": Decimal("0.001"), "ug": Decimal("0.001"), "mcg": Decimal("0.001")}
VOLUME_ML = {"l": Decimal(1000), "ml": Decimal(1)}
UNITS = {"iu": Decimal(1), "u": Decimal(1), "万iu": Decimal(10000), "万u": Decimal(10000)}

_PACKAGE = re.compile(
    r"^\s*(?P<count>\d+(?:\.\d+)?)\s*(?P<inner>[^\d/\s]+)\s*/\s*(?P<outer>\S+)\s*$")
_AMOUNT = re.compile(r"(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>万?(?:kg|g|mg|μg|ug|mcg|ml|l|iu|u))",
                     re.IGNORECASE)


def _dimension(unit: str) -> tuple[str, Decimal] | None:
    key = unit.lower()
    for name, table in (("mass", MASS_MG), ("volume", VOLUME_ML), ("units", UNITS)):
        if key in table:
            return name, table[key]
    return None


def parse_package(package: str) -> tuple[Decimal, str, str] | None:
    """'24粒/盒' -> (24, '粒', '盒')."""
    match = _PACKAGE.match(package)
    if not match:
        return None
    return Decimal(match["count"]), match["inner"], match["outer"]


def strength_per_unit(specification: str, unit: str) -> Decimal | None:
    """The amount of `unit`'s dimension in one count unit, from the specification.

    '0.25g' with unit 'mg' -> 250; '5ml:0.1g' with unit 'mg' -> 100, with unit 'ml' -> 5.
    """
    wanted = _dimension(unit)
    if wanted is None:
        return None
    for match in _AMOUNT.finditer(specification):
        found = _dimension(match["unit"])
        if found and found[0] == wanted[0]:
            return Decimal(match["value"]) * found[1] / wanted[1]
    return None


def packages_needed(*, dose: Decimal, dose_unit: str, doses_per_day: Decimal, days: int,
                    specification: str, package: str, sales_unit: str, line_no: int) -> int:
    """Whole sales packages covering the course; at least one."""
    if dose <= 0 or days <= 0 or doses_per_day <= 0:
        raise Unprocessable(f"第{line_no}行：剂量、频次和天数必须大于0", field=f"lines.{line_no}")
    total_dose = dose * doses_per_day * days
    parsed = parse_package(package)
    if dose_unit == sales_unit:  # prescribed directly in packages (e.g. 1 盒 of a cream)
        return max(1, math.ceil(total_dose))
    if parsed is None:
        raise Unprocessable(f"第{line_no}行：无法识别包装规格「{package}」，请按{sales_unit}开具",
                            field=f"lines.{line_no}.dose_unit")
    per_package, count_unit, _ = parsed
    if dose_unit == count_unit:
        units = total_dose
    else:
        strength = strength_per_unit(specification, dose_unit)
        if strength is None or strength <= 0:
            raise Unprocessable(
                f"第{line_no}行：剂量单位「{dose_unit}」与规格「{specification}」不能换算，"
                f"请用{count_unit}或规格中的单位", field=f"lines.{line_no}.dose_unit")
        # Each dose is taken in whole count units' worth of strength only when divisible; the
        # total is what matters for dispensing.
        units = total_dose / strength
    return max(1, math.ceil(units / per_package))
