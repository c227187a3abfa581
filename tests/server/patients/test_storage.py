"""What a stolen database dump shows of patients: nothing identifying in clear."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import httpx

from installers.database import DatabaseUrls
from server.seed.demo import USERS, DemoGroup
from tests.server.patients.conftest import NEW_PATIENT, HeadersFor

if TYPE_CHECKING:  # imported at run time, pytest would try to collect it as a test class
    from tests.conftest import TestCluster

IDENTIFYING = ("name", "id_number", "phone", "insurance_card", "hospital_card")


def forms(value: str) -> set[str]:
    """How a clear value would show up in a plain dump: as text, as the hex of a bytea column,
    or JSON-escaped in a text column."""
    return {value, value.encode().hex(), json.dumps(value)[1:-1]}


def without_table(dump: str, table: str) -> str:
    """The dump without the data block of ``table`` (COPY ... FROM stdin; ... \\.)."""
    start = dump.index(f"COPY public.{table} ")
    end = dump.index("\n\\.\n", start)
    return dump[:start] + dump[end:]


class TestDatabaseDump:
    async def test_holds_no_patient_identifiers_in_clear(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, demo: DemoGroup,
            pg: TestCluster, db: DatabaseUrls) -> None:
        # Exercise the paths that write beside the patient table too: the audit log (register,
        # search, full read, edit) and the idempotency store (a keyed registration). Only
        # doctor_wang acts, so the audit log's actor names are not patients' names.
        headers = await headers_for("doctor_wang")
        created = await client.post("/patients", json=NEW_PATIENT,
                                    headers={**headers, "Idempotency-Key": "dump-test-1"})
        assert created.status_code == 201, created.text
        patient_id = created.json()["id"]
        for params in ({"phone": NEW_PATIENT["phone"]}, {"name": NEW_PATIENT["name"]}):
            assert (await client.get("/patients", params=params, headers=headers)).json()["total"]
        assert (await client.get(f"/patients/{patient_id}/full", headers=headers)).is_success
        edited = await client.patch(f"/patients/{patient_id}", headers=headers,
                                    json={"version": 1, "phone": "13700002222"})
        assert edited.is_success

        dump = pg.cluster.dump(db.name)
        # The dump is real and complete: staff usernames and the patient table are in it.
        assert "doctor_wang" in dump
        assert "COPY public.patient " in dump
        patients = [*demo.patients, {**NEW_PATIENT, "phone2": "13700002222"}]
        # Two demo patients share their names with demo staff (刘洋, 陈静), whose display
        # names are rightly stored in clear: names are looked for outside the staff table.
        staff_names = {u["name"] for u in USERS}
        assert staff_names & {p["name"] for p in demo.patients}  # the reason for the carve-out
        rest = without_table(dump, "staff_user")
        leaks = []
        for patient in patients:
            for field in (*IDENTIFYING, "phone2"):
                value = patient.get(field)
                if value is None:
                    continue
                haystack = rest if field == "name" else dump
                leaks += [(field, form) for form in forms(value) if form in haystack]
        assert leaks == []
