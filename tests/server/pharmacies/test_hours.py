"""Opening hours as pure functions: weekday intervals, overnight hours, closures, special days,
the next opening and the text of a day's hours (Asia/Shanghai wall clock)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest

from server.pharmacies import hours
from server.pharmacies.hours import CHINA, is_open, next_opening

# 2026-03-02 is a Monday.
MONDAY = date(2026, 3, 2)


@dataclass
class Weekly:
    opening_hours: dict[str, list[list[str]]] = field(default_factory=dict)


@dataclass
class Day:
    on_date: date
    closed: bool
    hours: list[list[str]] | None = None


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=CHINA)


SHOP = Weekly({**{d: [["08:00", "12:00"], ["14:00", "21:00"]] for d in "12345"},
               "6": [["09:00", "17:00"]]})
NIGHT = Weekly({d: [["20:00", "08:00"]] for d in "1234567"})
ALWAYS = Weekly({d: [["00:00", "24:00"]] for d in "1234567"})


class TestWeekdayIntervals:
    @pytest.mark.parametrize(("hh", "mm", "expected"), [
        (7, 59, False), (8, 0, True), (11, 59, True), (12, 0, False), (13, 30, False),
        (14, 0, True), (20, 59, True), (21, 0, False)])
    def test_a_day_with_a_lunch_break(self, hh, mm, expected):
        assert is_open(SHOP, [], local(MONDAY, hh, mm)) is expected

    def test_a_day_without_hours_is_closed(self):
        sunday = MONDAY + timedelta(days=6)
        assert not is_open(SHOP, [], local(sunday, 10))
        assert is_open(SHOP, [], local(sunday - timedelta(days=1), 10))

    def test_the_moment_is_read_in_china_whatever_its_zone(self):
        # 01:30 UTC is 09:30 in Shanghai.
        assert is_open(SHOP, [], datetime(2026, 3, 2, 1, 30, tzinfo=UTC))
        assert not is_open(SHOP, [], datetime(2026, 3, 2, 13, 30, tzinfo=UTC))  # 21:30 local

    def test_always_open(self):
        assert all(is_open(ALWAYS, [], local(MONDAY, h)) for h in range(24))
        assert is_open(ALWAYS, [], local(MONDAY, 23, 59))


class TestOvernight:
    def test_open_late_evening_and_early_next_morning(self):
        assert is_open(NIGHT, [], local(MONDAY, 23))
        assert is_open(NIGHT, [], local(MONDAY + timedelta(days=1), 3))
        assert not is_open(NIGHT, [], local(MONDAY, 12))
        assert not is_open(NIGHT, [], local(MONDAY, 8))

    def test_the_night_after_the_last_open_day_still_ends_in_the_morning(self):
        friday_only = Weekly({"5": [["22:00", "06:00"]]})
        friday = MONDAY + timedelta(days=4)
        assert is_open(friday_only, [], local(friday + timedelta(days=1), 5, 59))
        assert not is_open(friday_only, [], local(friday + timedelta(days=1), 6))
        assert not is_open(friday_only, [], local(friday, 5))  # Thursday night had no hours


class TestClosuresAndSpecialDays:
    def test_a_holiday_closes_the_whole_day(self):
        holiday = [Day(MONDAY, closed=True)]
        assert not is_open(SHOP, holiday, local(MONDAY, 10))
        assert is_open(SHOP, holiday, local(MONDAY + timedelta(days=1), 10))

    def test_special_hours_replace_the_weekday(self):
        special = [Day(MONDAY, closed=False, hours=[["10:00", "16:00"]])]
        assert not is_open(SHOP, special, local(MONDAY, 9))
        assert is_open(SHOP, special, local(MONDAY, 13))  # the usual lunch break is gone
        assert not is_open(SHOP, special, local(MONDAY, 17))

    def test_special_hours_on_a_day_normally_closed(self):
        sunday = MONDAY + timedelta(days=6)
        assert is_open(SHOP, [Day(sunday, closed=False, hours=[["09:00", "12:00"]])],
                       local(sunday, 11))

    def test_a_closure_keeps_the_previous_nights_tail(self):
        tuesday = MONDAY + timedelta(days=1)
        closures = [Day(tuesday, closed=True)]
        assert is_open(NIGHT, closures, local(tuesday, 7))  # Monday night runs to 08:00
        assert not is_open(NIGHT, closures, local(tuesday, 21))


class TestNextOpening:
    def test_open_now_is_now(self):
        at = local(MONDAY, 9, 15)
        assert next_opening(SHOP, [], at) == at

    def test_after_lunch(self):
        assert next_opening(SHOP, [], local(MONDAY, 12, 30)) == local(MONDAY, 14)

    def test_after_saturday_it_is_monday_morning(self):
        saturday = MONDAY + timedelta(days=5)
        assert next_opening(SHOP, [], local(saturday, 18)) == local(MONDAY + timedelta(days=7),
                                                                     8)

    def test_skips_holidays(self):
        closures = [Day(MONDAY + timedelta(days=d), closed=True) for d in range(3)]
        assert next_opening(SHOP, closures, local(MONDAY, 7)) == local(
            MONDAY + timedelta(days=3), 8)

    def test_overnight_opening_this_evening(self):
        assert next_opening(NIGHT, [], local(MONDAY, 12)) == local(MONDAY, 20)

    def test_never_within_the_horizon(self):
        assert next_opening(Weekly(), [], local(MONDAY, 12)) is None


class TestHoursText:
    def test_texts(self):
        assert hours.hours_text(SHOP, [], MONDAY) == "08:00–12:00、14:00–21:00"
        assert hours.hours_text(SHOP, [], MONDAY + timedelta(days=6)) == "休息"
        assert hours.hours_text(ALWAYS, [], MONDAY) == "24小时营业"
        assert hours.hours_text(NIGHT, [], MONDAY) == "20:00–次日08:00"
        special = [Day(MONDAY, closed=False, hours=[["10:00", "16:00"]])]
        assert hours.today_hours_text(SHOP, special, local(MONDAY, 3)) == "10:00–16:00"


class TestValidation:
    @pytest.mark.parametrize(("intervals", "message"), [
        ([["8:00", "12:00"]], "格式不正确"),
        ([["08:00", "24:30"]], "超出范围"),
        ([["08:00", "08:00"]], "开始与结束相同"),
        ([["08:00", "12:00"], ["11:00", "14:00"]], "重叠"),
        ([["24:00", "06:00"]], "不能从 24:00 开始"),
    ])
    def test_bad_intervals(self, intervals, message):
        with pytest.raises(ValueError, match=message):
            hours.check_intervals(intervals)

    def test_intervals_are_sorted(self):
        assert hours.check_intervals([["14:00", "18:00"], ["08:00", "12:00"]]) == [
            ["08:00", "12:00"], ["14:00", "18:00"]]

    def test_unknown_weekday(self):
        with pytest.raises(ValueError, match="星期"):
            hours.check_week({"8": []})
