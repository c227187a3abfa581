"""The PASS scale: severity order is not numeric order, and "not checked" is never passed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from server.checks import levels
from server.checks.levels import Level


@dataclass
class Finding:
    level: int


class TestSeverityOrder:
    def test_worst_first_is_black_red_orange_yellow_then_not_checked_then_blue(self):
        found = [Finding(v) for v in (0, 1, 4, 2, 3, -1)]
        assert [f.level for f in levels.sort_worst_first(found)] == [3, 2, 4, 1, -1, 0]

    def test_orange_is_less_severe_than_red_though_its_number_is_higher(self):
        assert levels.severity_rank(Level.ORANGE) < levels.severity_rank(Level.RED)
        assert levels.worst([Level.ORANGE, Level.RED]) == Level.RED
        assert levels.worst([Level.ORANGE, Level.YELLOW]) == Level.ORANGE

    def test_worst_of_nothing_is_blue(self):
        assert levels.worst([]) == Level.BLUE

    def test_not_checked_outranks_blue(self):
        assert levels.worst([Level.BLUE, Level.NOT_CHECKED]) == Level.NOT_CHECKED


class TestMeaning:
    def test_only_black_blocks_submission(self):
        assert [v for v in Level if levels.blocks_submission(v)] == [Level.BLACK]

    def test_yellow_orange_and_red_need_an_override_reason(self):
        assert {v for v in Level if levels.needs_override(v)} == {
            Level.YELLOW, Level.ORANGE, Level.RED}

    @pytest.mark.parametrize("value", [-3, -2, -1])
    def test_negative_levels_are_not_checked(self, value):
        assert not levels.is_checked(value)
        assert levels.label(value).startswith("未审查")

    def test_labels_are_the_traffic_lights(self):
        assert levels.label(3) == "黑灯：禁忌，禁止提交"
        assert levels.label(4).startswith("橙灯")

    def test_a_number_off_the_scale_is_refused(self):
        with pytest.raises(ValueError, match="PASS"):
            levels.level(5)
