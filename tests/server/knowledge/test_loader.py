"""Reading a knowledge set from CSV: the seed set is valid; a bad row refuses the whole set
with a report naming file, row and reason."""

from __future__ import annotations

import pytest

from server.checks.levels import Level
from server.knowledge import loader
from server.knowledge.rules import Condition, RuleKind
from tests.server.knowledge.conftest import line_count, with_row

HEADER = "id,a,b,level,message,advice,mechanism\n"


def invalid(files: dict[str, str]) -> list[loader.RowError]:
    with pytest.raises(loader.KnowledgeInvalid) as caught:
        loader.parse_files(files)
    return caught.value.errors


class TestSeedSet:
    def test_every_kind_has_rows(self, seed_files):
        rules = loader.parse_files(seed_files)
        assert all(count > 0 for count in rules.counts().values())
        assert set(rules.counts()) == set(RuleKind)

    def test_rows_are_typed(self, seed_files):
        rules = loader.parse_files(seed_files)
        warfarin = next(r for r in rules.interactions if r.rule_id == "DDI-0001")
        assert (warfarin.a, warfarin.b, warfarin.level) == ("华法林", "阿司匹林", Level.RED)
        cross = next(r for r in rules.allergy_cross if r.rule_id == "XS-0001")
        assert cross.level == Level.ORANGE and cross.severe_level == Level.RED
        pregnancy = next(r for r in rules.contraindications if r.rule_id == "CI-0001")
        assert pregnancy.condition == Condition.PREGNANCY
        penicillins = next(r for r in rules.allergy_classes if r.class_code == "penicillins")
        assert "J01C" in penicillins.members


class TestRefusals:
    def test_one_bad_row_refuses_the_set_and_names_the_row(self, seed_files):
        name = "interaction_pair.csv"
        bad = with_row(seed_files, name, "DDI-9999,华法林,布洛芬,9,测试,,")
        [error] = invalid(bad)
        assert error.file == name and error.row == line_count(bad[name])
        assert error.column == "level" and "警示级别" in error.reason
        assert f"{name} 第 {error.row} 行（level）" in str(error)

    def test_every_bad_row_is_reported(self, seed_files):
        bad = with_row(seed_files, "dose_rule.csv", "DOSE-9999,J01CA04,口服,,,0,斤,1,2,3,4,2")
        bad = with_row(bad, "contraindication.csv",
                       "CI-9999,华法林,pregnancy,I10,3,测试,")
        errors = invalid(bad)
        assert {(e.file, e.column) for e in errors} == {
            ("dose_rule.csv", "unit"), ("contraindication.csv", None)}
        assert any("value 应留空" in e.reason for e in errors)

    def test_a_duplicate_rule_id_is_refused(self, seed_files):
        [error] = invalid(with_row(seed_files, "interaction_pair.csv",
                                   "DDI-0001,甲药,乙药,1,测试,,"))
        assert "DDI-0001" in error.reason and "重复" in error.reason

    def test_a_missing_required_cell_is_refused(self, seed_files):
        [error] = invalid(with_row(seed_files, "interaction_pair.csv",
                                   "DDI-9999,华法林,,2,测试,,"))
        assert error.column == "b" and error.reason == "必填项为空"

    def test_a_missing_file_is_refused(self, seed_files):
        files = dict(seed_files)
        del files["incompatibility.csv"]
        [error] = invalid(files)
        assert error.file == "incompatibility.csv" and error.row is None

    def test_an_unknown_column_is_refused(self, seed_files):
        files = dict(seed_files, **{"incompatibility.csv": "id,a,b,level,message,colour\n"})
        [error] = invalid(files)
        assert error.column == "colour" and error.row == 1

    def test_cross_sensitivity_must_name_known_classes(self, seed_files):
        errors = invalid(with_row(seed_files, "allergy_cross.csv",
                                  "XS-9999,penicillins,unicorns,1,,测试"))
        assert [e.column for e in errors] == ["cross_class_code"]

    def test_a_one_character_name_is_refused(self, seed_files):
        [error] = invalid(with_row(seed_files, "interaction_pair.csv",
                                   "DDI-9999,钙,华法林,1,测试,,"))
        assert "过短" in error.reason


class TestFormat:
    def test_comments_blank_lines_and_a_bom_are_fine_and_rows_keep_their_line(self, seed_files):
        text = ("\ufeff# 注释\n" + HEADER + "\n# 另一行注释\n"
                "DDI-1,甲药,乙药,4,测试,,\n" "DDI-2,甲药,J01C,1,\"含,逗号\",,\n")
        files = dict(seed_files, **{"interaction_pair.csv": text})
        rules = loader.parse_files(files)
        assert [r.rule_id for r in rules.interactions] == ["DDI-1", "DDI-2"]
        assert rules.interactions[1].message == "含,逗号"
        bad = dict(seed_files, **{"interaction_pair.csv": text + "DDI-3,甲药,乙药,0,测试,,\n"})
        [error] = invalid(bad)
        assert error.row == 7  # the seventh line of the file, comments and blank line included

    def test_kinds_may_be_given_without_the_extension(self, seed_files):
        files = {name.removesuffix(".csv"): text for name, text in seed_files.items()}
        assert loader.parse_files(files).counts() == loader.parse_files(seed_files).counts()
