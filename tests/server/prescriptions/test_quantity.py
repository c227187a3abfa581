"""Quantity: dose x doses per day x days, rounded up to whole sales packages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from server.core.errors import Unprocessable
from server.prescriptions.quantity import packages_needed, parse_package, strength_per_unit


def need(dose: str, unit: str, per_day: str, days: int, spec: str, package: str,
         sales: str = "盒") -> int:
    return packages_needed(dose=Decimal(dose), dose_unit=unit, doses_per_day=Decimal(per_day),
                           days=days, specification=spec, package=package, sales_unit=sales,
                           line_no=1)


class TestParsing:
    def test_package_and_strength(self) -> None:
        assert parse_package("24粒/盒") == (Decimal(24), "粒", "盒")
        assert parse_package("100ml/瓶") == (Decimal(100), "ml", "瓶")
        assert parse_package("盒装") is None
        assert strength_per_unit("0.25g", "mg") == Decimal(250)
        assert strength_per_unit("5ml:0.1g", "mg") == Decimal(100)
        assert strength_per_unit("5ml:0.1g", "ml") == Decimal(5)
        assert strength_per_unit("0.25g", "ml") is None


class TestPackagesNeeded:
    def test_count_units(self) -> None:
        # amoxicillin 0.5 g = 2 capsules tid for 7 days = 42 capsules = 2 boxes of 24
        assert need("2", "粒", "3", 7, "0.25g", "24粒/盒") == 2

    def test_mass_units_convert_through_the_strength(self) -> None:
        assert need("500", "mg", "3", 7, "0.25g", "24粒/盒") == 2
        assert need("0.5", "g", "3", 7, "0.25g", "24粒/盒") == 2

    def test_rounds_up_and_at_least_one(self) -> None:
        assert need("1", "片", "1", 1, "5mg", "28片/盒") == 1
        assert need("1", "片", "1", 29, "5mg", "28片/盒") == 2

    def test_prescribed_in_sales_units(self) -> None:
        assert need("1", "支", "1", 1, "10g", "1支/支", sales="支") == 1

    def test_unconvertible_unit_names_the_line(self) -> None:
        with pytest.raises(Unprocessable) as exc:
            need("5", "ml", "3", 7, "0.25g", "24粒/盒")
        assert exc.value.extra["field"] == "lines.1.dose_unit"
        assert "不能换算" in exc.value.detail
