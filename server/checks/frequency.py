"""The dosing-frequency vocabulary (给药频次) prescriptions use, and doses per day of each.

Codes are the Latin abbreviations Chinese prescriptions are written with. `prn` (as needed) has
no fixed count: it counts as the maximum doses per day the prescriber gives on the line (and,
when none is given, as the maximum the dose rule allows), so its daily dose is the worst case.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple


class Frequency(NamedTuple):
    label: str  # Chinese, as printed on the prescription
    per_day: Decimal | None  # None: as needed (prn), see module docstring


FREQUENCIES: dict[str, Frequency] = {
    "qd": Frequency("每日一次", Decimal(1)),
    "bid": Frequency("每日两次", Decimal(2)),
    "tid": Frequency("每日三次", Decimal(3)),
    "qid": Frequency("每日四次", Decimal(4)),
    "q4h": Frequency("每4小时一次", Decimal(6)),
    "q6h": Frequency("每6小时一次", Decimal(4)),
    "q8h": Frequency("每8小时一次", Decimal(3)),
    "q12h": Frequency("每12小时一次", Decimal(2)),
    "qn": Frequency("每晚一次", Decimal(1)),
    "qod": Frequency("隔日一次", Decimal("0.5")),
    "biw": Frequency("每周两次", Decimal(2) / Decimal(7)),
    "qw": Frequency("每周一次", Decimal(1) / Decimal(7)),
    "prn": Frequency("必要时", None),
    "st": Frequency("立即（一次）", Decimal(1)),
}

# Frequencies given once, not as a daily regimen: the daily dose is the single dose.
ONCE = frozenset({"st"})


def normalise(code: str) -> str:
    return code.strip().lower()


def doses_per_day(code: str, *, prn_max: int | Decimal | None = None) -> Decimal | None:
    """Doses per day for `code`; None when unknown, or `prn` without a maximum."""
    frequency = FREQUENCIES.get(normalise(code))
    if frequency is None:
        return None
    if frequency.per_day is None:
        return None if prn_max is None else Decimal(prn_max)
    return frequency.per_day


def frequency_label(code: str) -> str:
    frequency = FREQUENCIES.get(normalise(code))
    return frequency.label if frequency else code
