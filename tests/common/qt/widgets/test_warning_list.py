"""Warnings on the PASS scale: worst first, each in its level's colour with message and advice."""

from __future__ import annotations

from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from common.qt.widgets.warning_list import CheckWarning, WarningList, level_style, worst_first
from tests.common.qt.screenshots import save_screenshot

DEMO = [
    CheckWarning(0, "剂量在常用范围内"),
    CheckWarning(1, "老年患者，注意监测肾功能", "定期复查肌酐", "阿莫西林胶囊"),
    CheckWarning(-1, "合理用药系统未返回结果（超时）"),
    CheckWarning(2, "与华法林合用增加出血风险", "避免合用或监测 INR",
                 "阿司匹林肠溶片 + 华法林钠片"),
    CheckWarning(4, "肝功能不全者慎用", "减量使用"),
    CheckWarning(3, "患者对青霉素类过敏，禁用", "改用非β-内酰胺类抗菌药物", "阿莫西林胶囊"),
]


def test_worst_first_with_the_pass_order() -> None:
    # 4 (orange) sits between 1 (yellow) and 2 (red); not checked ranks above a clean pass.
    levels = [w.level for w in worst_first(CheckWarning(level, "") for level in
                                           (0, 1, 2, 3, 4, -1, -3, -2))]
    assert levels == [3, 2, 4, 1, -1, -3, -2, 0]


def test_same_level_keeps_the_given_order() -> None:
    first, second = CheckWarning(2, "第一条"), CheckWarning(2, "第二条")
    assert worst_first([CheckWarning(0, ""), first, second])[:2] == [first, second]


def test_labels_and_colours() -> None:
    assert [(level_style(n).label, level_style(n).background) for n in (-3, 0, 1, 4, 2, 3)] == [
        ("未审查", "#9e9e9e"), ("未发现问题", "#1565c0"), ("提示", "#fbc02d"),
        ("慎用", "#ef6c00"), ("不推荐", "#c62828"), ("禁用", "#000000")]


def test_an_unknown_level_is_never_a_pass() -> None:
    assert level_style(9).label == "未审查"
    assert level_style(9).rank < level_style(0).rank


def test_rows_in_order_with_level_colours(qtbot: QtBot) -> None:
    view = WarningList()
    qtbot.addWidget(view)
    view.resize(560, 460)
    assert view.empty_label.isVisibleTo(view)
    view.set_warnings(DEMO)
    view.show()
    qtbot.waitExposed(view)
    rows = view.rows()
    assert [row.warning.level for row in rows] == [3, 2, 4, 1, -1, 0]
    assert not view.empty_label.isVisibleTo(view)
    for row in rows:
        chip = row.level_chip.grab().toImage()
        # The rendered chip, not just its style sheet, carries the level's colour.
        assert chip.pixelColor(2, chip.height() // 2) == QColor(row.appearance.background)
    black = rows[0]
    assert black.level_chip.text() == "禁用"
    assert black.message.text() == "患者对青霉素类过敏，禁用"
    assert black.advice.text() == "建议：改用非β-内酰胺类抗菌药物"
    assert not rows[-1].advice.isVisibleTo(rows[-1])  # no advice, no empty line
    save_screenshot("warning_list", view)

    view.set_warnings([])
    qtbot.waitUntil(lambda: view.empty_label.isVisible())
    assert view.rows() == []
    assert view.empty_label.text() == "无警示信息"
