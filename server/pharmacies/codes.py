"""The identifiers a pharmacy applies with, and their format checks.

Each check returns the normalised code or raises ValueError with a Chinese message; pydantic
validators call them, so a bad code answers 422 naming the field.

- 统一社会信用代码 (GB 32100-2015): 18 characters from the 31-character set without I, O, Z, S
  and V: registering authority (1), kind of entity (1), the 6-digit administrative division
  code of the registering authority (GB/T 2260), the 9-character organisation code, and a check
  character (mod 31 over weights 3^i mod 31).
- 药品经营许可证编号: province abbreviation, a two-letter class (A? wholesale, B? retail-chain
  head office, C? chain store, D? single retail pharmacy; second letter A legal person, B not),
  the 4-digit area code and a serial number: 5 digits under the 2024 rules (药品经营和使用质量
  监督管理办法, e.g. `浙DA57100123`), 4 digits on licences issued before (e.g. `浙CA57100123`).
- 行政区划代码 (GB/T 2260): 6 digits, the first two a province-level code.
"""

from __future__ import annotations

import re

CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, ...
_CREDIT_CODE = re.compile(rf"[{CREDIT_CODE_CHARSET}]{{2}}\d{{6}}[{CREDIT_CODE_CHARSET}]{{10}}")

PROVINCE_ABBREVIATIONS = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔贵滇云藏陕甘青宁新"
_LICENCE_NUMBER = re.compile(rf"[{PROVINCE_ABBREVIATIONS}][A-D][AB]\d{{8,9}}")

# Province-level codes of GB/T 2260 (mainland, Taiwan, Hong Kong, Macao).
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82"})


def _clean(value: str) -> str:
    return value.strip().replace(" ", "")


def credit_code_check_character(first17: str) -> str:
    """The GB 32100 check character of the first 17 characters."""
    total = sum(CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS,
                                                                  strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def make_credit_code(first17: str) -> str:
    """A valid code from its first 17 characters (seed data, tests)."""
    return first17 + credit_code_check_character(first17)


def credit_code(value: str) -> str:
    code = _clean(value).upper()
    if len(code) != 18:
        raise ValueError(f"统一社会信用代码应为 18 位，当前为 {len(code)} 位")
    if not _CREDIT_CODE.fullmatch(code):
        raise ValueError("统一社会信用代码格式不正确：不含 I、O、Z、S、V，第 3–8 位为行政区划代码")
    if code[17] != credit_code_check_character(code[:17]):
        raise ValueError("统一社会信用代码校验位不正确")
    return code


def licence_number(value: str) -> str:
    code = _clean(value).upper()
    if not _LICENCE_NUMBER.fullmatch(code):
        raise ValueError("药品经营许可证编号格式不正确，应为 省份简称 + 两位分类字母"
                         " + 8 或 9 位数字，如 浙DA57100123")
    return code


def region_code(value: str) -> str:
    code = _clean(value)
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        raise ValueError("行政区划代码应为 6 位数字")
    if code[:2] not in PROVINCE_CODES:
        raise ValueError("行政区划代码的前两位不是省级代码")
    return code


def region_prefix(value: str) -> str:
    """A leading part of a region code ('' = everywhere, '33' a province, '3301' a city,
    '330106' a district) as coverage lists and tariffs use them."""
    code = _clean(value)
    if code == "":
        return code
    if not (code.isascii() and code.isdigit() and len(code) in (2, 4, 6)):
        raise ValueError("地区前缀应为空（全国）或 2、4、6 位数字")
    if code[:2] not in PROVINCE_CODES:
        raise ValueError("地区前缀的前两位不是省级代码")
    return code
