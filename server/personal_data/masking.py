"""Masking of personal data on output, the way Chinese services show it.

A masked value lets a person recognise their own data (and staff tell two patients apart)
without disclosing it to whoever sees the screen, printout or log: ``110***********123X``,
``138****5678``, ``张*``. All functions are pure, strip surrounding whitespace, and map
``None`` to ``None`` so that optional columns can be passed straight through.
"""

from __future__ import annotations

import re
from typing import overload

MASK = "*"
ADDRESS_MASK = "****"
_MOBILE = re.compile(r"1\d{10}")

# Address parsing, see mask_address. The character classes stop a part at the next
# administrative suffix, and the district part at the street / town level, so a match never
# reaches past the county into the street address. 州 is not a stop character: it is part of
# ordinary names (杭州市, 通州区); 自治州 is matched as a whole suffix instead.
_DIRECT_CITIES = ("北京", "上海", "天津", "重庆")
_PROVINCE = re.compile(r"[^省区县市盟旗]{2,8}?(?:省|自治区|特别行政区)")
_CITY = re.compile(r"[^省区县市盟旗]{1,8}?(?:市|自治州|地区|盟)")
_DISTRICT = re.compile(r"[^省区县市盟旗镇乡街路道号巷弄村0-9]{1,8}?(?:区|县|市|旗)")
_ADDRESS_FALLBACK_CHARS = 6


@overload
def mask_middle(value: str, *, keep_start: int, keep_end: int) -> str: ...
@overload
def mask_middle(value: None, *, keep_start: int, keep_end: int) -> None: ...
def mask_middle(value: str | None, *, keep_start: int, keep_end: int) -> str | None:
    """Keep ``keep_start`` leading and ``keep_end`` trailing characters, ``*`` the rest.

    The length is kept. A value too short to hide anything in between is masked entirely,
    since showing all of it would not be masking.
    """
    if value is None:
        return None
    text = value.strip()
    if len(text) <= keep_start + keep_end:
        return MASK * len(text)
    end = text[len(text) - keep_end :] if keep_end else ""
    return text[:keep_start] + MASK * (len(text) - keep_start - keep_end) + end


@overload
def mask_id_number(value: str) -> str: ...
@overload
def mask_id_number(value: None) -> None: ...
def mask_id_number(value: str | None) -> str | None:
    """``110105199001011234`` -> ``110***********1234``: first 3 and last 4 kept."""
    return mask_middle(value, keep_start=3, keep_end=4)


@overload
def mask_phone(value: str) -> str: ...
@overload
def mask_phone(value: None) -> None: ...
def mask_phone(value: str | None) -> str | None:
    """``13812345678`` -> ``138****5678``; other numbers keep the first 3 and last 2."""
    if value is None:
        return None
    text = value.strip()
    if _MOBILE.fullmatch(text):
        return mask_middle(text, keep_start=3, keep_end=4)
    return mask_middle(text, keep_start=3, keep_end=2)


@overload
def mask_name(value: str) -> str: ...
@overload
def mask_name(value: None) -> None: ...
def mask_name(value: str | None) -> str | None:
    """``张三`` -> ``张*``, ``欧阳娜娜`` -> ``欧***``; a one-character name becomes ``*``."""
    if value is None:
        return None
    text = value.strip()
    if len(text) <= 1:
        return MASK * len(text)
    return text[0] + MASK * (len(text) - 1)


@overload
def mask_address(value: str) -> str: ...
@overload
def mask_address(value: None) -> None: ...
def mask_address(value: str | None) -> str | None:
    """Keep the address down to the district / county, replace the rest with ``****``.

    ``北京市朝阳区建国路88号`` -> ``北京市朝阳区****``, ``广东省深圳市南山区科技园`` ->
    ``广东省深圳市南山区****``. The province and the prefecture city are skipped first, then
    the part up to the first 区/县/市/旗 is kept; if no such part is found, the first 6
    characters are kept (at most half of a short address).
    """
    if value is None:
        return None
    text = value.strip()
    kept = _administrative_prefix_length(text)
    if kept == 0:
        # Without a recognisable district, a short address would be shown whole; keep at
        # most half of it.
        kept = min(_ADDRESS_FALLBACK_CHARS, len(text) // 2)
    if kept >= len(text):
        return text  # nothing below the district level to hide
    return text[:kept] + ADDRESS_MASK


@overload
def mask_card_number(value: str) -> str: ...
@overload
def mask_card_number(value: None) -> None: ...
def mask_card_number(value: str | None) -> str | None:
    """Insurance or hospital card numbers: first 2 and last 4 kept."""
    return mask_middle(value, keep_start=2, keep_end=4)


def _administrative_prefix_length(address: str) -> int:
    """Length of the province + city + district prefix of ``address``; 0 if none is found."""
    pos = 0
    direct = next((city for city in _DIRECT_CITIES if address.startswith(city)), None)
    if direct is not None:
        pos = len(direct)
        if address.startswith("市", pos):
            pos += 1
    elif match := _PROVINCE.match(address):
        pos = match.end()
    if direct is None and (match := _CITY.match(address, pos)):
        pos = match.end()
    if match := _DISTRICT.match(address, pos):
        pos = match.end()
    return pos
