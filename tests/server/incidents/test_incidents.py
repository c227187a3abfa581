"""Incidents against the contract's clocks, driven by a fake clock: escalation before a clock
runs out, breach when it does, met / missed in the monthly report, audited transitions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.core.clock import FakeClock
from server.incidents.background import escalate_once
from server.settings import Settings
from tests.helpers import audit_rows, sql

# Mid-month in Beijing, well away from the month's edges.
START = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
ON_CALL = "13900000001"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The tests run each escalation round themselves, and move the clock on by hours and days
    # without logging in again.
    month = 31 * 24 * 60
    return settings.model_copy(update={"incident_check_seconds": 3600.0,
                                       "access_token_minutes": month,
                                       "idle_timeout_minutes": month,
                                       "refresh_token_hours": 31 * 24,
                                       "incident_oncall_phones": [ON_CALL]})


async def open_incident(client, headers, **fields):
    body = {"title": "处方提交失败", "severity": "general", "service": "prescribing", **fields}
    r = await client.post("/incidents", headers=headers, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def live_events(db, incident_id):
    return sql(db.owner, "SELECT type, payload->>'clock', roles FROM live_event"
                         " WHERE entity_type = 'incident' AND entity_id = %s ORDER BY id",
               (incident_id,))


class TestSeriousIncidentClocks:
    async def test_escalated_before_and_breached_when_a_clock_runs_out(
            self, app, client, headers_for, clock, db):
        svc = app.state.services
        admin = await headers_for("sysadmin")
        clock._now = opened = START  # logging in moved the clock on by a TOTP step
        incident = await open_incident(client, admin, severity="serious", service="circulation",
                                       title="药店无法接单")
        assert incident["respond"]["due_at"] == "2026-11-10T02:15:00Z"
        assert incident["fix"]["due_at"] == "2026-11-10T03:00:00Z"
        assert incident["respond"]["state"] == "running"

        clock._now = opened.replace(minute=10)  # 5 min of 15 left: not yet a quarter
        assert await escalate_once(svc) == 0
        clock._now = opened.replace(minute=12)  # 3 min left
        assert await escalate_once(svc) == 1
        assert await escalate_once(svc) == 0, "each clock escalates once"
        events = live_events(db, incident["id"])
        assert events[-1][:2] == ("incident.escalated", "respond")
        gateway = svc.notification_gateway
        [text] = [m.text for m in gateway.messages_to(ON_CALL)]
        assert incident["number"] in text and "严重故障" in text
        assert "响应时限 10:15 将到（剩 3 分钟）" in text  # Beijing time on the phone
        assert "system_admin" in events[-1][2]
        shown = (await client.get(f"/incidents/{incident['id']}", headers=admin)).json()
        assert shown["respond"]["state"] == "escalated"
        assert shown["respond"]["remaining_seconds"] == 180

        clock._now = opened.replace(minute=16)
        assert await escalate_once(svc) == 1
        assert live_events(db, incident["id"])[-1][:2] == ("incident.breached", "respond")
        assert "响应时限（10:15）已超时" in gateway.messages_to(ON_CALL)[-1].text
        r = await client.post(f"/incidents/{incident['id']}/respond", headers=admin,
                              json={"note": "已远程登录药店前置机排查"})
        assert r.status_code == 200, r.text
        assert r.json()["respond"]["state"] == "missed"
        assert r.json()["fix"]["state"] == "running"

        clock._now = opened.replace(minute=50)  # 10 of 60 min left
        assert await escalate_once(svc) == 1
        assert live_events(db, incident["id"])[-1][:2] == ("incident.escalated", "fix")
        clock._now = opened.replace(minute=55)
        r = await client.post(f"/incidents/{incident['id']}/resolve", headers=admin,
                              json={"resolution": "重启药店接口服务，订单恢复"})
        assert r.status_code == 200, r.text
        assert r.json()["fix"]["state"] == "met"
        clock._now = opened.replace(hour=4)
        assert await escalate_once(svc) == 0, "a resolved incident no longer escalates"

        timeline = (await client.get(f"/incidents/{incident['id']}", headers=admin)).json()
        assert [e["kind"] for e in timeline["events"]] == [
            "opened", "respond_escalated", "respond_breached", "responded", "fix_escalated",
            "resolved"]
        actions = [row["action"] for row in audit_rows(
            db.owner, "entity_type = 'incident'")]
        assert actions == ["incident.open", "incident.escalate", "incident.escalate",
                           "incident.respond", "incident.escalate", "incident.resolve"]

    async def test_a_clock_run_out_while_nobody_checked_is_breached_at_once(
            self, app, client, headers_for, clock):
        admin = await headers_for("sysadmin")
        incident = await open_incident(client, admin, severity="serious")
        clock.advance(minutes=90)
        gateway = app.state.services.notification_gateway
        gateway.inject_failures(1)
        # The gateway refusing one text does not undo the escalation, nor stop the other.
        assert await escalate_once(app.state.services) == 2  # both clocks breached
        assert len(gateway.messages_to(ON_CALL)) == 1
        shown = (await client.get(f"/incidents/{incident['id']}", headers=admin)).json()
        assert [e["kind"] for e in shown["events"]][1:] == ["fix_breached", "respond_breached"]
        assert shown["respond"]["state"] == shown["fix"]["state"] == "breached"
        assert shown["fix"]["remaining_seconds"] == -30 * 60


class TestTransitions:
    async def test_the_order_of_acknowledge_respond_resolve_is_kept(self, client, headers_for):
        admin = await headers_for("admin_h1")
        incident = await open_incident(client, admin)
        url = f"/incidents/{incident['id']}"
        assert (await client.post(f"{url}/acknowledge", headers=admin, json={})).json()[
            "status"] == "acknowledged"
        again = await client.post(f"{url}/acknowledge", headers=admin, json={})
        assert again.status_code == 409, again.text
        assert again.json()["error"] == "Conflict"
        missing = await client.post(f"{url}/resolve", headers=admin, json={})
        assert missing.status_code == 422
        assert "resolution" in missing.text
        done = await client.post(f"{url}/resolve", headers=admin, json={"resolution": "已修复"})
        assert done.json()["status"] == "resolved"
        # Resolving stopped the response clock too, in time.
        assert done.json()["respond"]["state"] == "met"
        late = await client.post(f"{url}/respond", headers=admin, json={"note": "迟到"})
        assert late.status_code == 409

    async def test_regrading_to_serious_shortens_the_clocks_from_the_opening(
            self, client, headers_for, clock):
        admin = await headers_for("sysadmin")
        incident = await open_incident(client, admin)
        clock.advance(minutes=20)
        r = await client.post(f"/incidents/{incident['id']}/severity", headers=admin,
                              json={"severity": "serious", "reason": "所有医院均无法开方"})
        assert r.status_code == 200, r.text
        assert r.json()["respond"]["due_at"] == incident["respond"]["due_at"].replace(
            "03:00", "02:15")
        assert r.json()["respond"]["state"] == "breached"

    async def test_who_may_record_and_who_may_read(self, client, headers_for, demo):
        auditor = await headers_for("auditor")
        refused = await client.post("/incidents", headers=auditor, json={
            "title": "x", "severity": "general", "service": "other"})
        assert refused.status_code == 403
        incident = await open_incident(client, await headers_for("admin_h1"))
        assert (await client.get(f"/incidents/{incident['id']}",
                                 headers=auditor)).status_code == 200
        doctor = await headers_for("doctor_wang")
        assert (await client.get("/incidents", headers=doctor)).status_code == 403
        # Another hospital's administrator does not see H1's incident.
        other = await client.post("/incidents", headers=await headers_for("admin_h1"), json={
            "title": "x", "severity": "general", "service": "other",
            "org_id": demo.organisations["H2"]})
        assert other.status_code == 403, other.text
        bad = await client.post("/incidents", headers=await headers_for("admin_h1"), json={
            "title": "x", "severity": "fatal", "service": "other"})
        assert bad.status_code == 422 and "severity" in bad.text


class TestMonthlyReport:
    async def test_clocks_met_and_missed_by_severity_in_the_beijing_month(
            self, client, headers_for, clock):
        admin = await headers_for("sysadmin")
        in_time = await open_incident(client, admin, title="按时")
        clock.advance(minutes=30)
        await client.post(f"/incidents/{in_time['id']}/resolve", headers=admin,
                          json={"resolution": "ok"})
        late = await open_incident(client, admin, title="响应超时")
        clock.advance(minutes=70)
        await client.post(f"/incidents/{late['id']}/respond", headers=admin,
                          json={"note": "开始处理"})
        forgotten = await open_incident(client, admin, severity="serious", title="无人处理")
        clock.advance(hours=3)
        running = await open_incident(client, admin, title="刚登记")
        # 2026-11-30 17:00 UTC is already 1 December in Beijing.
        clock._now = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
        await open_incident(client, admin, title="十二月的")

        r = await client.get("/incidents/report", headers=admin, params={"month": "2026-11"})
        assert r.status_code == 200, r.text
        report = r.json()
        general, serious = report["severities"]
        assert general["severity"] == "general" and general["total"] == 3
        # The one opened last, never handled, has run out by now (30 November).
        assert general["respond"] == {"met": 1, "missed": 2, "running": 0}
        assert general["fix"] == {"met": 1, "missed": 2, "running": 0}
        assert serious["total"] == 1
        assert serious["respond"] == serious["fix"] == {"met": 0, "missed": 1, "running": 0}
        missed = {m["number"]: m["missed"] for m in report["missed"]}
        assert missed == {late["number"]: ["respond", "fix"],
                          forgotten["number"]: ["respond", "fix"],
                          running["number"]: ["respond", "fix"]}
        december = (await client.get("/incidents/report", headers=admin,
                                     params={"month": "2026-12"})).json()
        assert december["severities"][0]["total"] == 1
        assert december["severities"][0]["respond"]["running"] == 1
        wrong = await client.get("/incidents/report", headers=admin, params={"month": "2026-13"})
        assert wrong.status_code == 422 and "month" in wrong.text
        # Year 0000 matched the pattern and was a 500 (found by the fuzz drill).
        year_zero = await client.get("/incidents/report", headers=admin,
                                     params={"month": "0000-01"})
        assert year_zero.status_code == 422 and "month" in year_zero.text
