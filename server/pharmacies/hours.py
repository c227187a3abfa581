"""Opening hours: is a pharmacy open at a moment, when does it open next, what are today's hours.

Pure functions over plain data, in Asia/Shanghai local time (the pharmacies' wall clock):

- weekly hours: ISO weekday ("1" Monday .. "7" Sunday) -> intervals ["HH:MM", "HH:MM"];
  several intervals a day are allowed (a lunch break). "24:00" ends a day; an interval whose end
  is before its start runs overnight into the next day ("22:00"–"06:00"); "00:00"–"24:00" is a
  whole day.
- closures and special days, per date: closed, or special hours replacing the weekday's.
  A closure replaces the hours that start on its date; the overnight tail of the evening before
  still runs (a night pharmacy closes in the morning as it always does).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Protocol
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
DAY = 24 * 60
WEEKDAYS = tuple(str(d) for d in range(1, 8))
WEEKDAY_LABELS = {"1": "周一", "2": "周二", "3": "周三", "4": "周四", "5": "周五", "6": "周六",
                  "7": "周日"}
# How far ahead next_opening looks (the longest closure a pharmacy announces is Spring Festival).
HORIZON_DAYS = 31

Intervals = Sequence[Sequence[str]]


class WeeklyHours(Protocol):
    @property
    def opening_hours(self) -> Mapping[str, Intervals]: ...


class SpecialDay(Protocol):
    @property
    def on_date(self) -> date: ...
    @property
    def closed(self) -> bool: ...
    @property
    def hours(self) -> Intervals | None: ...


def minutes(value: str) -> int:
    """'HH:MM' as minutes after midnight; '24:00' is the end of the day."""
    if len(value) != 5 or value[2] != ":" or not (value[:2] + value[3:]).isdigit():
        raise ValueError(f"时间“{value}”格式不正确，应为 HH:MM")
    hour, minute = int(value[:2]), int(value[3:])
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        raise ValueError(f"时间“{value}”超出范围（00:00–24:00）")
    return hour * 60 + minute


def _span(interval: Sequence[str]) -> tuple[int, int]:
    """(start, end) in minutes from the day's midnight; end > DAY for an overnight interval."""
    if len(interval) != 2:
        raise ValueError("营业时段应为 [开始, 结束] 两个时间")
    start, end = minutes(interval[0]), minutes(interval[1])
    if start == DAY:
        raise ValueError("营业时段不能从 24:00 开始")
    if start == end:
        raise ValueError(f"营业时段 {interval[0]}–{interval[1]} 的开始与结束相同")
    return start, end if end > start else end + DAY


def check_intervals(intervals: Intervals) -> list[list[str]]:
    """A day's intervals, validated and sorted; overlapping ones are refused."""
    spans = sorted((_span(i), [i[0], i[1]]) for i in intervals)
    for (a, _), (b, label) in pairwise(spans):
        if b[0] < a[1]:
            raise ValueError(f"营业时段 {label[0]}–{label[1]} 与前一时段重叠")
    return [label for _, label in spans]


def check_week(week: Mapping[str, Intervals]) -> dict[str, list[list[str]]]:
    unknown = set(week) - set(WEEKDAYS)
    if unknown:
        raise ValueError(f"星期应为 1（周一）到 7（周日），不认识 {sorted(unknown)}")
    return {d: check_intervals(week.get(d, [])) for d in WEEKDAYS}


def _by_date(closures: Iterable[SpecialDay]) -> dict[date, SpecialDay]:
    return {c.on_date: c for c in closures}


def _day_spans(weekly: WeeklyHours, special: Mapping[date, SpecialDay],
               day: date) -> list[tuple[int, int]]:
    entry = special.get(day)
    if entry is not None:
        intervals: Intervals = [] if entry.closed else (entry.hours or [])
    else:
        intervals = weekly.opening_hours.get(str(day.isoweekday()), [])
    return sorted(_span(i) for i in intervals)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=CHINA)


def open_periods(weekly: WeeklyHours, closures: Iterable[SpecialDay], start: date,
                 days: int) -> list[tuple[datetime, datetime]]:
    """The periods open from the day before `start` on, for `days` days, merged and in order."""
    special = _by_date(closures)
    periods: list[tuple[datetime, datetime]] = []
    for offset in range(-1, days):
        day = start + timedelta(days=offset)
        midnight = _local_midnight(day)
        for begin, end in _day_spans(weekly, special, day):
            opened = midnight + timedelta(minutes=begin)
            closed = midnight + timedelta(minutes=end)
            if periods and opened <= periods[-1][1]:
                periods[-1] = (periods[-1][0], max(periods[-1][1], closed))
            else:
                periods.append((opened, closed))
    return periods


def is_open(profile: WeeklyHours, closures: Iterable[SpecialDay], at: datetime) -> bool:
    local = at.astimezone(CHINA)
    return any(begin <= local < end
               for begin, end in open_periods(profile, closures, local.date(), 1))


def next_opening(profile: WeeklyHours, closures: Iterable[SpecialDay], at: datetime, *,
                 horizon_days: int = HORIZON_DAYS) -> datetime | None:
    """The earliest moment at or after `at` when the pharmacy is open (`at` itself when open
    now), in local time; None when it does not open within `horizon_days`."""
    local = at.astimezone(CHINA)
    for begin, end in open_periods(profile, closures, local.date(), horizon_days + 1):
        if end > local:
            return max(begin, local)
    return None


def _clock(total: int) -> str:
    return f"{total // 60:02d}:{total % 60:02d}"


def hours_text(profile: WeeklyHours, closures: Iterable[SpecialDay], day: date) -> str:
    """A day's hours as the pharmacy's sign shows them, e.g. "08:00–12:00、14:00–21:00"."""
    spans = _day_spans(profile, _by_date(closures), day)
    if not spans:
        return "休息"
    if spans == [(0, DAY)]:
        return "24小时营业"
    return "、".join(
        f"{_clock(begin)}–{_clock(end) if end <= DAY else '次日' + _clock(end - DAY)}"
        for begin, end in spans)


def today_hours_text(profile: WeeklyHours, closures: Iterable[SpecialDay],
                     at: datetime) -> str:
    return hours_text(profile, closures, at.astimezone(CHINA).date())
