"""The patient banner at the top of every prescribing, review and dispensing screen: who the
patient is (name and ID number as the server masked them), sex, age, allergies highlighted, and
the diagnoses the prescription is for.

Allergies distinguish "not recorded" (None) from "no known allergies" (empty): only the second
is a statement that it is safe to prescribe a penicillin.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

# Module-level calls lupdate can read (it extracts `translate("Context", "text")`).
translate = QCoreApplication.translate

ALLERGY_STYLE = "background: #c62828; color: #ffffff; padding: 2px 6px; font-weight: bold;"
NO_ALLERGY_STYLE = "color: #2e7d32;"
UNKNOWN_ALLERGY_STYLE = "background: #fff3e0; color: #e65100; padding: 2px 6px;"


@dataclass(frozen=True)
class PatientSummary:
    name: str  # masked by the server for roles that need no more, e.g. 张*
    sex: str | None  # the server's code: "male", "female"
    birth_date: date | None
    id_number: str | None  # masked, e.g. 110***********123X
    allergies: Sequence[str] | None = None  # None: not recorded; (): no known allergies
    diagnoses: Sequence[str] = ()
    weight_kg: Decimal | float | None = None
    pregnant: bool = False
    lactating: bool = False


def sex_label(code: str | None) -> str:
    if code == "male":
        return translate("PatientBanner", "Male")
    if code == "female":
        return translate("PatientBanner", "Female")
    return translate("PatientBanner", "Sex unknown")


def age_parts(birth: date, today: date) -> tuple[int, int, int]:
    """Whole (years, months, days) from `birth` to `today`."""
    months = (today.year - birth.year) * 12 + today.month - birth.month
    if today.day < birth.day:
        months -= 1
    years = months // 12
    days = (today - _add_months(birth, months)).days
    return years, months, days


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    # 31 January + 1 month: the last day of February.
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def format_age(birth: date | None, today: date) -> str:
    """Years from one year on; months, then days, for infants (paediatric doses need them)."""
    if birth is None:
        return translate("PatientBanner", "Age unknown")
    years, months, days = age_parts(birth, today)
    if years >= 1:
        return translate("PatientBanner", "%n years", None, years)
    if months >= 1:
        return translate("PatientBanner", "%n months", None, months)
    return translate("PatientBanner", "%n days", None, max(days, 0))


def allergy_text(allergies: Sequence[str] | None) -> tuple[str, str]:
    """The allergy line and its style."""
    if allergies is None:
        return translate("PatientBanner", "Allergies: not recorded"), UNKNOWN_ALLERGY_STYLE
    if not allergies:
        return translate("PatientBanner", "No known allergies"), NO_ALLERGY_STYLE
    text = translate("PatientBanner", "Allergies: %1").replace("%1", "、".join(allergies))
    return text, ALLERGY_STYLE


def diagnosis_text(diagnoses: Sequence[str]) -> str:
    if not diagnoses:
        return translate("PatientBanner", "Diagnoses: none")
    return translate("PatientBanner", "Diagnoses: %1").replace("%1", "；".join(diagnoses))


class PatientBanner(QFrame):
    def __init__(self, *, today: Callable[[], date] = date.today,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._today = today
        self.patient: PatientSummary | None = None
        self.setObjectName("patient_banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#patient_banner { background: #f5f7fa; }")
        self.name = QLabel()
        self.name.setObjectName("name")
        self.name.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.details = QLabel()  # sex · age · weight · pregnancy
        self.details.setObjectName("details")
        self.id_number = QLabel()
        self.id_number.setObjectName("id_number")
        self.allergies = QLabel()
        self.allergies.setObjectName("allergies")
        self.allergies.setWordWrap(True)
        self.diagnoses = QLabel()
        self.diagnoses.setObjectName("diagnoses")
        self.diagnoses.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.name)
        top.addWidget(self.details)
        top.addStretch(1)
        top.addWidget(self.id_number)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.allergies)
        box.addWidget(self.diagnoses)
        self.set_patient(None)

    def set_patient(self, patient: PatientSummary | None) -> None:
        self.patient = patient
        for part in (self.details, self.id_number, self.allergies, self.diagnoses):
            part.setVisible(patient is not None)
        if patient is None:
            self.name.setText(self.tr("No patient selected"))
            return
        self.name.setText(patient.name)
        details = [sex_label(patient.sex), format_age(patient.birth_date, self._today())]
        if patient.weight_kg is not None:
            details.append(self.tr("%1 kg").replace("%1", f"{Decimal(str(patient.weight_kg)):f}"))
        if patient.pregnant:
            details.append(self.tr("Pregnant"))
        if patient.lactating:
            details.append(self.tr("Breastfeeding"))
        self.details.setText(" · ".join(details))
        self.id_number.setText(self.tr("ID: %1").replace("%1", patient.id_number or "—"))
        text, style = allergy_text(patient.allergies)
        self.allergies.setText(text)
        self.allergies.setStyleSheet(style)
        self.diagnoses.setText(diagnosis_text(patient.diagnoses))
