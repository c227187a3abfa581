"""ApiClient against the real server (uvicorn on a thread): typed answers for the prescribing
and review journey, and each kind of error answer as its exception with a Chinese message."""

from __future__ import annotations

import uuid

import pytest

from common.api import ApiClient, RetryPolicy, errors
from common.api.models import DraftIn, DraftUpdate, ReviewTask, TemplateIn
from installers.pgcluster import free_port
from tests.clients import Staff, draft, patient_id, sign_and_submit

pytestmark = pytest.mark.slow


def task_for(staff, prescription_id: uuid.UUID) -> tuple[Staff, ReviewTask]:
    """The pharmacist the review task went to, and the task."""
    for username in ("pharm_chen", "pharm_liu"):
        pharmacist = staff(username)
        for item in pharmacist.api.review_queue().items:
            if item.task.prescription_id == prescription_id:
                return pharmacist, item.task
    raise AssertionError("no pharmacist holds the review task")


class TestPrescribing:
    def test_login_me_search_and_patient_context(self, staff, demo):
        doctor = staff("doctor_wang")
        me = doctor.api.me()
        assert me.name == doctor.account.display_name and "doctor" in me.roles
        page = doctor.api.search_catalogue("amxl")
        assert page.items and page.items[0].generic_name.startswith("阿莫西林")
        context = doctor.api.patient_context(patient_id(demo, "吴敏"))
        assert context.patient.view == "masked"
        assert any(a.allergen_class == "penicillins" for a in context.allergies)

    def test_check_shows_the_allergy_as_blocking(self, staff, demo):
        doctor = staff("doctor_wang")
        result = doctor.api.check_prescription(draft(demo, doctor.api, patient="吴敏",
                                                     query="amxl"))
        assert result.blocking
        assert any(i.kind == "allergy" and i.level == 3 for i in result.issues)

    def test_draft_update_list_submit_void_and_reissue(self, staff, demo):
        doctor = staff("doctor_wang")
        body = draft(demo, doctor.api)
        created = doctor.api.create_draft(body)
        assert created.status == "draft" and created.lines[0].generic_name.startswith("布洛芬")
        updated = doctor.api.update_draft(created.id, DraftUpdate(
            version=created.version, diagnoses=body.diagnoses, lines=body.lines,
            notes="饭后服用"))
        assert updated.notes == "饭后服用" and updated.version > created.version
        mine = doctor.api.list_my_prescriptions(status="draft")
        assert created.id in [p.id for p in mine.items]
        submitted = sign_and_submit(doctor, body, updated)
        assert submitted.status == "under_review" and submitted.signature is not None
        assert doctor.api.get_prescription(created.id).status == "under_review"
        voided = doctor.api.void_prescription(created.id, version=submitted.version,
                                              reason="患者要求更换药品")
        assert voided.status == "voided"
        again = staff("doctor_wang").api.create_draft(body)
        reissued = doctor.api.reissue_prescription(again.id, version=again.version,
                                                   reason="剂量调整后重开")
        assert reissued.supersedes_id == again.id and reissued.status == "draft"

    def test_templates(self, staff, demo):
        doctor = staff("doctor_wang")
        body = draft(demo, doctor.api)
        made = doctor.api.create_template(TemplateIn(name="咽炎常用", diagnoses=body.diagnoses,
                                                     lines=body.lines))
        assert made.name in [t.name for t in doctor.api.list_templates()]
        doctor.api.delete_template(made.id)
        assert made.id not in [t.id for t in doctor.api.list_templates()]


