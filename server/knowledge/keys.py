"""How the knowledge base names a drug: by Chinese generic name or by ATC code prefix.

A key that reads as an ATC code or a leading level of one (`J01C`, `B01AC06`) matches every drug
whose ATC code starts with it. Any other key is an ingredient name (华法林, 头孢, 西林) and
matches every drug whose generic name contains it, so `华法林` matches 华法林钠片 and a
combination product matches each of its ingredients. Names are compared after NFKC folding
(full-width letters and digits, Roman numerals) with spaces removed.
"""

from __future__ import annotations

import re
import unicodedata

ATC_PATTERN = re.compile(r"[A-Z](?:\d{2}(?:[A-Z](?:[A-Z](?:\d{2})?)?)?)?")
# ICD-10 as written in China: E11, E11.9, I10.x00x002 (国家临床版 extensions).
ICD10_PATTERN = re.compile(r"[A-Z]\d{2}(?:\.[0-9A-Z]{1,8})?")
ICD10_PREFIX_PATTERN = re.compile(r"[A-Z](?:\d{1,2}(?:\.[0-9A-Z]{0,8})?)?")
MIN_NAME_LENGTH = 2


def normalise_name(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split())


def normalise_atc(code: str) -> str:
    return "".join(code.split()).upper()


def is_atc(key: str) -> bool:
    return ATC_PATTERN.fullmatch(key) is not None


def drug_key(raw: str) -> str:
    """The key a knowledge row's drug column means; ValueError (Chinese) when it is unusable."""
    text = normalise_name(raw)
    if not text:
        raise ValueError("药品不能为空")
    if is_atc(text.upper()) and text.isascii():
        return text.upper()
    if len(text) < MIN_NAME_LENGTH:
        raise ValueError(f"通用名“{text}”过短：至少 {MIN_NAME_LENGTH} 个字，或填写 ATC 代码")
    return text


def normalise_icd10(code: str) -> str:
    return "".join(code.split()).upper()
