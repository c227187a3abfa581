"""The prescription being written, without Qt: its lines, diagnoses, the warnings of the last
check, the override reasons, and the draft saved on the server.

Every change bumps `generation`. A check or a save is asked for with the generation it was made
from; an answer for an older generation is stale and changes only what stays true (the draft's
id and version), never the warnings or quantities shown. So the view can run checks latest-only
and saves one at a time without ever showing an answer about content the doctor already changed.

Quantities are the server's (the saved draft's lines): one rule for packages, in one place.
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from common.api import errors
from common.api.models import (
    CheckResult,
    DiagnosisIn,
    DraftIn,
    DraftUpdate,
    Issue,
    Line,
    LineIn,
    Override,
    Prescription,
    Product,
    Template,
    TemplateIn,
    VisitType,
)

# The server's frequency vocabulary (server/checks/frequency.py), with the labels printed on a
# prescription; the server refuses any other code.
FREQUENCIES: dict[str, str] = {
    "qd": "每日一次", "bid": "每日两次", "tid": "每日三次", "qid": "每日四次",
    "q4h": "每4小时一次", "q6h": "每6小时一次", "q8h": "每8小时一次", "q12h": "每12小时一次",
    "qn": "每晚一次", "qod": "隔日一次", "biw": "每周两次", "qw": "每周一次", "prn": "必要时",
    "st": "立即（一次）",
}
ROUTES = ("口服", "外用", "静脉滴注", "静脉注射", "肌内注射", "皮下注射", "吸入", "雾化吸入",
          "滴眼", "滴鼻", "舌下含服", "直肠给药", "含漱")
# Routes by dosage form, for a sensible first guess the doctor rarely has to change.
_FORM_ROUTES = (("注射", "静脉滴注"), ("滴眼", "滴眼"), ("滴鼻", "滴鼻"), ("软膏", "外用"),
                ("乳膏", "外用"), ("凝胶", "外用"), ("贴", "外用"), ("吸入", "吸入"),
                ("气雾", "吸入"), ("栓", "直肠给药"), ("含片", "舌下含服"))
DEFAULT_FREQUENCY = "tid"
DEFAULT_DAYS = 3
FIELDS = ("dose", "dose_unit", "route", "frequency", "days")
_PACKAGE = re.compile(r"^\s*\d+(?:\.\d+)?\s*(?P<inner>[^\d/\s]+)\s*/")
_STRENGTH_UNIT = re.compile(r"\d(?:\.\d+)?\s*(?P<unit>万?(?:mg|μg|ug|mcg|g|ml|iu|u))", re.I)
_ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")


def count_unit(package: str) -> str | None:
    """'24粒/盒' -> '粒': the unit a dose is usually counted in."""
    match = _PACKAGE.match(package)
    return match["inner"] if match else None


def dose_units(product: Product | ProductRef) -> list[str]:
    """Units the server can turn into packages: the count unit, the specification's, the sales
    unit; the first is the default."""
    units: list[str] = []
    for unit in (count_unit(product.package),
                 *(m["unit"] for m in _STRENGTH_UNIT.finditer(product.specification)),
                 product.unit):
        if unit and unit not in units:
            units.append(unit)
    return units


def default_route(dosage_form: str | None) -> str:
    for marker, route in _FORM_ROUTES:
        if dosage_form and marker in dosage_form:
            return route
    return "口服"


def parse_diagnoses(text: str) -> tuple[list[DiagnosisIn], list[str]]:
    """'J02.9 急性咽炎；I10 原发性高血压' -> diagnoses, and the parts that are not 'code name'."""
    found, bad = [], []
    for part in re.split(r"[；;，,\n]+", text):
        part = part.strip()
        if not part:
            continue
        code, _, name = part.partition(" ")
        if _ICD10.match(code.upper()) and name.strip():
            found.append(DiagnosisIn(code=code.upper(), name=name.strip()))
        else:
            bad.append(part)
    return found, bad


def diagnoses_text(diagnoses: Iterable[DiagnosisIn | dict[str, Any]]) -> str:
    parts = []
    for d in diagnoses:
        code, name = (d.code, d.name) if isinstance(d, DiagnosisIn) else (d["code"], d["name"])
        parts.append(f"{code} {name}")
    return "；".join(parts)


@dataclass(frozen=True)
class ProductRef:
    """What a line needs to know of its product (from a search hit, a catalogue read, or a
    saved line)."""

    id: uuid.UUID
    generic_name: str
    specification: str
    package: str = ""
    unit: str = ""
    dosage_form: str | None = None

    @classmethod
    def of(cls, product: Product) -> ProductRef:
        return cls(product.id, product.generic_name, product.specification, product.package,
                   product.unit, product.dosage_form)


@dataclass
class DraftLine:
    product: ProductRef
    dose: Decimal | None = Decimal(1)
    dose_unit: str = ""
    route: str = "口服"
    frequency: str = DEFAULT_FREQUENCY
    days: int | None = DEFAULT_DAYS
    instructions: str | None = None
    skin_test: bool = False
    # From the server: the saved draft's packages and amount, or its complaint about the line.
    quantity: int | None = None
    amount: Decimal | None = None
    error: str | None = None

    @classmethod
    def for_product(cls, product: ProductRef) -> DraftLine:
        units = dose_units(product)
        return cls(product=product, dose_unit=units[0] if units else product.unit,
                   route=default_route(product.dosage_form))

    @classmethod
    def from_line(cls, line: Line | LineIn | dict[str, Any], product: ProductRef) -> DraftLine:
        data = line.model_dump() if not isinstance(line, dict) else line
        return cls(product=product, dose=Decimal(str(data["dose"])),
                   dose_unit=data["dose_unit"], route=data["route"],
                   frequency=data["frequency"], days=int(data["days"]),
                   instructions=data.get("instructions"),
                   skin_test=bool(data.get("skin_test", False)),
                   quantity=data.get("quantity"), amount=data.get("amount"))

    @property
    def complete(self) -> bool:
        return (self.dose is not None and self.dose > 0 and bool(self.dose_unit.strip())
                and bool(self.route.strip()) and self.frequency in FREQUENCIES
                and self.days is not None and self.days > 0)

    def line_in(self) -> LineIn:
        assert self.dose is not None and self.days is not None
        return LineIn(product_id=self.product.id, dose=self.dose,
                      dose_unit=self.dose_unit.strip(), route=self.route.strip(),
                      frequency=self.frequency, days=self.days,
                      instructions=self.instructions, skin_test=self.skin_test)

    def value(self, name: str) -> str:
        """A field as the entry bar shows it."""
        raw = getattr(self, name)
        if raw is None:
            return ""
        if isinstance(raw, Decimal):
            return f"{raw.normalize():f}"
        return str(raw)


class Readiness(enum.Enum):
    """Whether the prescription can be signed now, and if not, what is in the way."""

    EMPTY = "empty"  # no lines
    NO_DIAGNOSIS = "no_diagnosis"
    INCOMPLETE = "incomplete"  # a line lacks dose, unit, route, frequency or days
    CHECKING = "checking"  # the current content has not been checked (or saved) yet
    INVALID = "invalid"  # the server refused a line (unit it cannot convert, ...)
    BLOCKED = "blocked"  # a black-level (3) warning
    NEEDS_OVERRIDE = "needs_override"  # warnings that need a reason the doctor has not given
    READY = "ready"


class FieldValueError(ValueError):
    """A value typed into a line field that is not one (e.g. a dose of 'abc')."""


SaveCall = tuple[Literal["create"], DraftIn] | tuple[Literal["update"], uuid.UUID, DraftUpdate]


@dataclass
class PrescriptionEditor:
    patient_id: uuid.UUID
    diagnoses: list[DiagnosisIn] = field(default_factory=list)
    visit_type: VisitType = "outpatient"
    validity_days: int = 1
    notes: str | None = None
    lines: list[DraftLine] = field(default_factory=list)
    # The draft on the server (id, version, number, status) once saved.
    saved: Prescription | None = None
    check: CheckResult | None = None
    check_error: str | None = None
    overrides: dict[str, str] = field(default_factory=dict)
    generation: int = 0
    checked_generation: int = -1
    saved_generation: int = -1

    # -- editing -------------------------------------------------------------------------------

    def _changed(self) -> None:
        self.generation += 1

    def add_product(self, product: Product | ProductRef) -> int:
        """A new line with sensible defaults; returns its row."""
        ref = product if isinstance(product, ProductRef) else ProductRef.of(product)
        self.lines.append(DraftLine.for_product(ref))
        self._changed()
        return len(self.lines) - 1

    def replace_product(self, row: int, product: Product | ProductRef) -> None:
        ref = product if isinstance(product, ProductRef) else ProductRef.of(product)
        self.lines[row] = DraftLine.for_product(ref)
        self._changed()

    def remove_line(self, row: int) -> None:
        del self.lines[row]
        self._changed()

    def set_field(self, row: int, name: str, text: str) -> None:
        """Set one of FIELDS from what was typed; FieldValueError (Chinese) if it is not one."""
        line = self.lines[row]
        text = text.strip()
        if name == "dose":
            try:
                dose = Decimal(text) if text else None
            except InvalidOperation:
                raise FieldValueError(f"剂量「{text}」不是数字") from None
            if dose is not None and (not dose.is_finite() or dose <= 0):
                raise FieldValueError("剂量必须大于0")
            line.dose = dose
        elif name == "days":
            if text and not text.isdigit():
                raise FieldValueError(f"天数「{text}」不是整数")
            line.days = int(text) if text else None
            if line.days is not None and line.days <= 0:
                raise FieldValueError("天数必须大于0")
        elif name == "frequency":
            code = text.split(" ")[0].lower()
            if code and code not in FREQUENCIES:
                raise FieldValueError(f"未知的频次「{text}」")
            line.frequency = code
        elif name in ("dose_unit", "route"):
            setattr(line, name, text)
        else:
            raise KeyError(name)
        line.error = None
        self._changed()

    def set_diagnoses(self, diagnoses: Sequence[DiagnosisIn]) -> None:
        self.diagnoses = list(diagnoses)
        self._changed()

    def set_notes(self, notes: str | None) -> None:
        self.notes = notes or None
        self._changed()

    def set_override(self, key: str, reason: str) -> None:
        if reason.strip():
            self.overrides[key] = reason.strip()
        else:
            self.overrides.pop(key, None)

    # -- what goes to the server ---------------------------------------------------------------

    def body(self) -> DraftIn | None:
        """The draft as the API takes it; None while a line or the diagnosis is missing."""
        if not self.lines or not self.diagnoses or not all(x.complete for x in self.lines):
            return None
        return DraftIn(patient_id=self.patient_id, visit_type=self.visit_type,
                       diagnoses=self.diagnoses, validity_days=self.validity_days,
                       notes=self.notes, lines=[x.line_in() for x in self.lines])

    def save_call(self) -> SaveCall | None:
        """What to send to save the current content, or None (incomplete, or saved already)."""
        body = self.body()
        if body is None or self.saved_generation == self.generation:
            return None
        if self.saved is None:
            return ("create", body)
        update = DraftUpdate(version=self.saved.version, visit_type=body.visit_type,
                             diagnoses=body.diagnoses, validity_days=body.validity_days,
                             notes=body.notes, lines=body.lines)
        return ("update", self.saved.id, update)

    def overrides_given(self) -> list[Override]:
        keys = {i.key for i in self.warnings if i.needs_override}
        return [Override(key=k, reason=r) for k, r in self.overrides.items() if k in keys]

    def template_in(self, name: str, scope: Literal["personal", "department"]) -> TemplateIn:
        return TemplateIn(name=name, scope=scope, diagnoses=self.diagnoses,
                          lines=[x.line_in() for x in self.lines if x.complete])

    # -- answers from the server ---------------------------------------------------------------

    def apply_check(self, generation: int, result: CheckResult) -> bool:
        """The warnings of the check of `generation`; False (nothing changed) when stale."""
        if generation != self.generation:
            return False
        self.check, self.check_error, self.checked_generation = result, None, generation
        for line in self.lines:
            line.error = None
        return True

    def apply_check_failure(self, generation: int, error: errors.ApiError) -> bool:
        """A check the server refused (a line it cannot work with): the message goes on the
        line it names, or on the prescription."""
        if generation != self.generation:
            return False
        self.check, self.checked_generation = None, generation
        self.check_error = error.message
        self._mark_lines(error)
        return True

    def apply_saved(self, generation: int, rx: Prescription) -> None:
        """A saved draft: its id and version always (they are true whatever the content),
        its quantities only when it is of the current content."""
        self.saved = rx
        if generation != self.generation:
            return
        self.saved_generation = generation
        for line, saved in zip(self.lines, rx.lines, strict=False):
            line.quantity, line.amount, line.error = saved.quantity, saved.amount, None

    def apply_save_failure(self, generation: int, error: errors.ApiError) -> None:
        if generation == self.generation:
            self._mark_lines(error)

    def _mark_lines(self, error: errors.ApiError) -> None:
        problems = error.fields or ([errors.FieldProblem(error.field, error.message)]
                                    if error.field else [])
        for problem in problems:
            parts = problem.path.split(".")
            # Schema errors count lines from 0 (`body.lines.0.dose`); the server's own rules
            # number them as the doctor does, from 1 (`lines.1.dose_unit`).
            if parts[0] == "body" and len(parts) > 2 and parts[1] == "lines":
                index = int(parts[2]) if parts[2].isdigit() else -1
            elif parts[0] == "lines" and len(parts) > 1 and parts[1].isdigit():
                index = int(parts[1]) - 1
            else:
                continue
            if 0 <= index < len(self.lines):
                self.lines[index].error = problem.message

    # -- state for the view --------------------------------------------------------------------

    @property
    def warnings(self) -> list[Issue]:
        return list(self.check.issues) if self.check is not None else []

    @property
    def blocking(self) -> bool:
        return self.check is not None and (self.check.blocking
                                           or any(i.level == 3 for i in self.check.issues))

    def overrides_needed(self) -> list[Issue]:
        """Warnings that need a reason, without one yet."""
        return [i for i in self.warnings if i.needs_override and i.key not in self.overrides]

    @property
    def readiness(self) -> Readiness:
        if not self.lines:
            return Readiness.EMPTY
        if not self.diagnoses:
            return Readiness.NO_DIAGNOSIS
        if not all(x.complete for x in self.lines):
            return Readiness.INCOMPLETE
        if self.check_error is not None and self.checked_generation == self.generation:
            return Readiness.INVALID
        if self.checked_generation != self.generation or self.check is None:
            return Readiness.CHECKING
        if self.blocking:
            return Readiness.BLOCKED
        if self.overrides_needed():
            return Readiness.NEEDS_OVERRIDE
        return Readiness.READY

    @property
    def up_to_date_on_server(self) -> bool:
        return self.saved is not None and self.saved_generation == self.generation

    @property
    def total(self) -> Decimal | None:
        amounts = [x.amount for x in self.lines]
        if not amounts or any(a is None for a in amounts):
            return None
        return sum((a for a in amounts if a is not None), Decimal(0))

    # -- starting points -----------------------------------------------------------------------

    @classmethod
    def revise(cls, rx: Prescription, products: dict[uuid.UUID, ProductRef]) -> PrescriptionEditor:
        """A rejected (or draft) prescription, opened to change and sign again."""
        editor = cls(patient_id=rx.patient_id,
                     diagnoses=[DiagnosisIn(code=d["code"], name=d["name"])
                                for d in rx.diagnoses],
                     visit_type=rx.visit_type,  # type: ignore[arg-type]
                     validity_days=rx.validity_days, notes=rx.notes, saved=rx)
        for line in rx.lines:
            product = products.get(line.product_id) or ProductRef(
                line.product_id, line.generic_name, line.specification, unit=line.unit)
            editor.lines.append(DraftLine.from_line(line, product))
        editor.saved_generation = editor.generation  # what the server holds
        return editor

    def apply_template(self, template: Template, products: dict[uuid.UUID, ProductRef]) -> int:
        """Add the template's lines (and its diagnoses when none is given yet); returns how
        many lines were added. Lines whose product left the catalogue are skipped."""
        added = 0
        for data in template.lines:
            product = products.get(uuid.UUID(str(data["product_id"])))
            if product is None:
                continue
            self.lines.append(DraftLine.from_line(data, product))
            added += 1
        if not self.diagnoses and template.diagnoses:
            self.diagnoses = [DiagnosisIn(code=d["code"], name=d["name"])
                              for d in template.diagnoses]
        self._changed()
        return added
