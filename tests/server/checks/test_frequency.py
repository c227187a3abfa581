"""The frequency vocabulary and the doses a day each code means."""

from __future__ import annotations

from decimal import Decimal

import pytest

from server.checks.frequency import FREQUENCIES, doses_per_day, frequency_label


class TestFrequencies:
    @pytest.mark.parametrize(("code", "per_day"), [
        ("qd", 1), ("bid", 2), ("tid", 3), ("qid", 4), ("q6h", 4), ("q8h", 3), ("q12h", 2),
        ("qn", 1), ("qod", Decimal("0.5")), ("st", 1)])
    def test_doses_per_day(self, code, per_day):
        assert doses_per_day(code) == Decimal(per_day)
        assert FREQUENCIES[code].per_day == Decimal(per_day)

    def test_weekly_is_a_seventh(self):
        weekly = doses_per_day("qw")
        assert weekly is not None and weekly * 7 == pytest.approx(Decimal(1))

    def test_prn_counts_as_the_maximum_given(self):
        assert doses_per_day("prn") is None
        assert doses_per_day("prn", prn_max=3) == 3

    def test_codes_are_case_insensitive_and_unknown_ones_unknown(self):
        assert doses_per_day(" TID ") == 3
        assert doses_per_day("q3d") is None

    def test_labels_are_chinese(self):
        assert frequency_label("tid") == "每日三次"
        assert frequency_label("qn") == "每晚一次"
        assert FREQUENCIES["prn"].label == "必要时"
