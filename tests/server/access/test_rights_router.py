"""The rights matrices over HTTP: reading and replacing a department's prescribing rights and
the group's reviewing rights, refusing an edit based on a stale read, audited."""

from __future__ import annotations

from tests.helpers import audit_rows

ADMIN, GROUP_ADMIN, DOCTOR = "admin_h1", "admin_group", "doctor_wang"


def _cells(body: dict) -> set[tuple[str, str]]:
    return {(c.get("title") or c["level"], c["drug_class"]) for c in body["cells"]}


def _as_body(cells: set[tuple[str, str]], key: str) -> list[dict[str, str]]:
    return [{key: a, "drug_class": b} for a, b in sorted(cells)]


class TestPrescribingMatrix:
    async def test_replace_grants_and_revokes_and_is_audited(self, client, demo, headers_for,
                                                              db):
        dept = demo.organisations["H1-IM"]
        headers = await headers_for(ADMIN)
        read = await client.get(f"/rights/prescribing/{dept}", headers=headers)
        assert read.status_code == 200, read.text
        before = _cells(read.json())
        assert ("attending", "antibiotic_restricted") in before
        assert "chief" in read.json()["titles"] and "narcotic" in read.json()["drug_classes"]
        wanted = (before - {("attending", "antibiotic_restricted")}) | {("chief", "toxic"),
                                                                       ("chief", "narcotic")}
        put = await client.put(f"/rights/prescribing/{dept}", headers=headers, json={
            "cells": _as_body(wanted, "title"), "previous": _as_body(before, "title")})
        assert put.status_code == 200, put.text
        again = await client.get(f"/rights/prescribing/{dept}", headers=headers)
        assert _cells(again.json()) == wanted
        [event] = audit_rows(db.owner, "action = 'rights.prescribing.update'")
        assert event["entity_id"] == dept
        assert event["summary"]["revoked"] == [["attending", "antibiotic_restricted"]]
        assert ["chief", "narcotic"] in event["summary"]["granted"]

    async def test_an_edit_from_a_stale_read_is_refused(self, client, demo, headers_for):
        dept = demo.organisations["H1-IM"]
        headers = await headers_for(ADMIN)
        before = _cells((await client.get(f"/rights/prescribing/{dept}",
                                          headers=headers)).json())
        first = before | {("chief", "narcotic")}
        ok = await client.put(f"/rights/prescribing/{dept}", headers=headers, json={
            "cells": _as_body(first, "title"), "previous": _as_body(before, "title")})
        assert ok.status_code == 200
        stale = await client.put(f"/rights/prescribing/{dept}", headers=headers, json={
            "cells": _as_body(before - {("chief", "toxic")}, "title"),
            "previous": _as_body(before, "title")})
        assert stale.status_code == 409
        assert "他人修改" in stale.json()["detail"]

    async def test_unknown_class_other_hospital_and_doctors_are_refused(self, client, demo,
                                                                         headers_for):
        headers = await headers_for(ADMIN)
        dept = demo.organisations["H1-IM"]
        bad = await client.put(f"/rights/prescribing/{dept}", headers=headers, json={
            "cells": [{"title": "chief", "drug_class": "sweets"}], "previous": []})
        assert bad.status_code == 422
        other = await client.get(f"/rights/prescribing/{demo.organisations['H2-IM']}",
                                 headers=headers)
        assert other.status_code == 403
        doctor = await client.put(f"/rights/prescribing/{dept}",
                                  headers=await headers_for(DOCTOR),
                                  json={"cells": [], "previous": []})
        assert doctor.status_code == 403


class TestReviewingMatrix:
    async def test_group_admin_replaces_it_hospital_admin_may_not(self, client, headers_for,
                                                                  db):
        headers = await headers_for(GROUP_ADMIN)
        before = _cells((await client.get("/rights/reviewing", headers=headers)).json())
        assert ("supervising_pharmacist", "antibiotic_special") in before
        wanted = before | {("chief_pharmacist", "narcotic")}
        body = {"cells": _as_body(wanted, "level"), "previous": _as_body(before, "level")}
        refused = await client.put("/rights/reviewing", headers=await headers_for(ADMIN),
                                   json=body)
        assert refused.status_code == 403
        put = await client.put("/rights/reviewing", headers=headers, json=body)
        assert put.status_code == 200, put.text
        assert _cells(put.json()) == wanted
        [event] = audit_rows(db.owner, "action = 'rights.reviewing.update'")
        assert event["summary"]["granted"] == [["chief_pharmacist", "narcotic"]]