class TestReview:
    def test_duty_queue_task_annotate_and_approve(self, staff, demo):
        doctor = staff("doctor_wang")
        body = draft(demo, doctor.api)
        rx = sign_and_submit(doctor, body, doctor.api.create_draft(body))
        pharmacist, task = task_for(staff, rx.id)
        detail = pharmacist.api.review_task(task.id)
        assert detail.signature_valid and detail.prescription.id == rx.id
        note = pharmacist.api.annotate(task.id, "注意胃肠道反应", line_no=1)
        assert note.line_no == 1
        document = pharmacist.api.decision_document(task.id, "approved")
        assert document.document == detail.decision_documents["approved"]
        signature, algorithm = pharmacist.sign(document.document)
        decided = pharmacist.api.approve(task.id, version=task.version, signature=signature,
                                         algorithm=algorithm)
        assert decided.decision == "approved"
        assert doctor.api.get_prescription(rx.id).status == "awaiting_patient_choice"
        # A second decision on the same task, as a new request: the server says no.
        with pytest.raises(errors.Conflict) as refused:
            pharmacist.api.approve(task.id, version=decided.version, signature=signature,
                                   algorithm=algorithm)
        assert "已处理" in refused.value.message
        off = pharmacist.api.set_duty(False)
        assert off.on_duty is False

    def test_reject_with_a_reason(self, staff, demo):
        doctor = staff("doctor_wang")
        body = draft(demo, doctor.api)
        rx = sign_and_submit(doctor, body, doctor.api.create_draft(body))
        pharmacist, task = task_for(staff, rx.id)
        code = next(iter(pharmacist.api.rejection_reasons()))
        document = pharmacist.api.decision_document(task.id, "rejected", reason_code=code,
                                                    reason_text="剂量偏大")
        signature, algorithm = pharmacist.sign(document.document)
        decided = pharmacist.api.reject(task.id, version=task.version, signature=signature,
                                        algorithm=algorithm, reason_code=code,
                                        reason_text="剂量偏大")
        assert decided.decision == "rejected"
        assert doctor.api.get_prescription(rx.id).status == "rejected"


class TestErrors:
    def test_422_is_validation_failed_naming_the_field(self, staff, demo):
        doctor = staff("doctor_wang")
        body = draft(demo, doctor.api).model_dump()
        body["diagnoses"][0]["code"] = "咽炎"
        body["lines"][0]["frequency"] = "每天七次"
        with pytest.raises(errors.ValidationFailed) as failed:
            doctor.api.create_draft(DraftIn.model_validate(body))
        error = failed.value
        assert error.status == 422 and error.code == "ValidationFailed"
        paths = {f.path for f in error.fields}
        assert paths == {"body.diagnoses.0.code", "body.lines.0.frequency"}
        assert error.field in paths
        assert error.messages_for("diagnoses.0.code") == ["格式不正确"]
        assert "未知的给药频次" in error.messages_for("lines.0.frequency")[0]

    def test_stale_version_is_a_conflict(self, staff, demo):
        doctor = staff("doctor_wang")
        body = draft(demo, doctor.api)
        created = doctor.api.create_draft(body)
        update = DraftUpdate(version=created.version, diagnoses=body.diagnoses,
                             lines=body.lines, notes="第一次修改")
        doctor.api.update_draft(created.id, update)
        with pytest.raises(errors.Conflict) as conflict:
            doctor.api.update_draft(created.id, update)  # the version read before
        assert isinstance(conflict.value, errors.VersionConflict)
        assert conflict.value.status == 409 and "已被他人修改" in conflict.value.message

    def test_business_rule_refusal_names_its_class(self, staff, demo):
        doctor = staff("doctor_wang")
        body = draft(demo, doctor.api, patient="吴敏", query="amxl")
        created = doctor.api.create_draft(body)
        with pytest.raises(errors.SubmissionBlocked) as blocked:
            sign_and_submit(doctor, body, created)
        assert isinstance(blocked.value, errors.ValidationFailed)
        assert "禁忌" in blocked.value.message

    def test_not_found_and_not_permitted(self, staff):
        doctor = staff("doctor_wang")
        with pytest.raises(errors.NotFound):
            doctor.api.get_prescription(uuid.uuid4())
        with pytest.raises(errors.NotPermitted) as refused:
            doctor.api.review_queue()
        assert refused.value.status == 403 and "权限" in refused.value.message

    def test_wrong_password_and_missing_code(self, api, demo):
        account = demo.account("doctor_wang")
        with pytest.raises(errors.InvalidCredentials) as wrong:
            api.login(account.username, "not-the-password", "000000")
        assert wrong.value.message == "用户名、密码或动态验证码错误"
        with pytest.raises(errors.SecondFactorRequired):
            api.login(account.username, account.password, None)

    def test_no_token_is_not_authenticated(self, api):
        with pytest.raises(errors.NotAuthenticated):
            api.me()


class TestUnreachable:
    def test_refused_connection_is_server_unavailable_after_bounded_back_off(self):
        waits: list[float] = []
        policy = RetryPolicy(attempts=5, base_delay=0.1, factor=2.0, max_delay=0.3, jitter=0)
        with ApiClient(f"http://127.0.0.1:{free_port()}", retry=policy,
                       sleep=waits.append) as api, pytest.raises(errors.ServerUnavailable) as err:
            api.login("doctor_wang", "password", "123456")
        assert waits == [0.1, 0.2, 0.3, 0.3]
        assert err.value.status is None and "无法连接服务器" in err.value.message
