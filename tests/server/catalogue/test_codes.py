"""The format checks of the identifiers a catalogue product carries."""

from __future__ import annotations

import pytest

from server.catalogue import codes


class TestInsuranceCode:
    @pytest.mark.parametrize("code", ["XA01ABD075A002010100483", "ZA04AAA001A0010101T0001",
                                      "TA01AAA001A00101010000C", "C0123456789ABCDEFGHJKLM"])
    def test_accepts_23_characters_after_a_kind_letter(self, code: str) -> None:
        assert codes.insurance_code(code) == code

    def test_normalises_case_and_spaces(self) -> None:
        assert codes.insurance_code(" xa01abd075a002010100483 ") == "XA01ABD075A002010100483"

    @pytest.mark.parametrize(("code", "message"), [
        ("XA01ABD075A00201010048", "23 位"),  # 22 characters
        ("XA01ABD075A0020101004833", "23 位"),  # 24
        ("AA01ABD075A002010100483", "首位"),  # not a kind letter
        ("XA01ABD075A00201010048-", "首位"),  # punctuation
    ])
    def test_rejects_with_chinese_message(self, code: str, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            codes.insurance_code(code)


class TestStandardCode:
    def test_accepts_the_domain_example(self) -> None:
        assert codes.standard_code("86900483000019") == "86900483000019"

    def test_check_digit_is_gs1_mod_10(self) -> None:
        assert codes.gs1_check_digit("8690048300001") == 9
        assert codes.gs1_check_digit("6901234567892"[:-1]) == 2  # an EAN-13 example

    @pytest.mark.parametrize(("code", "message"), [
        ("86900483000018", "校验位"),
        ("8690048300001", "14 位"),
        ("869004830000199", "14 位"),
        ("87900483000010", "86"),
        ("86９00483000019", "14 位"),  # a full-width digit is not an ASCII digit
    ])
    def test_rejects(self, code: str, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            codes.standard_code(code)


class TestApprovalNumber:
    @pytest.mark.parametrize("number", [
        "国药准字H20003263", "国药准字Z11020001", "国药准字S20063010", "国药准字J20130097",
        "国药准字HJ20170001", "H20140901", "HC20150025"])
    def test_accepts(self, number: str) -> None:
        assert codes.approval_number(number) == number

    @pytest.mark.parametrize("number", ["国药准字X20003263", "国药准字H2000326", "国药准字",
                                        "H2014090", "国食注字TY20180001"])
    def test_rejects(self, number: str) -> None:
        with pytest.raises(ValueError, match="批准文号"):
            codes.approval_number(number)


class TestRegistrationNumber:
    @pytest.mark.parametrize("number", ["国械注准20153140491", "浙械注准20182140123",
                                        "国械注进20172400123", "浙杭械备20150012号",
                                        "国食注字TY20180001"])
    def test_accepts(self, number: str) -> None:
        assert codes.registration_number(number) == number

    @pytest.mark.parametrize("number", [
        "国械注准2015314049", "国药准字H20003263", "械注准20153140491"])
    def test_rejects(self, number: str) -> None:
        with pytest.raises(ValueError, match="注册证号"):
            codes.registration_number(number)

    def test_tells_a_special_medical_food_from_a_device(self) -> None:
        assert codes.is_food_registration("国食注字TY20180001")
        assert not codes.is_food_registration("国械注准20153140491")


class TestAtcCode:
    @pytest.mark.parametrize("code", ["J01CA04", "J01CA", "J01C", "J01", "J"])
    def test_accepts_any_level(self, code: str) -> None:
        assert codes.atc_code(code) == code

    @pytest.mark.parametrize("code", ["J1CA04", "J01CA4", "01CA04", "J01CA044"])
    def test_rejects(self, code: str) -> None:
        with pytest.raises(ValueError, match="分类代码"):
            codes.atc_code(code)
