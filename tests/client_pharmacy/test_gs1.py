"""Batch and expiry prefilled from what a scanner sends for a GS1 code."""

from __future__ import annotations

from datetime import date

import pytest

from client_pharmacy.gs1 import GS, Prefill, prefill


@pytest.mark.parametrize("scanned", [
    f"]d201069012345678901728063010B2026X{GS}21SN0001",
    "(01)06901234567890(17)280630(10)B2026X(21)SN0001",
    f"{GS}01069012345678901728063010B2026X{GS}21SN0001",  # leading FNC1
])
def test_gs1_forms_prefill_batch_and_expiry(scanned: str) -> None:
    assert prefill(scanned) == Prefill(batch="B2026X", expiry=date(2028, 6, 30))


def test_day_00_is_the_last_day_of_the_month() -> None:
    assert prefill("(01)06901234567890(17)280200(10)B1").expiry == date(2028, 2, 29)


@pytest.mark.parametrize("scanned", ["81004530000000000001", "hello", "(01)0690(17)281399"])
def test_domestic_or_unreadable_codes_prefill_nothing_they_do_not_say(scanned: str) -> None:
    assert prefill(scanned).expiry is None
