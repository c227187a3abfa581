"""The review workstation's reads besides the queue: duty state, history, the hospital's open
tasks and approvals to spot-check (seniors), the pharmacists to reassign to, annotations in the
task; and the live events that take a task off a pharmacist's queue."""

from __future__ import annotations

from typing import Any

from tests.server.clinic import (
    Actor,
    Clinic,
    draft,
    line,
    overrides_for,
    sign_and_submit,
)


async def submit(clinic: Clinic, *, patient: str = "李娜") -> dict[str, Any]:
    doctor = await clinic.actor("doctor_wang")
    product = await clinic.product(doctor, "布洛芬")
    created = await doctor.call("POST", "/prescriptions",
                                json=draft(clinic.patient(patient), line(product)))
    assert created.status_code == 201, created.text
    check = await doctor.call("POST", "/prescriptions/check",
                              json=draft(clinic.patient(patient), line(product)))
    response = await sign_and_submit(doctor, created.json(), overrides=overrides_for(check.json()))
    assert response.status_code == 200, response.text
    return response.json()


async def only_on_duty(clinic: Clinic, username: str) -> dict[str, Actor]:
    """Both H1 pharmacists logged in; everyone but `username` off duty, so tasks go there."""
    actors = {name: await clinic.actor(name) for name in ("pharm_chen", "pharm_liu")}
    for name, actor in actors.items():
        response = await actor.call("POST", "/review/duty", json={"on_duty": name == username})
        assert response.status_code == 200, response.text
    return actors


async def decide(actor: Actor, task: dict[str, Any], decision: str, **reason: str) -> None:
    doc = await actor.call("POST", f"/review/tasks/{task['id']}/decision-document",
                           json={"decision": decision, **reason})
    verb = "approve" if decision == "approved" else "reject"
    response = await actor.call("POST", f"/review/tasks/{task['id']}/{verb}", json={
        "version": task["version"], **actor.sign(doc.json()["document"]), **reason})
    assert response.status_code == 200, response.text


async def first_task(actor: Actor) -> dict[str, Any]:
    queue = (await actor.call("GET", "/review/queue")).json()
    assert queue["items"], "empty queue"
    task: dict[str, Any] = queue["items"][0]["task"]
    return task


async def events_of(actor: Actor) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await actor.call("GET", "/events")).json()["items"]
    return items


class TestDutyState:
    async def test_reads_back_what_was_set(self, clinic: Clinic):
        liu = await clinic.actor("pharm_liu")
        assert (await liu.call("GET", "/review/duty")).json()["on_duty"] is True
        await liu.call("POST", "/review/duty", json={"on_duty": False})
        state = (await liu.call("GET", "/review/duty")).json()
        assert state["on_duty"] is False and state["changed_at"]

    async def test_on_duty_is_true_or_false_not_a_number(self, clinic: Clinic):
        """Found by the fuzz drill: {"on_duty": 0.0} was taken as off duty."""
        liu = await clinic.actor("pharm_liu")
        refused = await liu.call("POST", "/review/duty", json={"on_duty": 0.0})
        assert refused.status_code == 422 and "on_duty" in refused.json()["fields"][0]["field"]
        assert (await liu.call("GET", "/review/duty")).json()["on_duty"] is True


class TestHistory:
    async def test_lists_my_decisions_newest_first_with_time_to_decision(self, clinic: Clinic):
        actors = await only_on_duty(clinic, "pharm_liu")
        liu = actors["pharm_liu"]
        first = await submit(clinic)
        await decide(liu, await first_task(liu), "approved")
        second = await submit(clinic)
        clinic.clock.advance(seconds=90)
        await decide(liu, await first_task(liu), "rejected", reason_code="dose_frequency",
                     reason_text="剂量偏大")
        page = (await liu.call("GET", "/review/history")).json()
        assert page["total"] == 2
        assert [i["prescription_number"] for i in page["items"]] == [second["number"],
                                                                      first["number"]]
        assert page["items"][0]["task"]["decision"] == "rejected"
        assert page["items"][0]["seconds_to_decision"] >= 90
        chen = actors["pharm_chen"]
        assert (await chen.call("GET", "/review/history")).json()["total"] == 0


