"""Chinese resident identity card numbers (公民身份号码, GB 11643-1999).

An 18-character number: a 6-digit address code, the 8-digit birth date YYYYMMDD, a 3-digit
sequence code whose last digit is odd for men and even for women, and a check character
computed with ISO 7064 MOD 11-2 (0-9 or X).

Validation messages are Chinese because they are shown to the clerk or patient who typed the
number, and say exactly what is wrong so that a typo can be found.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Literal

ID_NUMBER_LENGTH = 18
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
# Nobody alive was born earlier; an older date is a typo such as 0990 for 1990.
_EARLIEST_BIRTH = date(1900, 1, 1)


class InvalidIdNumber(ValueError):
    """The text is not a valid resident ID number; the message says why, in Chinese."""


def check_character(first17: str) -> str:
    """The MOD 11-2 check character of the first 17 digits."""
    if len(first17) != ID_NUMBER_LENGTH - 1 or not _is_ascii_digits(first17):
        raise ValueError("the check character is computed over exactly 17 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def validate_id_number(value: str, *, today: date | None = None) -> str:
    """Return ``value`` normalised (18 characters, upper-case X), or raise InvalidIdNumber.

    Full-width digits (from Chinese input methods) and surrounding whitespace are accepted.
    ``today`` is the date a birth date must not be after; the current date by default.
    """
    text = unicodedata.normalize("NFKC", value).strip().upper()
    if len(text) != ID_NUMBER_LENGTH:
        hint = "（15位旧号码请使用升级后的18位号码）" if len(text) == 15 else ""
        raise InvalidIdNumber(f"身份证号码长度应为18位，实际为{len(text)}位{hint}")
    first17, last = text[:17], text[17]
    if not _is_ascii_digits(first17):
        raise InvalidIdNumber("身份证号码前17位应全部为数字")
    if not (_is_ascii_digits(last) or last == "X"):
        raise InvalidIdNumber("身份证号码第18位（校验码）应为数字或X")
    digits = text[6:14]
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise InvalidIdNumber(f"出生日期无效：{digits}不是存在的日期") from None
    if born > (today or date.today()):
        raise InvalidIdNumber(f"出生日期无效：{digits}晚于今天")
    if born < _EARLIEST_BIRTH:
        raise InvalidIdNumber(f"出生日期无效：{digits}早于1900年")
    expected = check_character(first17)
    if last != expected:
        raise InvalidIdNumber(f"校验码错误：第18位应为{expected}，实际为{last}，请核对号码")
    return text


def birth_date(id_number: str) -> date:
    """The birth date encoded in a (valid) ID number."""
    text = validate_id_number(id_number)
    return date(int(text[6:10]), int(text[10:12]), int(text[12:14]))


def sex(id_number: str) -> Literal["male", "female"]:
    """The sex encoded in a (valid) ID number: odd 17th digit for men, even for women."""
    text = validate_id_number(id_number)
    return "male" if int(text[16]) % 2 == 1 else "female"


def make_id_number(region: str, birth: date, seq: int) -> str:
    """A valid ID number for ``region`` (6 digits), ``birth`` and sequence ``seq`` (0-999).

    For fictional demo data: the check character is computed, so the number validates. An odd
    ``seq`` makes a man, an even one a woman.
    """
    if len(region) != 6 or not _is_ascii_digits(region):
        raise ValueError(f"region must be 6 digits, got {region!r}")
    if not 0 <= seq <= 999:
        raise ValueError(f"seq must be 0..999, got {seq}")
    if birth.year < 1000:
        raise ValueError(f"birth year must have 4 digits, got {birth.year}")
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit() alone also accepts digits of other scripts and superscripts.
    return text.isascii() and text.isdigit()
