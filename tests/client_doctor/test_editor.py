"""The prescription editor's logic without Qt or a server: defaults from the catalogue entry,
typed values, what is sent, stale answers dropped, the server's complaints on the right line,
and whether it may be signed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from client_doctor.editor import (
    FieldValueError,
    PrescriptionEditor,
    ProductRef,
    Readiness,
    count_unit,
    default_route,
    diagnoses_text,
    dose_units,
    parse_diagnoses,
)
from common.api import errors
from common.api.models import CheckResult, DiagnosisIn, Issue, Prescription, Template

AMLODIPINE = ProductRef(uuid.uuid4(), "苯磺酸氨氯地平片", "5mg", "7片/盒", "盒", "片剂")
CREAM = ProductRef(uuid.uuid4(), "莫匹罗星软膏", "2%", "5g/支", "支", "软膏剂")
HYPERTENSION = DiagnosisIn(code="I10", name="原发性高血压")


def editor(*products: ProductRef) -> PrescriptionEditor:
    made = PrescriptionEditor(uuid.uuid4(), diagnoses=[HYPERTENSION])
    for product in products:
        made.add_product(product)
    return made


def issue(level: int, *, key: str = "k1", needs_override: bool = False) -> Issue:
    return Issue(key=key, source="rules", kind="dose", level=level, severity="x", lines=[1],
                 message="剂量偏大", needs_override=needs_override)


def prescription(draft: PrescriptionEditor, *, version: int = 1, quantity: int = 2) -> Prescription:
    now = datetime.now(UTC)
    lines: list[dict[str, Any]] = [{
        "line_no": n, "product_id": x.product.id, "item_type": "drug",
        "generic_name": x.product.generic_name, "specification": x.product.specification,
        "drug_class": "ordinary", "dose": x.dose, "dose_unit": x.dose_unit, "route": x.route,
        "frequency": x.frequency, "days": x.days, "quantity": quantity, "unit": "盒",
        "unit_price": "6.90", "amount": Decimal("6.90") * quantity, "skin_test": False}
        for n, x in enumerate(draft.lines, start=1)]
    return Prescription.model_validate({
        "id": uuid.uuid4(), "number": "RX1", "version": version, "status": "draft",
        "status_label": "草稿", "patient_id": draft.patient_id, "doctor_id": uuid.uuid4(),
        "org_id": uuid.uuid4(), "department_id": uuid.uuid4(), "visit_type": "outpatient",
        "diagnoses": [{"code": "I10", "name": "原发性高血压"}], "validity_days": 1,
        "herbal": False, "total_amount": "13.80", "revision": 0, "created_at": now,
        "lines": lines})


class TestDefaults:
    def test_units_routes_from_the_catalogue_entry(self):
        assert count_unit("24粒/盒") == "粒" and count_unit("盒") is None
        assert dose_units(AMLODIPINE) == ["片", "mg", "盒"]
        assert default_route("注射剂") == "静脉滴注" and default_route("软膏剂") == "外用"
        assert default_route(None) == "口服"
        line = editor(AMLODIPINE).lines[0]
        assert (line.dose, line.dose_unit, line.route, line.frequency, line.days) == (
            Decimal(1), "片", "口服", "tid", 3)
        assert editor(CREAM).lines[0].route == "外用"

    def test_diagnoses_are_code_and_name(self):
        found, bad = parse_diagnoses("j02.9 急性咽炎；I10 原发性高血压；咳嗽")
        assert found == [DiagnosisIn(code="J02.9", name="急性咽炎"), HYPERTENSION]
        assert bad == ["咳嗽"]
        assert diagnoses_text(found) == "J02.9 急性咽炎；I10 原发性高血压"


class TestTyping:
    def test_values_are_parsed_and_bad_ones_refused_in_chinese(self):
        draft = editor(AMLODIPINE)
        draft.set_field(0, "dose", "0.5")
        draft.set_field(0, "frequency", "QD 每日一次")
        draft.set_field(0, "days", "14")
        line = draft.lines[0]
        assert (line.dose, line.frequency, line.days) == (Decimal("0.5"), "qd", 14)
        for name, value, message in (("dose", "abc", "不是数字"), ("dose", "0", "大于0"),
                                     ("days", "1.5", "不是整数"), ("frequency", "每天", "未知")):
            with pytest.raises(FieldValueError, match=message):
                draft.set_field(0, name, value)

    def test_every_change_is_a_new_generation(self):
        draft = editor(AMLODIPINE)
        before = draft.generation
        draft.set_field(0, "route", "舌下含服")
        draft.remove_line(0)
        assert draft.generation == before + 2


class TestWhatIsSent:
    def test_incomplete_content_sends_nothing(self):
        draft = editor(AMLODIPINE)
        draft.set_field(0, "days", "")
        assert draft.body() is None and draft.save_call() is None
        assert draft.readiness is Readiness.INCOMPLETE
        no_diagnosis = PrescriptionEditor(uuid.uuid4())
        no_diagnosis.add_product(AMLODIPINE)
        assert no_diagnosis.readiness is Readiness.NO_DIAGNOSIS

    def test_create_then_update_with_the_saved_version(self):
        draft = editor(AMLODIPINE)
        call = draft.save_call()
        assert call is not None and call[0] == "create"
        assert call[1].lines[0].dose_unit == "片"
        saved = prescription(draft, version=3)
        draft.apply_saved(draft.generation, saved)
        assert draft.save_call() is None and draft.up_to_date_on_server
        assert draft.lines[0].quantity == 2 and draft.total == Decimal("13.80")
        draft.set_field(0, "days", "7")
        call = draft.save_call()
        assert call is not None and call[0] == "update"
        assert call[1] == saved.id and call[2].version == 3 and call[2].lines[0].days == 7

    def test_a_stale_save_keeps_the_id_but_not_the_quantities(self):
        draft = editor(AMLODIPINE)
        generation = draft.generation
        draft.set_field(0, "days", "7")
        draft.apply_saved(generation, prescription(draft, quantity=9))
        assert draft.saved is not None and draft.lines[0].quantity is None
        assert not draft.up_to_date_on_server


class TestChecks:
    def test_a_stale_check_is_dropped(self):
        draft = editor(AMLODIPINE)
        generation = draft.generation
        draft.set_field(0, "days", "7")
        assert not draft.apply_check(generation, CheckResult(issues=[issue(3)], blocking=True))
        assert draft.warnings == [] and draft.readiness is Readiness.CHECKING

    def test_black_blocks_and_others_need_a_reason(self):
        draft = editor(AMLODIPINE)
        draft.apply_check(draft.generation, CheckResult(issues=[issue(3)], blocking=True))
        assert draft.blocking and draft.readiness is Readiness.BLOCKED
        draft.set_field(0, "days", "7")
        draft.apply_check(draft.generation, CheckResult(
            issues=[issue(2, needs_override=True), issue(1, key="k2")], blocking=False))
        assert draft.readiness is Readiness.NEEDS_OVERRIDE
        assert [i.key for i in draft.overrides_needed()] == ["k1"]
        draft.set_override("k1", "已评估")
        assert draft.readiness is Readiness.READY
        assert [o.key for o in draft.overrides_given()] == ["k1"]

    def test_the_servers_complaint_lands_on_the_line_it_names(self):
        draft = editor(AMLODIPINE, CREAM)
        rule = errors.ValidationFailed("第2行：剂量单位不能换算", field="lines.2.dose_unit")
        draft.apply_check_failure(draft.generation, rule)
        assert draft.lines[0].error is None and "不能换算" in (draft.lines[1].error or "")
        assert draft.readiness is Readiness.INVALID
        schema = errors.ValidationFailed("x", fields=[errors.FieldProblem(
            "body.lines.0.frequency", "未知的给药频次")])
        draft.set_field(1, "dose_unit", "g")
        draft.apply_check_failure(draft.generation, schema)
        assert draft.lines[0].error == "未知的给药频次" and draft.lines[1].error is None


class TestStartingPoints:
    def test_template_round_trip(self):
        draft = editor(AMLODIPINE)
        body = draft.template_in("高血压常用", "department")
        assert body.scope == "department" and len(body.lines) == 1
        template = Template.model_validate({
            "id": uuid.uuid4(), "version": 1, "name": body.name, "scope": body.scope,
            "diagnoses": [d.model_dump() for d in body.diagnoses],
            "lines": [x.model_dump(mode="json") for x in body.lines]})
        fresh = PrescriptionEditor(uuid.uuid4())
        assert fresh.apply_template(template, {AMLODIPINE.id: AMLODIPINE}) == 1
        assert fresh.diagnoses == [HYPERTENSION] and fresh.lines[0].product == AMLODIPINE
        assert fresh.apply_template(template, {}) == 0  # product left the catalogue

    def test_revise_a_rejected_prescription(self):
        rx = prescription(editor(AMLODIPINE), version=5)
        revised = PrescriptionEditor.revise(rx, {AMLODIPINE.id: AMLODIPINE})
        assert revised.saved is rx and revised.up_to_date_on_server
        assert revised.lines[0].quantity == 2 and revised.diagnoses == [HYPERTENSION]
        revised.set_field(0, "days", "2")
        call = revised.save_call()
        assert call is not None and call[0] == "update" and call[2].version == 5
