"""Reading a knowledge set from CSV files, one per kind, with a validation report.

The set is all-or-nothing: every file is read and every row checked before anything is stored;
one bad row anywhere and the whole set is refused with a report that names each bad row by
file, line number (as an editor shows it, header = line 1 unless comments precede it) and
reason, in Chinese. Lines whose first cell starts with `#` are comments. Files are UTF-8 (a BOM,
as Excel writes, is fine); a folder read from disk may also be GB18030.

The columns of each file are in `SPECS` below and in server/knowledge/data/README.md.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from server.checks import units
from server.checks.levels import HIT_LEVELS, Level
from server.knowledge.keys import ICD10_PREFIX_PATTERN, drug_key, normalise_icd10
from server.knowledge.rules import (
    AllergyClassRule,
    AllergyCrossRule,
    Condition,
    ContraindicationRule,
    DoseRule,
    DuplicateClassRule,
    IncompatibilityRule,
    InsuranceRule,
    InteractionRule,
    RuleKind,
    RuleSet,
)

FILE_NAMES = {kind: f"{kind.value}.csv" for kind in RuleKind}
LIST_SEPARATOR = "|"
MAX_TEXT = 1000
MAX_ERRORS = 200  # a report longer than this is cut (the first ones are what to fix)

_RULE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}")
_CLASS_CODE = re.compile(r"[a-z][a-z0-9_]{1,39}")


@dataclass(frozen=True)
class RowError:
    file: str
    row: int | None  # line number in the file; None: the file as a whole
    reason: str
    column: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "reason": self.reason}

    def __str__(self) -> str:
        where = f"{self.file} 第 {self.row} 行" if self.row is not None else self.file
        column = f"（{self.column}）" if self.column else ""
        return f"{where}{column}：{self.reason}"


class KnowledgeInvalid(Exception):
    """The set was refused; `errors` says where and why."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("；".join(str(e) for e in errors[:5]))


# -- cell parsers: each returns the value or raises ValueError with a Chinese reason --------------

def _text(value: str) -> str:
    if len(value) > MAX_TEXT:
        raise ValueError(f"内容过长（超过 {MAX_TEXT} 字）")
    return value


def _rule_id(value: str) -> str:
    if not _RULE_ID.fullmatch(value):
        raise ValueError("规则编号应为字母、数字、点、下划线或连字符，最长 40 位")
    return value


def _class_code(value: str) -> str:
    if not _CLASS_CODE.fullmatch(value):
        raise ValueError("类别代码应为小写字母开头的字母、数字或下划线（如 penicillins）")
    return value


def _level(value: str) -> Level:
    try:
        found = Level(int(value))
    except ValueError:
        found = None
    if found not in HIT_LEVELS:
        raise ValueError("警示级别应为 1（黄）、4（橙）、2（红）或 3（黑）")
    assert found is not None
    return found


def _days(value: str) -> int:
    if not value.isdigit():
        raise ValueError("应为不小于 0 的整数（天）")
    return int(value)


def _amount(value: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError("应为数字") from None
    if not number.is_finite() or number < 0:
        raise ValueError("应为不小于 0 的数字")
    return number


def _flag(value: str) -> bool:
    folded = value.lower()
    if folded in ("1", "true", "是", "y", "yes"):
        return True
    if folded in ("0", "false", "否", "n", "no"):
        return False
    raise ValueError("应为 1（是）或 0（否）")


def _unit(value: str) -> str:
    if units.kind(value) is None:
        raise ValueError("剂量单位无法识别（可用 g、mg、μg、ml、IU、单位、万单位）")
    return value


def _keys(value: str) -> tuple[str, ...]:
    items = [drug_key(item) for item in value.split(LIST_SEPARATOR) if item.strip()]
    if not items:
        raise ValueError("至少填写一个药品（通用名或 ATC 代码，多个用 | 分隔）")
    return tuple(dict.fromkeys(items))


def _icd_prefixes(value: str) -> tuple[str, ...]:
    items = [normalise_icd10(item) for item in value.split(LIST_SEPARATOR) if item.strip()]
    for item in items:
        if not ICD10_PREFIX_PATTERN.fullmatch(item):
            raise ValueError(f"“{item}”不是 ICD-10 编码或其前缀（如 I50、E11.9）")
    if not items:
        raise ValueError("至少填写一个 ICD-10 编码前缀")
    return tuple(dict.fromkeys(items))


def _condition(value: str) -> Condition:
    try:
        return Condition(value)
    except ValueError:
        names = "、".join(c.value for c in Condition)
        raise ValueError(f"条件应为 {names} 之一") from None


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], Any]
    required: bool = True


