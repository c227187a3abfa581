"""A rights matrix being edited: rows (titles or pharmacist levels) x columns (drug classes),
the cells granted as read, and the cells granted now. Saving sends both (the server refuses
the edit when someone changed the matrix since it was read)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Cell = tuple[str, str]


class RightsMatrix:
    def __init__(self, rows: Iterable[str], columns: Iterable[str], granted: Iterable[Cell],
                 *, row_key: str) -> None:
        """`row_key` is the name of the row field on the wire: "title" or "level"."""
        self.rows = list(rows)
        self.columns = list(columns)
        self.row_key = row_key
        self.original = frozenset(granted)
        self.granted = set(self.original)

    @classmethod
    def prescribing(cls, answer: dict[str, Any]) -> RightsMatrix:
        return cls(answer["titles"], answer["drug_classes"],
                   ((c["title"], c["drug_class"]) for c in answer["cells"]), row_key="title")

    @classmethod
    def reviewing(cls, answer: dict[str, Any]) -> RightsMatrix:
        return cls(answer["levels"], answer["drug_classes"],
                   ((c["level"], c["drug_class"]) for c in answer["cells"]), row_key="level")

    def is_granted(self, row: str, column: str) -> bool:
        return (row, column) in self.granted

    def mark(self, row: str, column: str, granted: bool) -> None:
        if row not in self.rows or column not in self.columns:
            raise KeyError((row, column))
        if granted:
            self.granted.add((row, column))
        else:
            self.granted.discard((row, column))

    @property
    def added(self) -> set[Cell]:
        return self.granted - self.original

    @property
    def removed(self) -> set[Cell]:
        return set(self.original - self.granted)

    @property
    def changed(self) -> bool:
        return self.granted != self.original

    def _body(self, cells: Iterable[Cell]) -> list[dict[str, str]]:
        return [{self.row_key: row, "drug_class": column} for row, column in sorted(cells)]

    def cells_body(self) -> list[dict[str, str]]:
        return self._body(self.granted)

    def previous_body(self) -> list[dict[str, str]]:
        return self._body(self.original)
