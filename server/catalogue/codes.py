"""The identifiers a catalogue product carries, and their format checks.

Each check returns the normalised code (trimmed, upper-case where the code is) or raises
ValueError with a Chinese message; pydantic validators call them so a bad code answers 422
naming the field.

- 医保药品代码 (national medical-insurance code): 23 characters, a letter for the kind of item
  (X 西药, Z 中成药, T 中药饮片, C 医用耗材) then 22 upper-case letters or digits, e.g.
  `XA01ABD075A002010100483`.
- 药品本位码 (national drug code): 14 digits, country code 86, and a final check digit computed
  as in GB 18937 (the EAN/GS1 mod-10 rule), e.g. `86900483000019`.
- 批准文号: `国药准字` + a letter (H chemical, Z Chinese medicine, S biological, J repackaged
  import, B, T, F) or HJ/SJ/ZJ + 8 digits; imported drugs carry an import registration number
  instead, a letter (H/Z/S/B), an optional C (Hong Kong, Macao, Taiwan) and 8 digits.
- 注册证号 of devices (`国械注准`, `浙械注准`, `国械注进` + 11 digits; class I filings
  `浙杭械备20150012号`) and of special medical foods (`国食注字TY` + 8 digits).
- ATC-like class code: `J01CA04`, or any leading level of it (`J01`, `J01CA`).
"""

from __future__ import annotations

import re

INSURANCE_CODE_LENGTH = 23
STANDARD_CODE_LENGTH = 14

_INSURANCE_CODE = re.compile(r"[XZTC][A-Z0-9]{22}")
_STANDARD_CODE = re.compile(r"86\d{12}")
_APPROVAL_NUMBER = re.compile(r"国药准字(?:HJ|SJ|ZJ|[HZSJBTF])\d{8}|[HZSB]C?\d{8}")
_DEVICE_REGISTRATION = re.compile(
    r"[\u4e00-\u9fff]{1,2}械注[准进许]\d{11}|[\u4e00-\u9fff]{1,4}械备\d{8}号?")
_FOOD_REGISTRATION = re.compile(r"国食注字TY\d{8}")
_ATC_CODE = re.compile(r"[A-Z](?:\d{2}(?:[A-Z](?:[A-Z](?:\d{2})?)?)?)?")


def _clean(value: str) -> str:
    return value.strip().replace(" ", "")


def gs1_check_digit(digits: str) -> int:
    """The GB 18937 / GS1 mod-10 check digit of `digits` (the code without its last digit)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def insurance_code(value: str) -> str:
    code = _clean(value).upper()
    if len(code) != INSURANCE_CODE_LENGTH:
        raise ValueError(f"医保代码应为 {INSURANCE_CODE_LENGTH} 位，当前为 {len(code)} 位")
    if not _INSURANCE_CODE.fullmatch(code):
        raise ValueError("医保代码格式不正确：首位应为 X、Z、T 或 C，其余为大写字母或数字")
    return code


def standard_code(value: str) -> str:
    code = _clean(value)
    if not code.isascii() or not code.isdigit() or len(code) != STANDARD_CODE_LENGTH:
        raise ValueError(f"药品本位码应为 {STANDARD_CODE_LENGTH} 位数字")
    if not _STANDARD_CODE.fullmatch(code):
        raise ValueError("药品本位码应以国别码 86 开头")
    if gs1_check_digit(code[:-1]) != int(code[-1]):
        raise ValueError("药品本位码校验位不正确")
    return code


def approval_number(value: str) -> str:
    number = _clean(value).upper()
    if not _APPROVAL_NUMBER.fullmatch(number):
        raise ValueError("批准文号格式不正确，应如 国药准字H20003263")
    return number


def registration_number(value: str) -> str:
    number = _clean(value).upper()
    if not (_DEVICE_REGISTRATION.fullmatch(number) or _FOOD_REGISTRATION.fullmatch(number)):
        raise ValueError("注册证号格式不正确，应如 国械注准20153140491 或 国食注字TY20180001")
    return number


def is_food_registration(number: str) -> bool:
    return bool(_FOOD_REGISTRATION.fullmatch(number))


def atc_code(value: str) -> str:
    code = _clean(value).upper()
    if not _ATC_CODE.fullmatch(code):
        raise ValueError("分类代码格式不正确，应如 J01CA04")
    return code
