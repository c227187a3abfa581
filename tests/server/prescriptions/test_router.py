"""Prescribing and review through the HTTP API, against the seeded group, catalogue and
knowledge: checks, signatures, submission, review tasks, decisions and the lifecycle."""

from __future__ import annotations

import asyncio

from tests.helpers import sql
from tests.server.clinic import (
    Clinic,
    decide,
    draft,
    line,
    overrides_for,
    review_task,
    sign_and_submit,
    submitted,
)


class TestWarningsWhilePrescribing:
    async def test_penicillin_allergy_with_amoxicillin_is_a_blocking_hit(self, clinic: Clinic):
        doctor = await clinic.actor("doctor_wang")
        amoxicillin = await clinic.product(doctor, "amxl", "0.25g")
        assert amoxicillin["generic_name"].startswith("阿莫西林")
        response = await doctor.call("POST", "/prescriptions/check", json=draft(
            clinic.patient("吴敏"), line(amoxicillin, dose="2")))
        assert response.status_code == 200, response.text
        body = response.json()
        allergy = [i for i in body["issues"] if i["kind"] == "allergy"]
        assert allergy and allergy[0]["level"] == 3 and allergy[0]["lines"] == [1]
        assert body["blocking"] is True

    async def test_the_same_drug_for_a_patient_without_the_allergy_is_clean(self, clinic):
        doctor = await clinic.actor("doctor_wang")
        amoxicillin = await clinic.product(doctor, "amxl", "0.25g")
        response = await doctor.call("POST", "/prescriptions/check", json=draft(
            clinic.patient("李娜"), line(amoxicillin, dose="2")))
        assert [i for i in response.json()["issues"] if i["kind"] == "allergy"] == []

    async def test_aspirin_for_a_patient_on_warfarin_is_an_interaction(self, clinic: Clinic):
        doctor = await clinic.actor("doctor_wang")
        aspirin = await clinic.product(doctor, "阿司匹林", "100mg")
        response = await doctor.call("POST", "/prescriptions/check", json=draft(
            clinic.patient("刘洋"), line(aspirin, frequency="qd")))
        hits = [i for i in response.json()["issues"] if i["kind"] == "interaction"]
        assert hits and "华法林" in hits[0]["message"]

    async def test_narcotics_may_not_circulate(self, clinic: Clinic):
        doctor = await clinic.actor("doctor_wang")
        morphine = await clinic.product(doctor, "吗啡")
        response = await doctor.call("POST", "/prescriptions/check", json=draft(
            clinic.patient("李娜"), line(morphine)))
        rules = {i["rule_id"] for i in response.json()["issues"]}
        assert "rx.non_circulating" in rules


class TestSubmission:
    async def test_blocked_prescription_cannot_be_submitted(self, clinic: Clinic):
        doctor = await clinic.actor("doctor_wang")
        amoxicillin = await clinic.product(doctor, "amxl", "0.25g")
        created = (await doctor.call("POST", "/prescriptions", json=draft(
            clinic.patient("吴敏"), line(amoxicillin, dose="2")))).json()
        response = await sign_and_submit(doctor, created)
        assert response.status_code == 422
        assert response.json()["error"] == "SubmissionBlocked"

    async def test_warnings_need_an_override_reason(self, clinic: Clinic):
        doctor = await clinic.actor("doctor_wang")
        aspirin = await clinic.product(doctor, "阿司匹林", "100mg")
        created = (await doctor.call("POST", "/prescriptions", json=draft(
            clinic.patient("刘洋"), line(aspirin, frequency="qd")))).json()
        refused = await sign_and_submit(doctor, created)
        assert refused.status_code == 422 and refused.json()["error"] == "OverrideRequired"
        check = await doctor.call("POST", "/prescriptions/check", json=draft(
            clinic.patient("刘洋"), line(aspirin, frequency="qd")))
        accepted = await sign_and_submit(doctor, created, overrides=overrides_for(check.json()))
        assert accepted.status_code == 200, accepted.text
        stored = [i for i in accepted.json()["issues"] if i["override_reason"]]
        assert stored and stored[0]["overridden_by"] == doctor.account.display_name

    async def test_submit_signs_checks_and_opens_an_assigned_review_task(self, clinic: Clinic):
        rx = await submitted(clinic)
        assert rx["status"] == "under_review"
        assert rx["signature"]["algorithm"] == "sm2-sm3"
        assert [t["to_status"] for t in rx["transitions"]] == [
            "submitted", "auto_checked", "under_review"]
        assert rx["review"]["status"] == "open"
        pharmacists = [await clinic.actor(u) for u in ("pharm_chen", "pharm_liu")]
        queues = [(await p.call("GET", "/review/queue")).json() for p in pharmacists]
        assert sum(q["total"] for q in queues) == 1

    async def test_the_submit_answer_is_the_prescription_as_stored(self, clinic: Clinic):
        # The answer is built from what submit wrote, not read back: it must still be exactly
        # what a later read returns (a prescription with warnings, so issues are compared too).
        rx = await submitted(clinic, query="布洛芬", dose="2", frequency="qid")
        assert rx["issues"], "a dose above the range gives at least one warning"
        doctor = await clinic.actor("doctor_wang")
        stored = (await doctor.call("GET", f"/prescriptions/{rx['id']}")).json()
        assert rx == stored

    async def test_a_wrong_signature_is_refused(self, clinic: Clinic):
        doctor = await clinic.actor("doctor_wang")
        other = await clinic.actor("doctor_li")
        product = await clinic.product(doctor, "布洛芬")
        created = (await doctor.call("POST", "/prescriptions", json=draft(
            clinic.patient("李娜"), line(product)))).json()
        doc = (await doctor.call("GET", f"/prescriptions/{created['id']}/signing-document")).json()
        response = await doctor.call("POST", f"/prescriptions/{created['id']}/submit", json={
            "version": created["version"], **other.sign(doc["document"]), "overrides": []})
        assert response.status_code == 422
        assert response.json()["error"] in ("SignatureInvalid", "OverrideRequired")


