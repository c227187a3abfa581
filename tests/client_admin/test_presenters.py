"""The admin app's logic without Qt or a server: the user form's rules, the rights matrix
being edited, statistics tables and their exports, what the audit screen traces, the
knowledge import report, and settings fields."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from client_admin.audit import TraceTarget, Verification, trace_target
from client_admin.configuration import parse_field
from client_admin.knowledge import read_csv_file, report_of, table_to_csv
from client_admin.rights import RightsMatrix
from client_admin.statistics import (
    china_today,
    day_start,
    display,
    table_from,
    write_csv,
    write_xlsx,
)
from client_admin.users import Problem, UserForm, create_body, problems, update_body


class TestUserForm:
    def test_a_doctor_needs_a_title_and_separated_roles_are_refused(self) -> None:
        form = UserForm(org_id="o", username="dr.li", display_name="李", password="x",
                        roles=["doctor", "security_admin", "auditor"])
        assert problems(form) == {"roles": Problem.SEPARATION_OF_DUTIES,
                                  "professional_title": Problem.TITLE_REQUIRED}
        form.roles = ["doctor", "hospital_admin"]
        form.professional_title = "chief"
        assert problems(form) == {}

    def test_new_user_fields(self) -> None:
        assert problems(UserForm(username="a b", roles=["pharmacist"])) == {
            "org_id": Problem.REQUIRED, "username": Problem.USERNAME_FORMAT,
            "password": Problem.REQUIRED, "display_name": Problem.REQUIRED,
            "pharmacist_level": Problem.LEVEL_REQUIRED}

    def test_bodies_send_attributes_only_for_their_roles_and_only_what_changed(self) -> None:
        form = UserForm(org_id="o", username=" li ", display_name=" 李 ", password="p",
                        roles=["pharmacist"], professional_title="chief",
                        pharmacist_level="pharmacist")
        body = create_body(form)
        assert (body["username"], body["display_name"]) == ("li", "李")
        assert body["professional_title"] is None and body["pharmacist_level"] == "pharmacist"
        user = {"id": "u", "org_id": "o", "department_id": "d", "username": "li",
                "display_name": "李", "roles": ["pharmacist"], "version": 4,
                "professional_title": None, "pharmacist_level": "pharmacist"}
        edited = UserForm.of_user(user)
        edited.pharmacist_level = "supervising_pharmacist"
        edited.department_id = None
        assert update_body(edited, user) == {"version": 4, "department_id": None,
                                             "pharmacist_level": "supervising_pharmacist"}


class TestRightsMatrix:
    def test_edits_are_the_difference_from_what_was_read(self) -> None:
        matrix = RightsMatrix.prescribing({
            "titles": ["resident", "chief"], "drug_classes": ["ordinary", "narcotic"],
            "cells": [{"title": "resident", "drug_class": "ordinary"}]})
        assert not matrix.changed
        matrix.mark("chief", "narcotic", True)
        matrix.mark("resident", "ordinary", False)
        assert matrix.added == {("chief", "narcotic")}
        assert matrix.removed == {("resident", "ordinary")}
        assert matrix.cells_body() == [{"title": "chief", "drug_class": "narcotic"}]
        assert matrix.previous_body() == [{"title": "resident", "drug_class": "ordinary"}]
        with pytest.raises(KeyError):
            matrix.mark("intern", "ordinary", True)


ANSWER = {"since": "2026-11-01T00:00:00+00:00", "until": "2026-12-01T00:00:00+00:00",
          "served_by": "replica-1", "rows": [
              {"key": "k1", "label": "antibiotic_restricted", "prescriptions": 3,
               "amount_fen": 123456},
              {"key": "k2", "label": "ordinary", "prescriptions": 1, "amount_fen": 5}]}


class TestStatistics:
    def test_amounts_in_yuan_labels_worded_and_chart_points(self) -> None:
        table = table_from("prescriptions", "drug_class", ANSWER,
                           label_for=lambda g, label: {"ordinary": "普通药品"}.get(label, label))
        assert table.rows[0] == ("antibiotic_restricted", 3, Decimal("1234.56"))
        assert table.rows[1][0] == "普通药品"
        assert table.chart_points() == [("antibiotic_restricted", 3.0), ("普通药品", 1.0)]
        assert display(Decimal("1234.56"), table.columns[2].kind) == "1,234.56"
        assert table.served_by == "replica-1"

    def test_rates_show_as_percentages_and_missing_as_a_dash(self) -> None:
        answer = {**ANSWER, "rows": [{"label": "刘洋", "decided": 4, "approved": 3,
                                      "rejected": 1, "errors": 0, "approval_rate": 0.75,
                                      "rejection_rate": 0.25, "error_rate": None,
                                      "avg_minutes": 2.5, "p90_minutes": 4.0}]}
        table = table_from("reviews", "pharmacist", answer)
        kinds = {c.key: c.kind for c in table.columns}
        row = dict(zip([c.key for c in table.columns], table.rows[0], strict=True))
        assert display(row["approval_rate"], kinds["approval_rate"]) == "75.0%"
        assert display(row["error_rate"], kinds["error_rate"]) == "—"

    def test_exports_keep_numbers_as_numbers(self, tmp_path: Path) -> None:
        table = table_from("prescriptions", "drug_class", ANSWER)
        headers = ["类别", "处方数", "金额（元）"]
        sheet = openpyxl.load_workbook(write_xlsx(table, headers, tmp_path / "s.xlsx",
                                                  title="处方统计", period="2026-11")).active
        assert [c.value for c in sheet[3]] == headers
        assert sheet["C4"].value == pytest.approx(1234.56)
        assert sheet["B5"].value == 1
        with write_csv(table, headers, tmp_path / "s.csv").open(encoding="utf-8-sig") as f:
            assert list(csv.reader(f))[1] == ["antibiotic_restricted", "3", "1234.56"]

    def test_days_are_china_days(self) -> None:
        assert china_today(datetime(2026, 11, 27, 16, 30, tzinfo=UTC)) == date(2026, 11, 28)
        assert day_start(date(2026, 11, 28)) == datetime(2026, 11, 27, 16, 0, tzinfo=UTC)


class TestAudit:
    def test_what_is_traced(self) -> None:
        assert trace_target(" 4e01800b-ae2d-4431-b33f-45c67ef0541d ") == TraceTarget(
            "prescription", "4e01800b-ae2d-4431-b33f-45c67ef0541d")
        assert trace_target("8123 4567 8901 2345 6789") == TraceTarget(
            "code", "81234567890123456789")
        assert trace_target("(01)06901234567892(17)271231(10)B1(21)X9") == TraceTarget(
            "code", "(01)06901234567892(17)271231(10)B1(21)X9")
        assert trace_target("阿莫西林") is None

    def test_verification_of_a_broken_chain(self) -> None:
        result = Verification.of({"ok": False, "message": "第 7 条被修改", "events_checked": 9,
                                  "head_seq": 9, "first_broken_seq": 7,
                                  "checkpoints_checked": 1, "warnings": []})
        assert (result.ok, result.first_broken_seq) == (False, 7)


class TestKnowledge:
    def test_report_in_file_order_and_csv_without_empty_rows(self, tmp_path: Path) -> None:
        body = {"errors": [{"file": "b.csv", "row": 2, "column": None, "reason": "x"},
                           {"file": "a.csv", "row": 9, "column": "level", "reason": "y"},
                           {"file": "a.csv", "row": 3, "column": "a", "reason": "z"}]}
        assert [(p.file, p.row) for p in report_of(body)] == [("a.csv", 3), ("a.csv", 9),
                                                              ("b.csv", 2)]
        text = table_to_csv(["id", "a"], [{"id": "1", "a": "华法林, 钠"}, {"id": "", "a": " "}])
        assert text == 'id,a\n1,"华法林, 钠"\n'
        path = tmp_path / "gb.csv"
        path.write_bytes("id,a\n1,华法林\n".encode("gb18030"))
        assert read_csv_file(path) == "id,a\n1,华法林\n"


def test_settings_fields_are_read_back_as_their_type() -> None:
    assert parse_field(5, " 7 ") == 7
    assert parse_field(["narcotic"], "narcotic，toxic, ") == ["narcotic", "toxic"]
    with pytest.raises(ValueError):
        parse_field(5, "七")


def test_a_tariff_table_becomes_the_next_version_keeping_distance_bands() -> None:
    from client_admin.configuration import TariffRowInvalid, tariff_body, tariff_cells

    current = {"tariff_version": 3, "carrier_name": "顺丰速运", "rules": [
        {"region_prefix": "3301", "region_name": "杭州同城", "first_weight_g": 1000,
         "first_fee_fen": 1000, "step_weight_g": 1000, "step_fee_fen": 200,
         "distance_bands": [{"up_to_km": 5, "fee_fen": 800}]}]}
    cells = tariff_cells(current["rules"][0])
    assert cells == ["3301", "杭州同城", "1000", "10.00", "1000", "2.00"]
    body = tariff_body(current, [[*cells[:3], "12.5", *cells[4:]], [""] * 6,
                                 ["", "全国", "1000", "23", "1000", "13"]],
                       effective_from="2027-01-01", note=None)
    assert body["version"] == 3 and body["effective_from"] == "2027-01-01"
    assert [r["first_fee_fen"] for r in body["rules"]] == [1250, 2300]
    assert body["rules"][0]["distance_bands"] == [{"up_to_km": 5, "fee_fen": 800}]
    assert body["rules"][1]["distance_bands"] == []
    with pytest.raises(TariffRowInvalid) as bad:
        tariff_body(current, [[*cells[:5], "2.005"]], effective_from="2027-01-01", note=None)
    assert (bad.value.row, bad.value.column) == (0, "step_fee")


def test_incident_clocks_count_down_from_the_answer_and_escalate_once() -> None:
    from client_admin.incidents import IncidentRow, by_urgency, countdown, newly_escalated

    def incident(number: str, remaining: float | None, status: str = "open") -> dict:
        clock = {"due_at": "2026-01-05T10:15:00+00:00", "state": "running" if remaining
                 else "met", "remaining_seconds": remaining,
                 "stopped_at": None if remaining else "2026-01-05T10:05:00+00:00"}
        return {"id": number, "number": number, "title": "t", "severity": "serious",
                "service": "other", "status": status, "opened_at": "2026-01-05T10:00:00+00:00",
                "respond": clock, "fix": {**clock, "due_at": "2026-01-05T11:00:00+00:00"},
                "version": 1}

    row = IncidentRow.of(incident("A", 600.0))
    assert row.respond.at(0) == ("running", 600.0)
    assert row.respond.at(400) == ("escalated", 200.0)  # under a quarter of 15 minutes
    assert row.respond.at(660) == ("breached", -60.0)
    assert countdown(-60.0) == "01:00" and countdown(3725) == "1:02:05"
    assert newly_escalated({("A", "respond"): "running"}, {("A", "respond"): "escalated"}) == [
        ("A", "respond", "escalated")]
    assert newly_escalated({("A", "respond"): "escalated"},
                           {("A", "respond"): "escalated"}) == []
    done = IncidentRow.of(incident("C", None, "resolved"))
    assert done.respond.at(1000) == ("met", None) and not done.allows("resolve")
    assert [r.number for r in by_urgency([done, row, IncidentRow.of(incident("B", 90.0))])] == [
        "B", "A", "C"]
