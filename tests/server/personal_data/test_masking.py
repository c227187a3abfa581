"""Masking of personal data on output."""

from __future__ import annotations

import pytest

from server.personal_data.masking import (
    mask_address,
    mask_card_number,
    mask_id_number,
    mask_middle,
    mask_name,
    mask_phone,
)


class TestNone:
    @pytest.mark.parametrize(
        "mask", [mask_id_number, mask_phone, mask_name, mask_address, mask_card_number]
    )
    def test_none_passes_through(self, mask: object) -> None:
        assert mask(None) is None  # type: ignore[operator]

    def test_mask_middle(self) -> None:
        assert mask_middle(None, keep_start=1, keep_end=1) is None


class TestIdNumber:
    def test_keeps_first_3_and_last_4(self) -> None:
        assert mask_id_number("110105199001011234") == "110***********1234"

    def test_same_length(self) -> None:
        assert len(mask_id_number("11010519491231002X")) == 18

    def test_check_character_kept(self) -> None:
        assert mask_id_number("11010519491231002X") == "110***********002X"

    def test_whitespace_stripped(self) -> None:
        assert mask_id_number(" 110105199001011234\n") == "110***********1234"

    def test_too_short_is_fully_masked(self) -> None:
        assert mask_id_number("1234567") == "*******"


class TestPhone:
    def test_mobile_keeps_3_and_4(self) -> None:
        assert mask_phone("13812345678") == "138****5678"

    def test_landline_keeps_3_and_2(self) -> None:
        assert mask_phone("010-12345678") == "010*******78"
        assert mask_phone("88886666") == "888***66"

    def test_11_digits_not_a_mobile_keep_3_and_2(self) -> None:
        assert mask_phone("02112345678") == "021******78"

    def test_short_number_fully_masked(self) -> None:
        assert mask_phone("12345") == "*****"
        assert mask_phone("") == ""


class TestName:
    @pytest.mark.parametrize(
        ("name", "masked"),
        [("张三", "张*"), ("欧阳娜娜", "欧***"), ("李小明", "李**"), ("张", "*"), ("", "")],
    )
    def test_first_character_kept(self, name: str, masked: str) -> None:
        assert mask_name(name) == masked

    def test_whitespace_stripped(self) -> None:
        assert mask_name(" 张三 ") == "张*"


class TestAddress:
    @pytest.mark.parametrize(
        ("address", "masked"),
        [
            ("北京市朝阳区建国路88号", "北京市朝阳区****"),
            ("上海浦东新区世纪大道100号", "上海浦东新区****"),
            ("广东省深圳市南山区科技园南路1号", "广东省深圳市南山区****"),
            ("广东省广州市天河区体育西路", "广东省广州市天河区****"),
            ("江苏省苏州市吴中区木渎镇", "江苏省苏州市吴中区****"),
            ("浙江省杭州市余杭区", "浙江省杭州市余杭区"),
            ("河北省保定市涞水县永阳镇", "河北省保定市涞水县****"),
            ("湖北省恩施土家族苗族自治州恩施市舞阳大道", "湖北省恩施土家族苗族自治州恩施市****"),
            ("新疆维吾尔自治区乌鲁木齐市天山区解放路1号", "新疆维吾尔自治区乌鲁木齐市天山区****"),
            (
                "内蒙古自治区呼伦贝尔市鄂温克族自治旗巴彦托海镇",
                "内蒙古自治区呼伦贝尔市鄂温克族自治旗****",
            ),
            ("北京市通州区新华大街", "北京市通州区****"),
        ],
    )
    def test_kept_down_to_the_district(self, address: str, masked: str) -> None:
        assert mask_address(address) == masked

    def test_county_level_city_without_district(self) -> None:
        # 昆山市 is the county level; the town and street below it are hidden.
        assert mask_address("江苏省昆山市玉山镇前进中路开发区5号") == "江苏省昆山市****"

    def test_no_district_keeps_first_6_characters(self) -> None:
        assert mask_address("人民路幸福里小区3栋2单元") == "人民路幸福里****"

    def test_short_address_without_district_keeps_at_most_half(self) -> None:
        assert mask_address("幸福里3栋") == "幸福****"

    def test_street_numbers_not_kept(self) -> None:
        masked = mask_address("北京市朝阳区建国路88号")
        assert "88" not in masked
        assert "建国路" not in masked


class TestCardNumber:
    def test_keeps_first_2_and_last_4(self) -> None:
        assert mask_card_number("1100012345678901") == "11**********8901"
        assert mask_card_number("YB123456789") == "YB*****6789"

    def test_too_short_fully_masked(self) -> None:
        assert mask_card_number("123456") == "******"
