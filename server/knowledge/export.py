"""A knowledge set back as the CSV the loader reads: the rows of one kind as text cells.

The administration app shows a kind as a table and edits it as CSV; importing one kind builds
the next version from the active set's other kinds written out here plus the new file, so the
loader's whole validation (references between files included) runs on what would be stored.
Writing a set out and reading it back gives the same rules (tests/server/knowledge).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from enum import Enum
from typing import Any

from server.knowledge.loader import FILE_NAMES, LIST_SEPARATOR, SPECS
from server.knowledge.rules import ContraindicationRule, RuleKind, RuleSet

# RuleKind -> the RuleSet field holding its records.
RULESET_FIELDS: dict[RuleKind, str] = {
    RuleKind.INTERACTION_PAIR: "interactions",
    RuleKind.DOSE_RULE: "dose_rules",
    RuleKind.ALLERGY_CLASS: "allergy_classes",
    RuleKind.ALLERGY_CROSS: "allergy_cross",
    RuleKind.DUPLICATE_CLASS: "duplicate_classes",
    RuleKind.CONTRAINDICATION: "contraindications",
    RuleKind.INCOMPATIBILITY: "incompatibilities",
    RuleKind.INSURANCE_RULE: "insurance_rules",
}


def columns(kind: RuleKind) -> list[str]:
    return [column.name for column in SPECS[kind]]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Enum) and isinstance(value.value, int):
        return str(value.value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, tuple | list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def _value(record: Any, column: str) -> Any:
    if column == "id":
        return record.rule_id
    if column == "value" and isinstance(record, ContraindicationRule):
        # One CSV column, two record fields: days for the age conditions, prefixes otherwise.
        return record.age_days if record.age_days is not None else record.icd10_prefixes
    return getattr(record, column)


def rows(kind: RuleKind, rules: RuleSet) -> list[dict[str, str]]:
    """Every record of `kind` as column -> cell text."""
    names = columns(kind)
    return [{name: _cell(_value(record, name)) for name in names}
            for record in getattr(rules, RULESET_FIELDS[kind])]


def to_csv(kind: RuleKind, rules: RuleSet) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns(kind), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(kind, rules))
    return out.getvalue()


def files_of(rules: RuleSet) -> dict[str, str]:
    """The whole set as the loader's files (file name -> CSV text)."""
    return {FILE_NAMES[kind]: to_csv(kind, rules) for kind in RuleKind}
