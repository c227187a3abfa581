"""Traceability codes as scanners deliver them: the domestic 20 digits and GS1 element strings."""

from __future__ import annotations

from datetime import date

import pytest

from server.circulation.tracecodes import GS, InvalidTraceCode, gtin_check_digit, parse

GTIN = "0690123456789" + gtin_check_digit("0690123456789")
BAD_GTIN = GTIN[:-1] + str((int(GTIN[-1]) + 1) % 10)


def test_domestic_code_is_its_own_identity() -> None:
    code = parse("81234567890123456789")
    assert (code.format, code.code, code.product_key) == ("domestic", "81234567890123456789",
                                                          "8123456")


@pytest.mark.parametrize("raw", [
    f"01{GTIN}17261231101A2B3{GS}21SER0001",
    f"(01){GTIN}(17)261231(10)1A2B3(21)SER0001",
    f"]d201{GTIN}17261231101A2B3{GS}21SER0001",
    f"01{GTIN}21SER0001{GS}17261231101A2B3",
])
def test_gs1_forms_agree(raw: str) -> None:
    code = parse(raw)
    assert code.format == "gs1"
    assert code.code == f"01{GTIN}21SER0001"
    assert (code.product_key, code.batch, code.expiry, code.serial) == (
        GTIN, "1A2B3", date(2026, 12, 31), "SER0001")


def test_gs1_day_00_is_end_of_month() -> None:
    assert parse(f"01{GTIN}17260200{GS}21X1").expiry == date(2026, 2, 28)


@pytest.mark.parametrize(("raw", "message"), [
    ("", "为空"),
    ("1234567890", "20 位"),
    ("812345678901234567890", "20 位"),
    ("hello", "无法识别"),
    (f"01{BAD_GTIN}21X", "校验位"),
    (f"01{GTIN}10BATCH", "序列号"),
    (f"01{GTIN}17261331{GS}21X", "月份"),
    (f"01{GTIN}99ABC", "不支持"),
    (f"(01){GTIN}(21)", "长度"),
])
def test_invalid_codes_say_why(raw: str, message: str) -> None:
    with pytest.raises(InvalidTraceCode, match=message):
        parse(raw)
