"""Every screen of `client_admin.screens.build_screens` renders with real data from the
server, in Chinese; the pictures are saved for a person to check
(.rxp/screenshots/client_admin/<name>.png)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QTabWidget
from pytestqt.qtbot import QtBot

from client_admin.admin_api import AdminApi
from client_admin.screens import build_screens
from client_admin.screenshots import KIOSK_DEVICES, record_incidents, report_kiosk_devices
from client_admin.ui.audit_view import AuditView
from client_admin.ui.incidents_view import IncidentsView
from client_admin.ui.knowledge_view import KnowledgeView
from client_admin.ui.main_window import MainWindow
from client_admin.ui.statistics_view import StatisticsView
from client_admin.ui.system_view import SystemView
from server.seed.demo import DemoGroup
from tests.client_admin.test_incidents_and_system import dead_letter
from tests.clients import draft, sign_and_submit

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = ROOT / ".rxp" / "screenshots" / "client_admin"


def test_every_screen_with_demo_data(qtbot: QtBot, staff, demo: DemoGroup, db, clock,
                                     live_server, no_leaked_windows) -> None:
    doctor = staff("doctor_wang")
    body = draft(demo, doctor.api)
    submitted = sign_and_submit(doctor, body, doctor.api.create_draft(body))
    admin, auditor, system = staff("admin_group"), staff("auditor"), staff("sysadmin")
    kiosk = next(c for c in demo.clients if c.get("kind") == "kiosk")
    report_kiosk_devices(live_server.url, kiosk, KIOSK_DEVICES)
    dead_letter(db, topic="his-h1", error="连接被拒绝（his-h1:2575）")
    record_incidents(AdminApi(admin.api))
    record_incidents(AdminApi(admin.api))  # a second run records nothing more
    clock.advance(minutes=12)  # the serious one's response clock has escalated

    screens = build_screens(admin.api, auditor.api, system.api, clock=clock.now)
    assert set(screens) == {
        "users", "user_dialog", "organisations", "pharmacies", "catalogue",
        "rights_prescribing", "rights_reviewing", "department_templates", "knowledge",
        "knowledge_report", "configuration", "statistics", "statistics_reviews", "incidents",
        "incident_report", "system", "audit"}
    window = screens["users"]
    assert isinstance(window, MainWindow)
    tabs = window.findChild(QTabWidget, "tabs")
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        "用户", "机构与科室", "药店遴选", "药品目录", "权限矩阵", "知识库", "参数配置", "统计",
        "审计与追溯", "故障管理", "系统状态"]
    incidents = screens["incidents"]
    assert isinstance(incidents, IncidentsView) and len(incidents.rows) == 2
    serious = incidents.rows[0]
    assert serious.severity == "serious" and incidents.selected() == serious
    assert incidents.clock_text(serious.number, "respond")[1] == "escalated"
    assert incidents.alert.text().startswith("严重故障 " + serious.number)
    assert incidents.clock_text(incidents.rows[1].number, "fix")[1] == "met"
    system_view = screens["system"]
    assert isinstance(system_view, SystemView)
    assert system_view.dead_letters.rowCount() == 1 and system_view.devices.rowCount() == 3
    report = screens["knowledge_report"]
    assert isinstance(report, KnowledgeView) and report.problems[0].row == 3
    statistics = screens["statistics"]
    assert isinstance(statistics, StatisticsView) and statistics.result is not None
    assert "内科" in statistics.result.column_values("label")
    audit = screens["audit"]
    assert isinstance(audit, AuditView)
    assert audit.verify_result.text().startswith("完整：")
    assert audit.trace is not None and audit.trace["prescription_number"] == submitted.number
    assert audit.trace_table.rowCount() >= 3
    labels = [w.text() for w in screens["user_dialog"].findChildren(QLabel)]
    assert any(t.startswith("三权分立") for t in labels)

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for name, widget in screens.items():
        qtbot.addWidget(widget)
        widget.show()
        qtbot.waitExposed(widget)
        path = SCREENSHOT_DIR / f"{name}.png"
        assert widget.grab().save(str(path)), f"could not write {path}"
        assert path.stat().st_size > 10_000
        widget.close()
