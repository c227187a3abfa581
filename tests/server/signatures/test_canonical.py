"""The canonical form is stable: the apps must produce exactly these bytes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import StrEnum

import pytest

from common.signing import NotCanonical
from server.signatures.canonical import canonical_bytes


class Route(StrEnum):
    ORAL = "oral"


class TestKeyOrder:
    def test_key_order_does_not_matter(self):
        assert canonical_bytes({"b": 1, "a": 2}) == canonical_bytes({"a": 2, "b": 1}) \
            == b'{"a":2,"b":1}'

    def test_nested_objects_sorted_arrays_keep_their_order(self):
        document = {"z": [3, 1, {"y": None, "x": True}], "a": {"d": False, "c": []}}
        assert canonical_bytes(document) == \
            b'{"a":{"c":[],"d":false},"z":[3,1,{"x":true,"y":null}]}'

    def test_keys_sort_by_code_point(self):
        # Upper case before lower case, ASCII before Chinese: Python's str order.
        assert canonical_bytes({"剂量": 1, "b": 2, "B": 3}) == \
            '{"B":3,"b":2,"剂量":1}'.encode()


class TestDecimal:
    @pytest.mark.parametrize(("value", "text"), [
        (Decimal("1.50"), "1.5"), (Decimal("100.00"), "100"), (Decimal("1E+2"), "100"),
        (Decimal("0.000"), "0"), (Decimal("-0.0"), "0"), (Decimal("0.125"), "0.125"),
        (Decimal("-2.50"), "-2.5"), (Decimal("12345678901234567890.1"),
                                     "12345678901234567890.1"),
    ])
    def test_decimal_is_a_plain_string_without_trailing_zeros(self, value, text):
        assert canonical_bytes({"v": value}) == f'{{"v":"{text}"}}'.encode()

    def test_numeric_column_value_signs_like_the_typed_one(self):
        assert canonical_bytes({"dose": Decimal("0.500")}) == \
            canonical_bytes({"dose": Decimal("0.5")})

    @pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity")])
    def test_non_finite_refused(self, value):
        with pytest.raises(NotCanonical):
            canonical_bytes({"v": value})

    def test_float_refused(self):
        with pytest.raises(NotCanonical, match="浮点数"):
            canonical_bytes({"dose": 0.5})


class TestText:
    def test_chinese_text_is_raw_utf8(self):
        out = canonical_bytes({"药品": "阿莫西林胶囊 0.25g×24粒"})
        assert out == '{"药品":"阿莫西林胶囊 0.25g×24粒"}'.encode()
        assert b"\\u" not in out

    def test_only_quotes_backslash_and_controls_are_escaped(self):
        out = canonical_bytes({"s": 'a"b\\c\nd\te\x01f/g\u2028'})
        assert out == b'{"s":"a\\"b\\\\c\\nd\\te\\u0001f/g\xe2\x80\xa8"}'

    def test_no_unicode_normalisation(self):
        composed, decomposed = "\u00e9", "e\u0301"
        assert canonical_bytes({"s": composed}) != canonical_bytes({"s": decomposed})

    def test_lone_surrogate_refused(self):
        with pytest.raises(NotCanonical):
            canonical_bytes({"s": "\ud800"})


class TestOtherTypes:
    def test_datetimes_in_utc_with_z(self):
        beijing = timezone(timedelta(hours=8))
        assert canonical_bytes({"t": datetime(2026, 5, 1, 16, 30, tzinfo=beijing)}) == \
            b'{"t":"2026-05-01T08:30:00Z"}'
        assert canonical_bytes({"t": datetime(2026, 5, 1, 8, 30, 0, 120, tzinfo=UTC)}) == \
            b'{"t":"2026-05-01T08:30:00.000120Z"}'

    def test_naive_datetime_refused(self):
        with pytest.raises(NotCanonical, match="时区"):
            canonical_bytes({"t": datetime(2026, 5, 1, 8, 30)})

    def test_date_time_uuid_enum_bytes_tuple(self):
        document = {"d": date(2026, 5, 1), "t": time(8, 5), "u": uuid.UUID(int=1),
                    "r": Route.ORAL, "b": b"\x00\xff", "l": (1, 2), "n": None}
        assert canonical_bytes(document) == (
            b'{"b":"AP8=","d":"2026-05-01","l":[1,2],"n":null,"r":"oral",'
            b'"t":"08:05:00","u":"00000000-0000-0000-0000-000000000001"}')

    @pytest.mark.parametrize("document", [
        {"s": {1, 2}}, {1: "int key"}, {"o": object()}, {"nested": {"x": [0.1]}},
    ])
    def test_undefined_values_refused(self, document):
        with pytest.raises(NotCanonical):
            canonical_bytes(document)

    def test_top_level_must_be_an_object(self):
        with pytest.raises(NotCanonical):
            canonical_bytes([1, 2])  # type: ignore[arg-type]


class TestGolden:
    def test_prescription_bytes_are_fixed(self):
        """A change to the canonical form breaks every stored signature: this must not move."""
        document = {
            "document": "prescription/1",
            "id": uuid.UUID("0b5e6c1e-3f1d-4c59-9a51-9f0e3d2c7a10"),
            "issued_at": datetime(2026, 5, 1, 8, 30, tzinfo=UTC),
            "patient": {"name": "张伟", "weight_kg": Decimal("68.50")},
            "lines": [{"generic_name": "阿莫西林胶囊", "dose": Decimal("0.50"),
                       "dose_unit": "g", "days": 7, "skin_test": False}],
        }
        assert canonical_bytes(document) == (
            '{"document":"prescription/1","id":"0b5e6c1e-3f1d-4c59-9a51-9f0e3d2c7a10",'
            '"issued_at":"2026-05-01T08:30:00Z","lines":[{"days":7,"dose":"0.5",'
            '"dose_unit":"g","generic_name":"阿莫西林胶囊","skin_test":false}],'
            '"patient":{"name":"张伟","weight_kg":"68.5"}}').encode()