class TestSeniorLists:
    async def test_open_tasks_of_the_hospital_name_the_assignee(self, clinic: Clinic):
        actors = await only_on_duty(clinic, "pharm_liu")
        rx = await submit(clinic)
        page = (await actors["pharm_chen"].call("GET", "/review/open-tasks")).json()
        assert [i["task"]["prescription_id"] for i in page["items"]] == [rx["id"]]
        assert page["items"][0]["assigned_to_name"] == "刘洋"

    async def test_a_pharmacist_below_supervising_may_not_see_them(self, clinic: Clinic):
        liu = await clinic.actor("pharm_liu")
        response = await liu.call("GET", "/review/open-tasks")
        assert response.status_code == 403
        assert "主管药师" in response.json()["detail"]
        assert (await liu.call("GET", "/review/spot-checks")).status_code == 403

    async def test_spot_checks_list_others_approvals_until_checked(self, clinic: Clinic):
        actors = await only_on_duty(clinic, "pharm_liu")
        liu, chen = actors["pharm_liu"], actors["pharm_chen"]
        rx = await submit(clinic)
        task = await first_task(liu)
        await decide(liu, task, "approved")
        pending = (await chen.call("GET", "/review/spot-checks")).json()
        assert [i["prescription_number"] for i in pending["items"]] == [rx["number"]]
        assert pending["items"][0]["decided_by_name"] == "刘洋"
        response = await chen.call("POST", f"/review/tasks/{task['id']}/spot-check",
                                   json={"result": "error", "note": "剂量未按体重调整"})
        assert response.status_code == 200, response.text
        assert (await chen.call("GET", "/review/spot-checks")).json()["total"] == 0
        done = (await chen.call("GET", "/review/spot-checks",
                                params={"pending": False})).json()
        assert done["items"][0]["task"]["spot_check"] == "error"

    async def test_pharmacists_with_duty_and_load(self, clinic: Clinic):
        await only_on_duty(clinic, "pharm_liu")
        await submit(clinic)
        chen = await clinic.actor("pharm_chen")
        rows = {p["name"]: p for p in (await chen.call("GET", "/review/pharmacists")).json()}
        assert set(rows) == {"陈静", "刘洋"}  # H1's only; 黄志强 is at H2
        assert rows["刘洋"]["on_duty"] is True and rows["刘洋"]["open_tasks"] == 1
        assert rows["陈静"]["on_duty"] is False and rows["陈静"]["open_tasks"] == 0


class TestTaskLeavesTheQueue:
    async def test_reassignment_tells_the_previous_assignee(self, clinic: Clinic):
        actors = await only_on_duty(clinic, "pharm_liu")
        liu, chen = actors["pharm_liu"], actors["pharm_chen"]
        await submit(clinic)
        task = await first_task(liu)
        response = await chen.call("POST", f"/review/tasks/{task['id']}/reassign",
                                   json={"to_user_id": chen.account.id})
        assert response.status_code == 200, response.text
        released = [e for e in await events_of(liu) if e["type"] == "review.task_released"]
        assert [e["payload"]["task_id"] for e in released] == [task["id"]]
        assert released[0]["payload"]["assigned_to_id"] == chen.account.id

    async def test_a_decision_by_another_pharmacist_tells_the_assignee(self, clinic: Clinic):
        actors = await only_on_duty(clinic, "pharm_liu")
        liu, chen = actors["pharm_liu"], actors["pharm_chen"]
        await submit(clinic)
        task = await first_task(liu)
        await decide(chen, task, "approved")
        decided = [e for e in await events_of(liu) if e["type"] == "review.task_decided"]
        assert decided and decided[0]["payload"]["decided_by_id"] == chen.account.id


class TestAnnotationsInTheTask:
    async def test_the_task_detail_lists_annotations_with_their_author(self, clinic: Clinic):
        actors = await only_on_duty(clinic, "pharm_liu")
        liu = actors["pharm_liu"]
        await submit(clinic)
        task = await first_task(liu)
        response = await liu.call("POST", f"/review/tasks/{task['id']}/annotations",
                                  json={"text": "建议餐后服用", "line_no": 1})
        assert response.status_code == 201, response.text
        detail = (await liu.call("GET", f"/review/tasks/{task['id']}")).json()
        assert [(a["text"], a["line_no"], a["author_name"]) for a in detail["annotations"]] == [
            ("建议餐后服用", 1, "刘洋")]
