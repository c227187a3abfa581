"""Dose units: converting an amount between units of one kind, and reading a simple strength.

A dose written in a count unit (片, 粒, 支 ...) becomes an amount of drug through the product's
strength (0.25g per 粒); without one it cannot be compared with a rule in mg, and the dose check
says so ("not checked") instead of guessing.
"""

from __future__ import annotations

import re
from decimal import Decimal

# unit -> (kind, factor to the kind's base unit: mg, ml, IU)
_UNITS: dict[str, tuple[str, Decimal]] = {
    "kg": ("mass", Decimal(1_000_000)),
    "g": ("mass", Decimal(1000)),
    "克": ("mass", Decimal(1000)),
    "mg": ("mass", Decimal(1)),
    "毫克": ("mass", Decimal(1)),
    "μg": ("mass", Decimal("0.001")),
    "µg": ("mass", Decimal("0.001")),
    "ug": ("mass", Decimal("0.001")),
    "mcg": ("mass", Decimal("0.001")),
    "微克": ("mass", Decimal("0.001")),
    "l": ("volume", Decimal(1000)),
    "ml": ("volume", Decimal(1)),
    "毫升": ("volume", Decimal(1)),
    "iu": ("units", Decimal(1)),
    "u": ("units", Decimal(1)),
    "单位": ("units", Decimal(1)),
    "万单位": ("units", Decimal(10_000)),
    "万u": ("units", Decimal(10_000)),
    "万iu": ("units", Decimal(10_000)),
}

_STRENGTH = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-zμµ\u4e00-\u9fff]+)\s*")


def normalise(unit: str) -> str:
    return unit.strip().lower()


def kind(unit: str) -> str | None:
    """mass, volume or units; None for a count unit (片, 粒 ...) or one we do not know."""
    found = _UNITS.get(normalise(unit))
    return found[0] if found else None


def convert(amount: Decimal, from_unit: str, to_unit: str) -> Decimal | None:
    """`amount` in `from_unit` expressed in `to_unit`; None when the units are not of one kind."""
    if normalise(from_unit) == normalise(to_unit):
        return amount
    source, target = _UNITS.get(normalise(from_unit)), _UNITS.get(normalise(to_unit))
    if source is None or target is None or source[0] != target[0]:
        return None
    return amount * source[1] / target[1]


def parse_strength(specification: str) -> tuple[Decimal, str] | None:
    """The amount per dosage unit of a simple specification ("0.25g", "80万单位", "5mg");
    None for anything else (combinations "150mg:12.5mg", concentrations "100ml:0.5g")."""
    match = _STRENGTH.fullmatch(specification or "")
    if match is None or kind(match.group(2)) is None:
        return None
    return Decimal(match.group(1)), match.group(2)
