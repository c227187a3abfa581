"""Knowledge import, statistics export and audit verification at the administration
workstation against the real server: an interaction CSV with one bad row imports nothing and
names the row; a good one becomes the version in use; a statistics export opens as a valid
XLSX workbook; the audit screen shows a tampered chain as broken."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from PySide6.QtCharts import QValueAxis
from pytestqt.qtbot import QtBot

from client_admin.statistics import china_today
from client_admin.ui.audit_view import AuditView
from client_admin.ui.knowledge_view import KnowledgeView
from client_admin.ui.statistics_view import StatisticsView
from server.core.clock import FakeClock
from server.seed.demo import DemoGroup
from tests.client_admin.conftest import settled
from tests.clients import draft, sign_and_submit
from tests.helpers import sql

HEADER = "id,a,b,level,message,advice,mechanism\n"
GOOD = "DDI-1,华法林,阿司匹林,2,出血风险增加,监测INR,\n"
BAD = "DDI-2,阿莫西林,二甲双胍,9,级别写错,,\n"
GOOD_TOO = "DDI-3,地高辛,胺碘酮,2,地高辛浓度升高,减量并监测血药浓度,\n"


def knowledge_rows(db) -> tuple[int, int]:
    [(sets, pairs)] = sql(db.owner, "SELECT (SELECT count(*) FROM knowledge_set),"
                                    " (SELECT count(*) FROM knowledge_interaction_pair)")
    return sets, pairs


def test_a_csv_with_one_bad_row_imports_nothing_and_names_the_row(
        qtbot: QtBot, workstation, db, tmp_path: Path) -> None:
    station, _admin = workstation("admin_h1")
    view = station.window.show_page("knowledge")
    assert isinstance(view, KnowledgeView)
    settled(qtbot, view)
    assert view.current_kind == "interaction_pair" and view.rules.rowCount() > 50
    before = knowledge_rows(db)

    bad_file = tmp_path / "interactions.csv"
    bad_file.write_bytes((HEADER + GOOD + BAD + GOOD_TOO).encode("gb18030"))
    view.import_file(bad_file)
    settled(qtbot, view)
    assert view.report_box.isVisible()
    assert [(p.file, p.row, p.column) for p in view.problems] == [
        ("interaction_pair.csv", 3, "level")]
    assert view.report.item(0, 1).text() == "3"
    assert "警示级别" in view.report.item(0, 3).text()
    assert view.message.text() == "未导入任何数据：有 1 处需要修改。"
    assert knowledge_rows(db) == before

    good_file = tmp_path / "fixed.csv"
    good_file.write_text(HEADER + GOOD + GOOD_TOO, encoding="utf-8-sig")
    view.activate_after.setChecked(True)
    view.import_file(good_file)
    settled(qtbot, view)
    assert not view.report_box.isVisible()
    assert "已保存为版本 2" in view.message.text() and "已启用" in view.message.text()
    assert view.rules.rowCount() == 2
    assert knowledge_rows(db) == (before[0] + 1, before[1] + 2)


def test_statistics_export_opens_as_a_valid_workbook(
        qtbot: QtBot, workstation, staff, demo: DemoGroup, clock: FakeClock,
        tmp_path: Path) -> None:
    doctor = staff("doctor_wang")
    for _ in range(2):
        body = draft(demo, doctor.api)
        sign_and_submit(doctor, body, doctor.api.create_draft(body))
    station, _admin = workstation("admin_h1")
    view = station.window.show_page("statistics")
    assert isinstance(view, StatisticsView)
    settled(qtbot, view)
    view.choose("prescriptions", "department")
    view.until.setDate(china_today(clock.now()))  # the server's today (a clock of its own)
    view.load()
    settled(qtbot, view)
    assert view.result is not None
    departments = view.result.column_values("label")
    assert "内科" in departments
    count = view.result.column_values("prescriptions")[departments.index("内科")]
    assert count == 2
    assert view.source.text().endswith("数据来源 主库")
    # The chart's count axis is labelled in whole, evenly spaced numbers that are its ticks.
    [axis] = [a for a in view.chart.axes() if isinstance(a, QValueAxis)]
    step = (axis.max() - axis.min()) / (axis.tickCount() - 1)
    assert axis.min() == 0 and step >= 1 and step == int(step) and axis.max() >= 2

    path = view.export(tmp_path / "统计.xlsx")
    assert path is not None
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A1"].value == "处方量与金额（按科室）"
    assert [c.value for c in sheet[3]] == ["按科室", "处方数", "金额（元）"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["内科"][1] == 2 and rows["内科"][2] > 0
    assert sheet.cell(row=4, column=3).number_format == "#,##0.00"

    csv_path = view.export(tmp_path / "统计.csv")
    assert csv_path is not None
    assert csv_path.read_text(encoding="utf-8-sig").splitlines()[0] == "按科室,处方数,金额（元）"


def test_the_audit_screen_shows_a_tampered_chain_as_broken(
        qtbot: QtBot, workstation, db) -> None:
    station, _auditor = workstation("auditor")
    view = station.window.show_page("audit")
    assert isinstance(view, AuditView)
    settled(qtbot, view)
    assert view.events_table.rowCount() > 0
    view.verify()
    settled(qtbot, view)
    assert view.verification is not None and view.verification.ok
    assert view.verify_result.text().startswith("完整：")

    [(seq,)] = sql(db.owner, "SELECT max(seq) - 1 FROM audit_event")
    sql(db.superuser, "UPDATE audit_event SET summary = '{\"forged\": true}' WHERE seq = %s",
        (seq,), setup=("SET session_replication_role = replica",))
    view.verify()
    settled(qtbot, view)
    assert view.verification is not None and not view.verification.ok
    assert view.verification.first_broken_seq == seq
    text = view.verify_result.text()
    assert text.startswith("已被破坏：审计日志遭到篡改。")
    assert f"最早被破坏的事件：第 {seq} 条" in text
    assert "#b71c1c" in view.verify_result.styleSheet()


def test_editing_a_rule_in_the_table_saves_the_next_version(qtbot: QtBot, workstation,
                                                            db) -> None:
    station, _admin = workstation("admin_h1")
    view = station.window.show_page("knowledge")
    assert isinstance(view, KnowledgeView)
    settled(qtbot, view)
    view.kind.setCurrentIndex(view.kind.findData("dose_rule"))
    settled(qtbot, view)
    rows = view.table_rows()
    level = view.columns.index("level")
    view.rules.item(0, level).setText("3")
    view.description.setText("首条剂量规则改为黑灯")
    view.save_button.click()
    settled(qtbot, view)
    assert "已保存为版本 2" in view.message.text()
    assert view.sets[0]["description"] == "首条剂量规则改为黑灯"
    [(stored,)] = sql(db.owner, "SELECT r.level FROM knowledge_dose_rule r JOIN knowledge_set s"
                                " ON s.id = r.set_id WHERE s.version = 2 AND r.rule_id = %s",
                      (rows[0]["id"],))
    assert stored == 3
