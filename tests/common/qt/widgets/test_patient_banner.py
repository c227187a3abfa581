"""The patient banner: masked identity as given, sex, age, allergies highlighted, diagnoses."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from common.qt.widgets.patient_banner import (
    PatientBanner,
    PatientSummary,
    allergy_text,
    format_age,
)
from tests.common.qt.screenshots import save_screenshot

TODAY = date(2026, 3, 2)

ZHANG = PatientSummary(
    name="张*", sex="male", birth_date=date(1958, 7, 14), id_number="110***********123X",
    allergies=("青霉素类", "磺胺类"), diagnoses=("原发性高血压", "2型糖尿病"), weight_kg=68.5)


@pytest.mark.parametrize(("birth", "age"), [
    (date(1958, 7, 14), "67岁"),
    (date(1958, 3, 2), "68岁"),  # birthday today
    (date(1958, 3, 3), "67岁"),  # tomorrow
    (date(2025, 3, 3), "11个月"),
    (date(2026, 1, 31), "1个月"),
    (date(2026, 2, 14), "16天"),
    (date(2026, 3, 2), "0天"),
])
def test_format_age(birth: date, age: str) -> None:
    assert format_age(birth, TODAY) == age


def test_leap_day_birthday() -> None:
    assert format_age(date(2020, 2, 29), date(2021, 2, 28)) == "11个月"
    assert format_age(date(2020, 2, 29), date(2021, 3, 1)) == "1岁"


def test_allergies_not_recorded_is_not_none_known() -> None:
    assert allergy_text(None)[0] == "过敏史：未记录"
    assert allergy_text(())[0] == "无已知过敏"
    assert allergy_text(["青霉素类"])[0] == "过敏：青霉素类"


def test_banner(qtbot: QtBot) -> None:
    banner = PatientBanner(today=lambda: TODAY)
    qtbot.addWidget(banner)
    assert banner.name.text() == "未选择患者"
    banner.set_patient(ZHANG)
    banner.resize(640, banner.sizeHint().height())
    banner.show()
    qtbot.waitExposed(banner)
    assert banner.name.text() == "张*"
    assert banner.details.text() == "男 · 67岁 · 68.5 kg"
    assert banner.id_number.text() == "身份证：110***********123X"
    assert banner.allergies.text() == "过敏：青霉素类、磺胺类"
    assert banner.allergies.grab().toImage().pixelColor(1, 1) == QColor("#c62828")
    assert banner.diagnoses.text() == "诊断：原发性高血压；2型糖尿病"
    save_screenshot("patient_banner", banner)

    banner.set_patient(PatientSummary(name="李*", sex="female", birth_date=date(1994, 5, 1),
                                      id_number=None, allergies=(), pregnant=True))
    assert banner.details.text() == "女 · 31岁 · 妊娠"
    assert banner.allergies.text() == "无已知过敏"
    assert banner.id_number.text() == "身份证：—"
    assert banner.diagnoses.text() == "诊断：无"
