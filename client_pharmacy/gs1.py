"""Batch and expiry read from a scanned GS1 element string, to prefill the dispensing form.

The server parses the code again and is the judge; this only saves the user typing what the
code already says. Domestic 20-digit codes carry neither, so they prefill nothing.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

GS = "\x1d"
_FIXED = {"01": 14, "02": 14, "11": 6, "15": 6, "17": 6, "20": 2}
_VARIABLE = ("10", "21", "240", "30")
_AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_PARENTHESISED = re.compile(r"\((\d{2,4})\)([^()]*)")


@dataclass(frozen=True)
class Prefill:
    batch: str | None = None
    expiry: date | None = None


def _expiry(value: str) -> date | None:
    if not re.fullmatch(r"\d{6}", value):
        return None
    year, month, day = 2000 + int(value[:2]), int(value[2:4]), int(value[4:])
    if not 1 <= month <= 12:
        return None
    if day == 0:  # GS1: day 00 is the month's last day
        day = calendar.monthrange(year, month)[1]
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _elements(text: str) -> dict[str, str]:
    if "(" in text:
        return dict(_PARENTHESISED.findall(text))
    found: dict[str, str] = {}
    rest = text
    while rest:
        rest = rest.lstrip(GS)
        ai = next((a for a in (rest[:2], rest[:3]) if a in _FIXED or a in _VARIABLE), None)
        if ai is None:
            break
        rest = rest[len(ai):]
        if ai in _FIXED:
            found[ai], rest = rest[:_FIXED[ai]], rest[_FIXED[ai]:]
        else:
            value, _, rest = rest.partition(GS)
            found[ai] = value
    return found


def prefill(code: str) -> Prefill:
    text = _AIM_PREFIX.sub("", code.strip())
    if re.fullmatch(r"\d{20}", text) or not (text.startswith(("01", "(01)", "02", "(02)"))):
        return Prefill()
    elements = _elements(text)
    return Prefill(batch=elements.get("10") or None,
                   expiry=_expiry(elements["17"]) if "17" in elements else None)
