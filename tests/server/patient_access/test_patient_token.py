"""What a patient access token opens: the patient's own masked identity and, through
PatientScope, their own prescriptions (one only, for a slip); never a staff route."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from server.core.context import RequestContext
from server.core.errors import NotPermitted
from server.identity.auth_service import authenticate
from server.patient_access.scope import patient_scope
from server.prescriptions.models import Prescription
from tests.server.patient_access.conftest import bearer, client_headers, submitted_prescription


async def card_token(client, demo, patient) -> str:
    kiosk = await client_headers(client, demo, "kiosk-h1-01")
    r = await client.post("/patient-access/card", headers=kiosk, json={
        "card_type": "insurance", "card_number": patient["insurance_card"]})
    assert r.status_code == 200, r.text
    token: str = r.json()["access_token"]
    return token


async def slip_token(clinic, client, rx) -> str:
    doctor = await clinic.actor("doctor_wang")
    code = (await doctor.call("GET", f"/prescriptions/{rx['id']}/slip")).json()["code"]
    r = await client.post("/patient-access/slip", json={"code": code})
    assert r.status_code == 200, r.text
    token: str = r.json()["access_token"]
    return token


class TestMe:
    async def test_the_patients_own_identity_masked(self, client, demo, li_na):
        r = await client.get("/patient/me", headers=bearer(await card_token(client, demo, li_na)))
        assert r.status_code == 200, r.text
        me = r.json()
        assert me["name"] == "李*"
        assert me["id_number"] == li_na["id_number"][:3] + "*" * 11 + li_na["id_number"][-4:]
        assert me["phone"] == "150****3456"
        assert me["method"] == "card" and me["prescription_ids"] is None

    async def test_a_staff_token_is_not_a_patient(self, client, headers_for):
        r = await client.get("/patient/me", headers=await headers_for("doctor_wang"))
        assert r.status_code == 403

    async def test_ends_after_fifteen_minutes(self, client, demo, li_na, clock):
        token = await card_token(client, demo, li_na)
        clock.advance(minutes=15, seconds=1)
        r = await client.get("/patient/me", headers=bearer(token))
        assert r.status_code == 401

    async def test_ends_when_the_patient_leaves(self, client, demo, li_na):
        token = await card_token(client, demo, li_na)
        out = await client.post("/patient-access/logout", headers=bearer(token))
        assert out.status_code == 204
        r = await client.get("/patient/me", headers=bearer(token))
        assert r.status_code == 401 and "已退出" in r.json()["detail"]


class TestNoStaffRoutes:
    @pytest.mark.parametrize("method, path", [
        ("GET", "/auth/me"), ("GET", "/patients?name=李娜"), ("GET", "/prescriptions"),
        ("GET", "/events"), ("GET", "/catalogue/search?q=amxl"), ("GET", "/audit/events"),
        ("POST", "/patients")])
    async def test_refused(self, client, demo, li_na, method, path):
        token = await card_token(client, demo, li_na)
        r = await client.request(method, path, headers=bearer(token), json={})
        assert r.status_code == 403, r.text

    async def test_not_the_prescription_itself_through_the_doctors_route(self, clinic, client):
        rx = await submitted_prescription(clinic)
        token = await slip_token(clinic, client, rx)
        r = await client.get(f"/prescriptions/{rx['id']}", headers=bearer(token))
        assert r.status_code == 403


async def principal_for(app, token):
    svc = app.state.services
    session = svc.db.session()
    await session.begin()
    ctx = RequestContext(session=session, method="GET", path="/test", ip=None,
                         workstation=None, request_id=uuid.uuid4().hex)
    return session, await authenticate(ctx, svc, token)


async def visible_prescriptions(session, principal) -> set[str]:
    query = select(Prescription.id).where(patient_scope(principal).prescription_filter())
    return {str(i) for i in (await session.scalars(query)).all()}


class TestPatientScope:
    async def test_card_sees_all_own_prescriptions_slip_only_its_own(self, app, clinic,
                                                                      client, demo, li_na):
        first = await submitted_prescription(clinic)
        second = await submitted_prescription(clinic)
        other = await submitted_prescription(clinic, patient="王芳")

        session, by_card = await principal_for(app, await card_token(client, demo, li_na))
        try:
            assert by_card.kind == "patient" and by_card.attributes["method"] == "card"
            assert by_card.attributes["prescription_ids"] is None
            assert by_card.visible_org_ids == frozenset({uuid.UUID(demo.organisations["H1"])})
            assert await visible_prescriptions(session, by_card) == {first["id"], second["id"]}
            # Row-level security alone shows the organisation's rows, others' included: the
            # scope's filter is what keeps them out.
            everything = {str(i) for i in (await session.scalars(select(Prescription.id)))}
            assert other["id"] in everything
        finally:
            await session.close()

        session, by_slip = await principal_for(app, await slip_token(clinic, client, second))
        try:
            assert by_slip.attributes["prescription_ids"] == frozenset({second["id"]})
            scope = patient_scope(by_slip)
            assert scope.prescription_ids == frozenset({uuid.UUID(second["id"])})
            assert await visible_prescriptions(session, by_slip) == {second["id"]}
            rows = (await session.scalars(select(Prescription))).all()
            assert len(rows) == 3
            assert {str(r.id) for r in rows if scope.allows(r)} == {second["id"]}
        finally:
            await session.close()

    async def test_staff_have_no_patient_scope(self, app, client, headers_for):
        headers = await headers_for("doctor_wang")
        session, doctor = await principal_for(app, headers["Authorization"][7:])
        await session.close()
        with pytest.raises(NotPermitted):
            patient_scope(doctor)
