"""The review presenter without Qt, against the real server: what the screen shows of a task,
the decision's form rules, and how a failed decision is told apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from client_pharmacist.review import (
    Decision,
    DecisionProblem,
    FailureKind,
    classify,
    load_review,
    prepare,
)
from common.api import errors
from server.seed.demo import DemoGroup
from tests.client_pharmacist.prescribing import (
    only_on_duty,
    queue_item,
    submit_warfarin_patient_aspirin,
)

pytestmark = pytest.mark.slow


class TestLoadReview:
    def test_the_interaction_patient_and_reference_data(self, staff, demo: DemoGroup):
        liu = only_on_duty(staff, "pharm_liu")["pharm_liu"]
        rx = submit_warfarin_patient_aspirin(demo, staff("doctor_wang"))
        item = queue_item(liu, rx)
        assert item is not None
        view = load_review(liu.api, item.task.id)
        assert view.number == rx.number and view.signature_valid
        assert view.patient.name == "刘*" and view.patient.id_number != next(
            p["id_number"] for p in demo.patients if p["name"] == "刘洋")
        assert view.patient.allergies is None  # nothing recorded: not "no known allergies"
        assert any("华法林" in m for m in view.patient.current_medications)
        interaction = [h for h in view.checks if "华法林" in h.message]
        assert interaction and interaction[0].level == 2
        assert interaction[0].override_reason == "已评估，获益大于风险"
        assert interaction[0].subject.startswith("第1行 阿司匹林")
        assert view.line_levels[1] == 2
        assert [r.generic_name for r in view.references] == [view.lines[0].generic_name]
        assert view.references[0].manufacturer

    def test_the_deadline_counts_down_on_a_workstation_clock_that_is_off(self, staff,
                                                                        demo: DemoGroup):
        liu = only_on_duty(staff, "pharm_liu")["pharm_liu"]
        rx = submit_warfarin_patient_aspirin(demo, staff("doctor_wang"))
        item = queue_item(liu, rx)
        assert item is not None
        years_behind = datetime(2020, 1, 1, tzinfo=UTC)
        view = load_review(liu.api, item.task.id, lambda: years_behind)
        # The outpatient limit (15 minutes) from the server's seconds, on the desk's clock.
        assert timedelta(minutes=14) < view.deadline - years_behind <= timedelta(minutes=15)
        assert all(h.source != "rational_use" for h in view.checks)

    def test_the_document_to_sign_is_fresh_and_names_the_decision(self, staff, demo):
        liu = only_on_duty(staff, "pharm_liu")["pharm_liu"]
        rx = submit_warfarin_patient_aspirin(demo, staff("doctor_wang"))
        item = queue_item(liu, rx)
        assert item is not None
        decision = Decision("rejected", reason_code="interaction", reason_text=" 出血风险 ")
        document = prepare(liu.api, item.task.id, decision).document
        assert document["decision"] == "rejected" and document["reason_text"] == "出血风险"
        assert document["prescription_number"] == rx.number


class TestDecision:
    def test_a_rejection_needs_a_reason_and_a_text(self):
        assert Decision("approved").problems() == []
        assert Decision("rejected").problems() == [DecisionProblem.NO_REASON,
                                                  DecisionProblem.SHORT_TEXT]
        assert Decision("rejected", "dose_frequency", " x ").problems() == [
            DecisionProblem.SHORT_TEXT]
        assert Decision("rejected", "dose_frequency", "剂量偏大").problems() == []

    @pytest.mark.parametrize(("error", "kind"), [
        (errors.Conflict("该审核任务已被其他药师处理"), FailureKind.TAKEN),
        (errors.VersionConflict(), FailureKind.TAKEN),
        (errors.ServerUnavailable(), FailureKind.OFFLINE),
        (errors.NoCertificate(), FailureKind.NO_CERTIFICATE),
        (errors.SignatureInvalid(), FailureKind.SIGNATURE),
        (errors.NotPermitted(), FailureKind.NOT_PERMITTED),
        (errors.SessionLocked(), FailureKind.SESSION),
        (errors.ValidationFailed(), FailureKind.REFUSED),
    ])
    def test_failures_are_told_apart(self, error: errors.ApiError, kind: FailureKind):
        assert classify(error) is kind
