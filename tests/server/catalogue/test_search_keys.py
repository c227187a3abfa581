"""Search keys computed at write time, and the normalisation of what the doctor types."""

from __future__ import annotations

import pytest

from server.catalogue.search import ingredient_stem, normalise, query_tokens, search_keys


def words(key: str) -> list[str]:
    return key.split()


class TestSearchKeys:
    def test_amoxicillin_has_initials_and_full_pinyin_of_name_stem_and_brand(self) -> None:
        primary, secondary, text = search_keys("阿莫西林胶囊", "阿莫仙")
        assert words(primary) == ["阿莫西林胶囊", "阿莫西林", "阿莫仙", "amxljn", "amxl", "amx"]
        assert words(secondary) == ["amoxilinjiaonang", "amoxilin", "amoxian"]
        assert set(words(primary)) | set(words(secondary)) <= set(words(text))

    def test_every_word_is_space_delimited_on_both_sides(self) -> None:
        for key in search_keys("阿莫西林胶囊", None):
            assert key.startswith(" ") and key.endswith(" ") and "  " not in key

    def test_chinese_suffixes_are_words_so_short_infixes_are_word_prefixes(self) -> None:
        _, _, text = search_keys("缬沙坦胶囊", None)
        assert "沙坦胶囊" in words(text) and "坦胶囊" in words(text)

    def test_polyphonic_characters_take_the_phrase_reading(self) -> None:
        _, secondary, _ = search_keys("重组人胰岛素注射液", None)
        assert words(secondary)[0].startswith("chongzu")

    def test_u_umlaut_is_v_with_a_u_variant(self) -> None:
        _, secondary, _ = search_keys("氯化钾缓释片", None)
        assert "lvhuajia" in words(secondary) and "luhuajia" in words(secondary)

    def test_punctuation_and_full_width_are_folded(self) -> None:
        primary, _, _ = search_keys("0.9%氯化钠注射液", None)
        assert "09氯化钠注射液" in words(primary) and "09lhn" in words(primary)


class TestIngredientStem:
    @pytest.mark.parametrize(("name", "stem"), [
        ("阿莫西林胶囊", "阿莫西林"), ("注射用盐酸万古霉素", "万古霉素"),
        ("盐酸左氧氟沙星片", "左氧氟沙星"), ("硝苯地平控释片", "硝苯地平"),
        ("硝酸甘油片", "硝酸甘油"), ("藿香正气水", "藿香正气"),
        ("硝苯地平缓释片(Ⅱ)", "硝苯地平"),
    ])
    def test_strips_dosage_form_and_salt(self, name: str, stem: str) -> None:
        assert ingredient_stem(name) == stem

    def test_none_when_nothing_to_strip(self) -> None:
        assert ingredient_stem("黄芪") is None


class TestQueryTokens:
    def test_lower_cases_and_splits_on_spaces(self) -> None:
        assert query_tokens("  AMX  胶囊 ") == ["amx", "胶囊"]

    def test_full_width_letters_are_folded(self) -> None:
        assert query_tokens("ＡＭＸＬ") == ["amxl"]

    def test_pattern_characters_never_reach_sql(self) -> None:
        assert query_tokens("%_\\'阿;--") == ["阿"]
        assert query_tokens("%%% ___") == []

    def test_at_most_four_tokens_of_bounded_length(self) -> None:
        tokens = query_tokens("a b c d e " + "x" * 100)
        assert tokens == ["a", "b", "c", "d"]
        assert len(query_tokens("y" * 100)[0]) == 40

    def test_normalise_keeps_letters_digits_and_cjk_only(self) -> None:
        assert normalise("Ａ-1 阿（莫）ü") == "a1阿莫v"