class TestReview:
    async def test_approval_moves_the_prescription_on(self, clinic: Clinic):
        rx = await submitted(clinic)
        pharmacist, task = await review_task(clinic, rx)
        response = await decide(pharmacist, task, "approved")
        assert response.status_code == 200, response.text
        doctor = await clinic.actor("doctor_wang")
        after = (await doctor.call("GET", f"/prescriptions/{rx['id']}")).json()
        assert after["status"] == "awaiting_patient_choice"
        assert after["review"]["decision"] == "approved"

    async def test_rejection_reaches_the_doctor_who_revises_and_resubmits(self, clinic: Clinic):
        rx = await submitted(clinic)
        pharmacist, task = await review_task(clinic, rx)
        response = await decide(pharmacist, task, "rejected", reason_code="dose_frequency",
                                      reason_text="剂量偏大，请调整为每日两次")
        assert response.status_code == 200, response.text
        doctor = await clinic.actor("doctor_wang")
        after = (await doctor.call("GET", f"/prescriptions/{rx['id']}")).json()
        assert after["status"] == "rejected"
        assert "每日两次" in after["transitions"][-1]["reason"]
        product = await clinic.product(doctor, "布洛芬")
        revised = await doctor.call("PUT", f"/prescriptions/{rx['id']}", json={
            "version": after["version"], "visit_type": "outpatient",
            "diagnoses": after["diagnoses"], "lines": [line(product, frequency="bid")]})
        assert revised.status_code == 200, revised.text
        check = await doctor.call("POST", "/prescriptions/check", json=draft(
            clinic.patient("李娜"), line(product, frequency="bid")))
        again = await sign_and_submit(doctor, revised.json(), overrides=overrides_for(check.json()))
        assert again.status_code == 200, again.text
        assert again.json()["revision"] == 2 and again.json()["status"] == "under_review"

    async def test_two_pharmacists_approving_at_once_one_wins(self, clinic: Clinic):
        rx = await submitted(clinic)
        _, task = await review_task(clinic, rx)
        chen, liu = await clinic.actor("pharm_chen"), await clinic.actor("pharm_liu")
        results = await asyncio.gather(decide(chen, task, "approved"),
                                       decide(liu, task, "approved"))
        codes = sorted(r.status_code for r in results)
        assert codes == [200, 409], [r.text for r in results]

    async def test_tampered_prescription_fails_verification_and_cannot_be_approved(
            self, clinic: Clinic, db):
        rx = await submitted(clinic)
        sql(db.owner, "UPDATE prescription_line SET dose = dose * 10 WHERE prescription_id = %s",
            (rx["id"],))
        pharmacist, task = await review_task(clinic, rx)
        detail = (await pharmacist.call("GET", f"/review/tasks/{task['id']}")).json()
        assert detail["signature_valid"] is False
        response = await decide(pharmacist, task, "approved")
        assert response.status_code == 422
        assert response.json()["error"] == "SignatureInvalid"


class TestVoidAndReissue:
    async def test_void_needs_a_reason_and_cancels_the_task(self, clinic: Clinic):
        rx = await submitted(clinic)
        doctor = await clinic.actor("doctor_wang")
        response = await doctor.call("POST", f"/prescriptions/{rx['id']}/void",
                                     json={"version": rx["version"], "reason": "患者拒绝用药"})
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "voided"
        assert response.json()["review"]["status"] == "cancelled"

    async def test_reissue_links_a_new_draft_to_the_voided_one(self, clinic: Clinic):
        rx = await submitted(clinic)
        doctor = await clinic.actor("doctor_wang")
        response = await doctor.call("POST", f"/prescriptions/{rx['id']}/reissue",
                                     json={"version": rx["version"], "reason": "剂型调整"})
        assert response.status_code == 201, response.text
        new = response.json()
        assert new["status"] == "draft" and new["supersedes_id"] == rx["id"]
        old = (await doctor.call("GET", f"/prescriptions/{rx['id']}")).json()
        assert old["status"] == "voided"


class TestDuty:
    async def test_going_off_duty_hands_open_tasks_to_another_pharmacist(self, clinic: Clinic):
        rx = await submitted(clinic)
        pharmacist, task = await review_task(clinic, rx)
        response = await pharmacist.call("POST", "/review/duty", json={"on_duty": False})
        assert response.status_code == 200 and response.json()["tasks_moved"] == 1
        assert (await pharmacist.call("GET", "/review/queue")).json()["total"] == 0
        _, moved = await review_task(clinic, rx)
        assert moved["assigned_to_id"] != task["assigned_to_id"]


class TestDoctorList:
    async def test_lists_own_prescriptions_newest_first(self, clinic: Clinic):
        first = await submitted(clinic)
        second = await submitted(clinic, patient="张伟")
        doctor = await clinic.actor("doctor_wang")
        page = (await doctor.call("GET", "/prescriptions", params={"limit": 10})).json()
        assert [item["id"] for item in page["items"][:2]] == [second["id"], first["id"]]
        # Whose each one is: the doctor sees the name in clear (the masking policy).
        assert [item["patient_name"] for item in page["items"][:2]] == ["张伟", "李娜"]
        assert page["total"] == 2 and page["total_exact"] is True
        other = await clinic.actor("doctor_li")
        assert (await other.call("GET", "/prescriptions")).json()["total"] == 0
