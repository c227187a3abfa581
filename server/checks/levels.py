"""The warning-level scale of the rational-drug-use systems (PASS), and its severity order.

The numbers are the ones PASS answers with (DOMAIN.md section 4), so results from our own engine
and from the hospital's system sit on one scale. The numeric order is NOT the severity order:
4 (orange, use with caution) is less severe than 2 (red) and 3 (black). Compare levels only
through `severity_rank` / `worst` / `sort_worst_first`, never with `<` on the numbers.

Negative values mean "not checked": the line was not (or could not be) checked. They are never
"passed": a caller that needs a clean result must see level 0 (blue) for every line.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from typing import Protocol, TypeVar


class Level(IntEnum):
    # Our use of the three "not checked" values (PASS leaves their meaning to the integration).
    NOT_CHECKED_UNKNOWN_DRUG = -3  # 未审查：药品无法识别
    NOT_CHECKED_MISSING_DATA = -2  # 未审查：缺少患者或处方资料（体重、年龄、单位）
    NOT_CHECKED = -1  # 未审查：审查服务不可用、超时或出错
    BLUE = 0  # 蓝灯：未发现问题
    YELLOW = 1  # 黄灯：低风险或风险不明确
    RED = 2  # 红灯：严重，不推荐
    BLACK = 3  # 黑灯：绝对禁忌，禁止提交
    ORANGE = 4  # 橙灯：慎用


LEVEL_LABELS: dict[Level, str] = {
    Level.NOT_CHECKED_UNKNOWN_DRUG: "未审查（药品无法识别）",
    Level.NOT_CHECKED_MISSING_DATA: "未审查（资料不足）",
    Level.NOT_CHECKED: "未审查",
    Level.BLUE: "蓝灯：未发现问题",
    Level.YELLOW: "黄灯：低风险或风险不明确",
    Level.ORANGE: "橙灯：慎用",
    Level.RED: "红灯：严重，不推荐",
    Level.BLACK: "黑灯：禁忌，禁止提交",
}

# Higher = worse. "Not checked" sits above blue (an unknown is worse than a known "no problem")
# and below yellow (a found problem outranks an unknown one in the list a doctor reads).
_RANK: dict[int, int] = {
    Level.BLUE: 0,
    Level.NOT_CHECKED_UNKNOWN_DRUG: 1,
    Level.NOT_CHECKED_MISSING_DATA: 1,
    Level.NOT_CHECKED: 1,
    Level.YELLOW: 2,
    Level.ORANGE: 3,
    Level.RED: 4,
    Level.BLACK: 5,
}

# FHIR DetectedIssue.severity (high | moderate | low) for each level.
FHIR_SEVERITY: dict[Level, str] = {
    Level.BLACK: "high", Level.RED: "high", Level.ORANGE: "moderate", Level.YELLOW: "low",
    Level.BLUE: "low", Level.NOT_CHECKED: "low", Level.NOT_CHECKED_MISSING_DATA: "low",
    Level.NOT_CHECKED_UNKNOWN_DRUG: "low",
}

# The levels a knowledge row may give a hit (blue is "no hit"; not-checked is not a finding).
HIT_LEVELS = frozenset({Level.YELLOW, Level.ORANGE, Level.RED, Level.BLACK})


def level(value: int) -> Level:
    """`value` as a Level; ValueError (with a Chinese message) for a number off the scale."""
    try:
        return Level(int(value))
    except ValueError:
        raise ValueError(f"警示级别 {value} 不在 PASS 等级（-3 至 4）之内") from None


def label(value: int) -> str:
    return LEVEL_LABELS[level(value)]


def severity_rank(value: int) -> int:
    """A number that orders levels by severity (higher = worse)."""
    return _RANK[value]


def is_checked(value: int) -> bool:
    return value >= 0


def blocks_submission(value: int) -> bool:
    """Black: an absolute contraindication; the prescription cannot be submitted."""
    return value == Level.BLACK


def needs_override(value: int) -> bool:
    """Yellow, orange and red: the prescriber (or pharmacist) must give a reason to proceed."""
    return value in (Level.YELLOW, Level.ORANGE, Level.RED)


def worst(values: Iterable[int]) -> Level:
    """The most severe of `values`; blue when there are none."""
    found = Level.BLUE
    for value in values:
        if _RANK[value] > _RANK[found]:
            found = Level(value)
    return found


class _HasLevel(Protocol):
    @property
    def level(self) -> int: ...


T = TypeVar("T", bound=_HasLevel)


def sort_worst_first(items: Iterable[T]) -> list[T]:
    """Items ordered black > red > orange > yellow > not checked > blue; stable within a level."""
    return sorted(items, key=lambda item: -_RANK[item.level])