def _columns(*spec: tuple[str, Callable[[str], Any], bool]) -> tuple[Column, ...]:
    return (Column("id", _rule_id), *(Column(n, p, r) for n, p, r in spec))


REQ, OPT = True, False
SPECS: dict[RuleKind, tuple[Column, ...]] = {
    RuleKind.INTERACTION_PAIR: _columns(
        ("a", drug_key, REQ), ("b", drug_key, REQ), ("level", _level, REQ),
        ("message", _text, REQ), ("advice", _text, OPT), ("mechanism", _text, OPT)),
    RuleKind.DOSE_RULE: _columns(
        ("drug", drug_key, REQ), ("route", _text, OPT), ("age_min_days", _days, OPT),
        ("age_max_days", _days, OPT), ("weight_based", _flag, OPT), ("unit", _unit, REQ),
        ("min_single", _amount, OPT), ("max_single", _amount, OPT),
        ("max_daily", _amount, OPT), ("max_per_day", _amount, OPT), ("level", _level, OPT)),
    RuleKind.ALLERGY_CLASS: _columns(
        ("class_code", _class_code, REQ), ("label", _text, REQ), ("members", _keys, REQ),
        ("level", _level, OPT)),
    RuleKind.ALLERGY_CROSS: _columns(
        ("class_code", _class_code, REQ), ("cross_class_code", _class_code, REQ),
        ("level", _level, REQ), ("severe_level", _level, OPT), ("message", _text, REQ)),
    RuleKind.DUPLICATE_CLASS: _columns(
        ("class_code", _class_code, REQ), ("label", _text, REQ), ("members", _keys, REQ),
        ("level", _level, REQ), ("advice", _text, OPT)),
    RuleKind.CONTRAINDICATION: _columns(
        ("drug", drug_key, REQ), ("condition", _condition, REQ), ("value", _text, OPT),
        ("level", _level, REQ), ("message", _text, REQ), ("advice", _text, OPT)),
    RuleKind.INCOMPATIBILITY: _columns(
        ("a", drug_key, REQ), ("b", drug_key, REQ), ("route", _text, OPT),
        ("level", _level, REQ), ("message", _text, REQ), ("advice", _text, OPT)),
    RuleKind.INSURANCE_RULE: _columns(
        ("drug", drug_key, REQ), ("indications", _icd_prefixes, OPT), ("message", _text, REQ),
        ("max_days", _days, OPT), ("chronic_only", _flag, OPT), ("max_price", _amount, OPT),
        ("level", _level, OPT)),
}


# -- row builders: parsed cells -> rule record, or ValueError for a rule between cells --------

def _interaction(v: dict[str, Any]) -> InteractionRule:
    return InteractionRule(rule_id=v["id"], a=v["a"], b=v["b"], level=v["level"],
                           message=v["message"], advice=v["advice"], mechanism=v["mechanism"])


def _dose(v: dict[str, Any]) -> DoseRule:
    limits = ("min_single", "max_single", "max_daily", "max_per_day")
    if all(v[name] is None for name in limits):
        raise ValueError("至少填写 min_single、max_single、max_daily、max_per_day 之一")
    if v["min_single"] is not None and v["max_single"] is not None \
            and v["min_single"] > v["max_single"]:
        raise ValueError("min_single 大于 max_single")
    if v["age_min_days"] is not None and v["age_max_days"] is not None \
            and v["age_min_days"] >= v["age_max_days"]:
        raise ValueError("age_min_days 应小于 age_max_days")
    return DoseRule(rule_id=v["id"], drug=v["drug"], unit=v["unit"], route=v["route"],
                    age_min_days=v["age_min_days"], age_max_days=v["age_max_days"],
                    weight_based=bool(v["weight_based"]), min_single=v["min_single"],
                    max_single=v["max_single"], max_daily=v["max_daily"],
                    max_per_day=v["max_per_day"], level=v["level"] or Level.RED)


def _allergy_class(v: dict[str, Any]) -> AllergyClassRule:
    return AllergyClassRule(rule_id=v["id"], class_code=v["class_code"], label=v["label"],
                            members=v["members"], level=v["level"] or Level.BLACK)


def _allergy_cross(v: dict[str, Any]) -> AllergyCrossRule:
    if v["class_code"] == v["cross_class_code"]:
        raise ValueError("交叉过敏的两个类别不能相同")
    return AllergyCrossRule(rule_id=v["id"], class_code=v["class_code"],
                            cross_class_code=v["cross_class_code"], level=v["level"],
                            severe_level=v["severe_level"], message=v["message"])


