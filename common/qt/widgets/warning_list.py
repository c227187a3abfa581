"""Check warnings (our rule engine's hits and the rational-drug-use system's) on the PASS scale,
worst first, each with its level colour, message and advice.

Levels (DOMAIN.md section 4): -3..-1 not checked (grey, never read as passed), 0 blue, 1 yellow,
4 orange, 2 red, 3 black (blocks submission). Note that 4 sits between 1 and 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

# Module-level calls lupdate can read (it extracts `translate("Context", "text")`).
translate = QCoreApplication.translate

NOT_CHECKED_LEVELS = frozenset({-3, -2, -1})


@dataclass(frozen=True)
class LevelStyle:
    label: str
    background: str
    foreground: str
    rank: int  # 0 is the worst


@dataclass(frozen=True)
class CheckWarning:
    level: int  # PASS scale
    message: str
    advice: str = ""
    subject: str = ""  # what it is about, e.g. the drugs of an interaction


def level_style(level: int) -> LevelStyle:
    """Label and colours of a PASS level. An unknown level is shown as not checked: it was
    not understood, so it must not look like a pass."""
    # "Not checked" ranks above "no problem": a missing answer needs a look, a clean one not.
    if level == 3:
        return LevelStyle(translate("PassLevel", "Contraindicated"), "#000000", "#ffffff", 0)
    if level == 2:
        return LevelStyle(translate("PassLevel", "Not recommended"), "#c62828", "#ffffff", 1)
    if level == 4:
        return LevelStyle(translate("PassLevel", "Use with caution"), "#ef6c00", "#ffffff", 2)
    if level == 1:
        return LevelStyle(translate("PassLevel", "Low risk"), "#fbc02d", "#212121", 3)
    if level == 0:
        return LevelStyle(translate("PassLevel", "No problem found"), "#1565c0", "#ffffff", 5)
    return LevelStyle(translate("PassLevel", "Not checked"), "#9e9e9e", "#ffffff", 4)


def worst_first(warnings: Iterable[CheckWarning]) -> list[CheckWarning]:
    """Stable: warnings of one level keep the order the checks gave them."""
    return sorted(warnings, key=lambda w: level_style(w.level).rank)


class WarningRow(QFrame):
    def __init__(self, warning: CheckWarning, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.warning = warning
        self.appearance = level_style(warning.level)
        self.setObjectName("warning_row")
        self.setStyleSheet(
            f"#warning_row {{ border: 1px solid #d0d0d0; "
            f"border-left: 6px solid {self.appearance.background}; background: #ffffff; }}")
        self.level_chip = QLabel(self.appearance.label)
        self.level_chip.setObjectName("level")
        self.level_chip.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.level_chip.setMinimumWidth(88)
        self.level_chip.setStyleSheet(
            f"background: {self.appearance.background}; color: {self.appearance.foreground}; "
            "padding: 2px 6px; border-radius: 3px;")
        text = QVBoxLayout()
        text.setSpacing(2)
        if warning.subject:
            self.subject = QLabel(warning.subject)
            self.subject.setObjectName("subject")
            self.subject.setStyleSheet("color: #555555;")
            text.addWidget(self.subject)
        self.message = QLabel(warning.message)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("font-weight: bold;")
        text.addWidget(self.message)
        self.advice = QLabel(self.tr("Advice: %1").replace("%1", warning.advice)
                             if warning.advice else "")
        self.advice.setObjectName("advice")
        self.advice.setWordWrap(True)
        self.advice.setVisible(bool(warning.advice))
        text.addWidget(self.advice)
        row = QHBoxLayout(self)
        row.addWidget(self.level_chip, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)


class WarningList(QScrollArea):
    """`set_warnings(...)` replaces the list; rows are in display order in `rows()`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self._body = QWidget()
        self._layout = QVBoxLayout(self._body)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.empty_label = QLabel(self.tr("No warnings"))
        self.empty_label.setObjectName("empty")
        self.empty_label.setStyleSheet("color: #757575;")
        self._layout.addWidget(self.empty_label)
        self.setWidget(self._body)
        self._rows: list[WarningRow] = []

    def set_warnings(self, warnings: Iterable[CheckWarning]) -> None:
        for row in self._rows:
            self._layout.removeWidget(row)
            row.deleteLater()
        self._rows = [WarningRow(w, self._body) for w in worst_first(warnings)]
        for row in self._rows:
            self._layout.addWidget(row)
        self.empty_label.setVisible(not self._rows)

    def rows(self) -> list[WarningRow]:
        return list(self._rows)
