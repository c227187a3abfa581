"""The identifiers a pharmacy applies with: 统一社会信用代码 (GB 32100 check character),
药品经营许可证编号, 行政区划代码 and coverage prefixes."""

from __future__ import annotations

import pytest

from server.pharmacies import codes


class TestCreditCode:
    @pytest.mark.parametrize("code", ["91350100M000100Y43", "91110108551385082Q"])
    def test_published_examples_pass(self, code):
        assert codes.credit_code(code.lower()) == code

    def test_check_character_is_computed(self):
        made = codes.make_credit_code("91330106MA2CK0118")
        assert codes.credit_code(made) == made
        wrong = made[:17] + next(c for c in codes.CREDIT_CODE_CHARSET if c != made[17])
        with pytest.raises(ValueError, match="校验位"):
            codes.credit_code(wrong)

    @pytest.mark.parametrize(("code", "message"), [
        ("9133010", "18 位"), ("91330106MA2CK0I18X", "格式"), ("91AB0106MA2CK01180", "格式")])
    def test_bad_codes(self, code, message):
        with pytest.raises(ValueError, match=message):
            codes.credit_code(code)


class TestLicenceNumber:
    @pytest.mark.parametrize("code", ["浙DA57100118", "琼CA898000001", "浙CB57100123"])
    def test_good(self, code):
        assert codes.licence_number(code) == code

    @pytest.mark.parametrize("code", ["XDA57100118", "浙ZA57100118", "浙DA5710", "浙DA5710011810"])
    def test_bad(self, code):
        with pytest.raises(ValueError, match="药品经营许可证编号"):
            codes.licence_number(code)


class TestRegions:
    def test_region_code(self):
        assert codes.region_code("330106") == "330106"
        for bad in ("33010", "990106", "3301AB"):
            with pytest.raises(ValueError):
                codes.region_code(bad)

    def test_prefixes(self):
        assert [codes.region_prefix(p) for p in ("", "33", "3301", "330106")] == [
            "", "33", "3301", "330106"]
        for bad in ("3", "330", "99"):
            with pytest.raises(ValueError):
                codes.region_prefix(bad)
