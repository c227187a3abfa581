"""Drug traceability codes (药品追溯码, ../shared/DOMAIN.md section 6): what a scan says.

Two shapes arrive from the scanners:
- the common domestic format: 20 digits, the first 7 of which identify the product and package
  (药品标识码), the rest a serial (and check part) per package;
- GS1 element strings (from a DataMatrix, a GS1-128 or a GS1 QR code): AI 01 the GTIN-14,
  AI 17 the expiry (YYMMDD, day 00 = end of month), AI 10 the batch, AI 21 the serial. Scanners
  send them with FNC1 as the GS character (0x1D), with an AIM symbology prefix (`]d2`, `]C1`,
  `]Q3`), or in the human-readable form with the AIs in parentheses; all are accepted.

A package's identity, the thing that may be dispensed once on the whole platform, is the
20-digit code, or GTIN + serial for GS1 (batch and expiry are not part of it).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

GS = "\x1d"
# AIs with a fixed length of data; the others end at GS or at the end of the string.
_FIXED = {"01": 14, "02": 14, "11": 6, "15": 6, "17": 6, "20": 2}
_VARIABLE_MAX = {"10": 20, "21": 20, "240": 30, "30": 8}
_AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_PARENTHESISED = re.compile(r"\((\d{2,4})\)([^()]*)")
_DOMESTIC = re.compile(r"^\d{20}$")


class InvalidTraceCode(ValueError):
    """The scan is not a traceability code; the message says why, in Chinese."""


@dataclass(frozen=True, slots=True)
class TraceCode:
    format: Literal["domestic", "gs1"]
    code: str  # the package's identity, unique across the platform
    product_key: str  # domestic: the 7-digit 药品标识码; GS1: the GTIN-14
    batch: str | None = None
    expiry: date | None = None
    serial: str | None = None


def gtin_check_digit(first13: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(first13)))
    return str((10 - total % 10) % 10)


def _expiry(value: str) -> date:
    if not re.fullmatch(r"\d{6}", value):
        raise InvalidTraceCode("有效期（AI 17）须为 6 位数字 YYMMDD")
    year, month, day = 2000 + int(value[:2]), int(value[2:4]), int(value[4:])
    if not 1 <= month <= 12:
        raise InvalidTraceCode("有效期（AI 17）的月份无效")
    if day == 0:  # GS1: day 00 means the last day of the month
        day = calendar.monthrange(year, month)[1]
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise InvalidTraceCode("有效期（AI 17）的日期无效") from exc


def _element_pairs(text: str) -> list[tuple[str, str]]:
    if "(" in text:
        pairs = _PARENTHESISED.findall(text)
        if not pairs or "".join(f"({a}){v}" for a, v in pairs) != text:
            raise InvalidTraceCode("GS1 码格式无效：括号中的应用标识符无法解析")
        return [(ai, value) for ai, value in pairs]
    pairs = []
    rest = text
    while rest:
        rest = rest.lstrip(GS)
        if not rest:
            break
        ai = next((a for a in (rest[:2], rest[:3]) if a in _FIXED or a in _VARIABLE_MAX), None)
        if ai is None:
            raise InvalidTraceCode(f"GS1 码中有不支持的应用标识符：{rest[:2]}")
        rest = rest[len(ai):]
        if ai in _FIXED:
            value, rest = rest[:_FIXED[ai]], rest[_FIXED[ai]:]
        else:
            end = rest.find(GS)
            value, rest = (rest, "") if end < 0 else (rest[:end], rest[end:])
        pairs.append((ai, value))
    return pairs


def _parse_gs1(text: str) -> TraceCode:
    fields: dict[str, str] = {}
    for ai, value in _element_pairs(text):
        if ai in fields:
            raise InvalidTraceCode(f"GS1 码中应用标识符 {ai} 重复")
        if ai in _FIXED and len(value) != _FIXED[ai]:
            raise InvalidTraceCode(f"GS1 码中 AI {ai} 的长度应为 {_FIXED[ai]} 位")
        if ai in _VARIABLE_MAX and not 0 < len(value) <= _VARIABLE_MAX[ai]:
            raise InvalidTraceCode(f"GS1 码中 AI {ai} 的长度无效")
        fields[ai] = value
    gtin, serial = fields.get("01"), fields.get("21")
    if gtin is None or serial is None:
        raise InvalidTraceCode("GS1 追溯码须包含商品条码（AI 01）和序列号（AI 21）")
    if not gtin.isdigit() or gtin_check_digit(gtin[:13]) != gtin[13]:
        raise InvalidTraceCode("GS1 码中商品条码（AI 01）的校验位不正确")
    if not re.fullmatch(r"[!-~]+", serial):
        raise InvalidTraceCode("GS1 码中序列号（AI 21）含有无效字符")
    expiry = _expiry(fields["17"]) if "17" in fields else None
    return TraceCode("gs1", f"01{gtin}21{serial}", gtin, batch=fields.get("10"), expiry=expiry,
                     serial=serial)


def parse(raw: str) -> TraceCode:
    """The traceability code in a scan, or InvalidTraceCode with the reason."""
    text = raw.strip().replace("\r", "").replace("\n", "")
    text = _AIM_PREFIX.sub("", text)
    if not text:
        raise InvalidTraceCode("追溯码为空")
    if len(text) > 120:
        raise InvalidTraceCode("追溯码过长")
    if _DOMESTIC.fullmatch(text):
        return TraceCode("domestic", text, text[:7], serial=text[7:])
    if text.isdigit():
        raise InvalidTraceCode(f"追溯码应为 20 位数字（当前 {len(text)} 位）或 GS1 码")
    if text.startswith(("01", "(01)", GS)):
        return _parse_gs1(text)
    raise InvalidTraceCode("无法识别的追溯码：既不是 20 位药品追溯码，也不是 GS1 码")
