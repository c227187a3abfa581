"""Search keys of a product, computed once at write time, and the normalisation of what is typed.

A doctor types Chinese (阿莫), full pinyin (amoxilin), pinyin initials (amxl) or a code. Each
product stores three key strings, all lower-case and tone-less, each word with a space on both
sides (' w1 w2 '), so "a word starts with q" is LIKE '% q%' and "a word is q" is LIKE '% q %':

- `search_primary`: the generic name, the brand name, the active-ingredient stem (the name
  without its dosage form, and without a salt such as 盐酸), and the pinyin initials of each;
- `search_secondary`: the full pinyin of the same names (with `v` for ü, and a `u` variant,
  since many people type 氯 as `lu`);
- `search_text`: both of the above plus every suffix of each Chinese name as a word of its own,
  so a short Chinese query such as 西林 or 沙坦 is a word prefix too.

Each has a pg_trgm GIN index (server/catalogue/repository.py says how the search uses them).
pg_trgm pads a word that follows a space, so LIKE '% q%' finds even a one-character q through
the padded trigram "  q"; a regular expression such as '(^| )q' would not use the index for
Chinese characters. The 医保 code and 本位码 are searched by prefix on their own columns.

Polyphonic characters: pypinyin picks a reading from its phrase dictionary, falling back to the
most common reading of the character (重组 -> chong, 长春 -> chang); only that reading is stored.
"""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

MAX_TOKENS = 4
MAX_TOKEN_LENGTH = 40
SHORT_TOKEN = 3  # shorter tokens match word prefixes only (a trigram needs three characters)
CODE_TOKEN = 4  # a token of at least this many ASCII letters/digits is also tried as a code

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_NOT_WORD = re.compile(rf"[^a-z0-9{_CJK}]+")
_CJK_RUN = re.compile(rf"[{_CJK}]+")

# Dosage forms, longest first, as they end a Chinese generic name (阿莫西林胶囊 -> 阿莫西林).
DOSAGE_FORM_SUFFIXES = sorted({
    "片", "胶囊", "颗粒", "丸", "散", "膏", "糖浆", "口服液", "口服溶液", "注射液", "滴眼液",
    "滴剂", "栓", "贴", "喷雾剂", "气雾剂", "粉雾剂", "乳膏", "软膏", "凝胶", "混悬液", "酊",
    "缓释片", "控释片", "肠溶片", "肠溶胶囊", "分散片", "咀嚼片", "泡腾片", "含片", "滴丸",
    "软胶囊", "缓释胶囊", "干混悬剂", "混悬剂", "吸入粉雾剂", "吸入气雾剂", "鼻喷雾剂",
    "吸入用混悬液", "口腔崩解片", "薄膜衣片", "浓缩丸", "水丸", "蜜丸", "大蜜丸", "合剂",
    "搽剂", "洗剂", "乳胶剂", "口服混悬液", "颗粒剂", "缓释颗粒", "贴剂", "透皮贴剂", "水",
    "露", "茶", "溶液", "注射剂", "粉针", "乳", "肠溶微丸胶囊",
}, key=len, reverse=True)
DOSAGE_FORM_PREFIXES = ("注射用", "吸入用", "外用", "口服")
# Salts that lead a generic name (盐酸左氧氟沙星 -> 左氧氟沙星); longest first. Not 硝酸 or
# 乳酸: in 硝酸甘油 and 乳酸钠林格 they are part of the name.
SALT_PREFIXES = sorted({
    "盐酸", "硫酸", "硫酸氢", "磷酸", "马来酸", "富马酸", "琥珀酸", "酒石酸", "枸橼酸",
    "甲磺酸", "苯磺酸", "氢溴酸", "草酸", "醋酸", "门冬氨酸", "苯甲酸",
    "盐酸左旋", "苯磺酸左旋",
}, key=len, reverse=True)


def normalise(text: str) -> str:
    """Lower-case, full-width folded, punctuation and spaces removed (0.9%氯化钠 -> 09氯化钠)."""
    folded = unicodedata.normalize("NFKC", text).lower().replace("ü", "v")
    return _NOT_WORD.sub("", folded)


def query_tokens(query: str) -> list[str]:
    """The words of a query, normalised; empty when nothing searchable was typed."""
    folded = unicodedata.normalize("NFKC", query)
    tokens = [normalise(part)[:MAX_TOKEN_LENGTH] for part in folded.split()]
    return [t for t in tokens if t][:MAX_TOKENS]


def is_code_like(token: str) -> bool:
    return len(token) >= CODE_TOKEN and token.isascii() and any(c.isdigit() for c in token)


def ingredient_stem(generic_name: str) -> str | None:
    """The generic name without its dosage form and leading salt, when it has them."""
    name = re.sub(r"[(（][^)）]*[)）]$", "", generic_name.strip())
    for prefix in DOSAGE_FORM_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            name = name[len(prefix):]
            break
    for suffix in DOSAGE_FORM_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            name = name[: -len(suffix)]
            break
    for salt in SALT_PREFIXES:
        if name.startswith(salt) and len(name) > len(salt) + 1:
            name = name[len(salt):]
            break
    return name if name != generic_name else None


def full_pinyin(text: str) -> str:
    return normalise("".join(lazy_pinyin(text, style=Style.NORMAL, v_to_u=False)))


def pinyin_initials(text: str) -> str:
    return normalise("".join(lazy_pinyin(text, style=Style.FIRST_LETTER)))


def _unique(words: list[str]) -> list[str]:
    return list(dict.fromkeys(w for w in words if w))


def _suffix_words(name: str) -> list[str]:
    """Every proper suffix of each Chinese run of `name` (阿莫西林 -> 莫西林, 西林, 林)."""
    words: list[str] = []
    for run in _CJK_RUN.findall(name):
        words.extend(run[i:] for i in range(1, len(run)))
    return words


def search_keys(generic_name: str, brand_name: str | None) -> tuple[str, str, str]:
    """(search_primary, search_secondary, search_text) of a product."""
    names = [generic_name]
    stem = ingredient_stem(generic_name)
    if stem:
        names.append(stem)
    if brand_name:
        names.append(brand_name)
    primary = _unique([normalise(n) for n in names] + [pinyin_initials(n) for n in names])
    pinyins = [full_pinyin(n) for n in names]
    secondary = _unique(pinyins + [p.replace("v", "u") for p in pinyins if "v" in p])
    infixes = _unique([w for n in names for w in _suffix_words(normalise(n))])
    text_words = _unique(primary + secondary + infixes)
    return _spaced(primary), _spaced(secondary), _spaced(text_words)


def _spaced(words: list[str]) -> str:
    """' w1 w2 w3 ': with a space on both sides of every word, "a word starts with q" is
    LIKE '% q%' and "a word is q" is LIKE '% q %', for the first word as for the others."""
    return f" {' '.join(words)} "