def _duplicate(v: dict[str, Any]) -> DuplicateClassRule:
    return DuplicateClassRule(rule_id=v["id"], class_code=v["class_code"], label=v["label"],
                              members=v["members"], level=v["level"], advice=v["advice"])


def _contraindication(v: dict[str, Any]) -> ContraindicationRule:
    condition, value = v["condition"], v["value"]
    age_days: int | None = None
    prefixes: tuple[str, ...] = ()
    if condition in (Condition.AGE_BELOW_DAYS, Condition.AGE_ABOVE_DAYS):
        if value is None:
            raise ValueError("年龄条件须在 value 填写天数")
        age_days = _days(value)
    elif condition == Condition.DIAGNOSIS:
        if value is None:
            raise ValueError("诊断条件须在 value 填写 ICD-10 编码前缀")
        prefixes = _icd_prefixes(value)
    elif value is not None:
        raise ValueError("妊娠期、哺乳期条件的 value 应留空")
    return ContraindicationRule(rule_id=v["id"], drug=v["drug"], condition=condition,
                                level=v["level"], message=v["message"], age_days=age_days,
                                icd10_prefixes=prefixes, advice=v["advice"])


def _incompatibility(v: dict[str, Any]) -> IncompatibilityRule:
    return IncompatibilityRule(rule_id=v["id"], a=v["a"], b=v["b"], level=v["level"],
                               message=v["message"], route=v["route"], advice=v["advice"])


def _insurance(v: dict[str, Any]) -> InsuranceRule:
    if not (v["indications"] or v["max_days"] is not None or v["chronic_only"]
            or v["max_price"] is not None):
        raise ValueError("至少填写 indications、max_days、chronic_only、max_price 之一")
    return InsuranceRule(rule_id=v["id"], drug=v["drug"], message=v["message"],
                         indications=v["indications"] or (), max_days=v["max_days"],
                         chronic_only=bool(v["chronic_only"]), max_price=v["max_price"],
                         level=v["level"] or Level.YELLOW)


BUILDERS: dict[RuleKind, Callable[[dict[str, Any]], Any]] = {
    RuleKind.INTERACTION_PAIR: _interaction,
    RuleKind.DOSE_RULE: _dose,
    RuleKind.ALLERGY_CLASS: _allergy_class,
    RuleKind.ALLERGY_CROSS: _allergy_cross,
    RuleKind.DUPLICATE_CLASS: _duplicate,
    RuleKind.CONTRAINDICATION: _contraindication,
    RuleKind.INCOMPATIBILITY: _incompatibility,
    RuleKind.INSURANCE_RULE: _insurance,
}


# -- reading --------------------------------------------------------------------------------

def _file_for(kind: RuleKind, files: Mapping[str, str]) -> str | None:
    return files.get(FILE_NAMES[kind], files.get(kind.value))


def _parse_file(kind: RuleKind, text: str, errors: list[RowError]) -> list[tuple[int, Any]]:
    """(line number, record) of every good row; bad rows go to `errors`."""
    name = FILE_NAMES[kind]
    spec = {column.name: column for column in SPECS[kind]}
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header: list[str] | None = None
    records: list[tuple[int, Any]] = []
    seen_ids: dict[str, int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells) or cells[0].lstrip().startswith("#"):
                continue
            if header is None:
                header = [c.strip() for c in cells]
                unknown = [c for c in header if c not in spec]
                missing = [c for c, col in spec.items() if col.required and c not in header]
                for column in unknown:
                    errors.append(RowError(name, line, "未知的列名", column))
                for column in missing:
                    errors.append(RowError(name, line, "缺少必需的列", column))
                if unknown or missing:
                    return []
                continue
            record = _parse_row(kind, line, header, cells, errors)
            if record is None:
                continue
            if record.rule_id in seen_ids:
                errors.append(RowError(name, line, f"规则编号 {record.rule_id} 与第 "
                                                   f"{seen_ids[record.rule_id]} 行重复", "id"))
                continue
            seen_ids[record.rule_id] = line
            records.append((line, record))
    except csv.Error as exc:
        errors.append(RowError(name, reader.line_num, f"CSV 格式错误：{exc}"))
    if header is None:
        errors.append(RowError(name, None, "文件为空：至少应有表头行"))
    return records


def _parse_row(kind: RuleKind, line: int, header: list[str], cells: list[str],
               errors: list[RowError]) -> Any | None:
    name = FILE_NAMES[kind]
    if len(cells) > len(header):
        errors.append(RowError(name, line, f"列数（{len(cells)}）多于表头（{len(header)}）"))
        return None
    raw = {column: (cells[i].strip() if i < len(cells) else "")
           for i, column in enumerate(header)}
    values: dict[str, Any] = {}
    bad = False
    for column in SPECS[kind]:
        column_name = column.name
        cell = raw.get(column_name, "")
        if not cell:
            if column.required:
                errors.append(RowError(name, line, "必填项为空", column_name))
                bad = True
            values[column_name] = None
            continue
        try:
            values[column_name] = column.parse(cell)
        except ValueError as exc:
            errors.append(RowError(name, line, str(exc), column_name))
            bad = True
    if bad:
        return None
    try:
        return BUILDERS[kind](values)
    except ValueError as exc:
        errors.append(RowError(name, line, str(exc)))
        return None


def _check_references(parsed: dict[RuleKind, list[tuple[int, Any]]],
                      errors: list[RowError]) -> None:
    """Rules between rows: class codes unique, cross-sensitivity naming known classes."""
    for kind in (RuleKind.ALLERGY_CLASS, RuleKind.DUPLICATE_CLASS):
        first_line: dict[str, int] = {}
        for line, rule in parsed[kind]:
            if rule.class_code in first_line:
                errors.append(RowError(FILE_NAMES[kind], line, f"类别代码 {rule.class_code} 与第 "
                                       f"{first_line[rule.class_code]} 行重复", "class_code"))
            first_line.setdefault(rule.class_code, line)
    known = {rule.class_code for _, rule in parsed[RuleKind.ALLERGY_CLASS]}
    pairs: dict[tuple[str, str], int] = {}
    for line, rule in parsed[RuleKind.ALLERGY_CROSS]:
        for column in ("class_code", "cross_class_code"):
            code = getattr(rule, column)
            if code not in known:
                errors.append(RowError(FILE_NAMES[RuleKind.ALLERGY_CROSS], line,
                                       f"过敏原类别 {code} 未在 allergy_class.csv 中定义", column))
        pair = (rule.class_code, rule.cross_class_code)
        if pair in pairs:
            errors.append(RowError(FILE_NAMES[RuleKind.ALLERGY_CROSS], line,
                                   f"与第 {pairs[pair]} 行重复"))
        pairs.setdefault(pair, line)


def parse_files(files: Mapping[str, str]) -> RuleSet:
    """A whole set from file name (or kind) -> CSV text; KnowledgeInvalid lists every problem.
    Every kind's file must be present (a missing file would silently drop a kind of check);
    a kind without rows is a file with its header only."""
    errors: list[RowError] = []
    known_names = set(FILE_NAMES.values()) | {k.value for k in RuleKind}
    for given in files:
        if given not in known_names:
            errors.append(RowError(given, None, "未知的文件（应为 "
                                   + "、".join(FILE_NAMES.values()) + "）"))
    parsed: dict[RuleKind, list[tuple[int, Any]]] = {}
    for kind in RuleKind:
        text = _file_for(kind, files)
        if text is None:
            errors.append(RowError(FILE_NAMES[kind], None, "缺少该文件"))
            parsed[kind] = []
            continue
        parsed[kind] = _parse_file(kind, text, errors)
    _check_references(parsed, errors)
    if errors:
        raise KnowledgeInvalid(errors[:MAX_ERRORS])

    def rows(kind: RuleKind) -> tuple[Any, ...]:
        return tuple(rule for _, rule in parsed[kind])

    return RuleSet(
        interactions=rows(RuleKind.INTERACTION_PAIR), dose_rules=rows(RuleKind.DOSE_RULE),
        allergy_classes=rows(RuleKind.ALLERGY_CLASS), allergy_cross=rows(RuleKind.ALLERGY_CROSS),
        duplicate_classes=rows(RuleKind.DUPLICATE_CLASS),
        contraindications=rows(RuleKind.CONTRAINDICATION),
        incompatibilities=rows(RuleKind.INCOMPATIBILITY),
        insurance_rules=rows(RuleKind.INSURANCE_RULE))


def read_folder(folder: Path) -> dict[str, str]:
    """The knowledge CSV files of `folder`, name -> text (UTF-8, else GB18030)."""
    files: dict[str, str] = {}
    for name in FILE_NAMES.values():
        path = folder / name
        if not path.is_file():
            continue
        data = path.read_bytes()
        try:
            files[name] = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            files[name] = data.decode("gb18030")
    return files
