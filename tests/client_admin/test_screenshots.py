"""Every screen of `client_admin.screens.build_screens` renders with real data from the
server, in Chinese; the pictures are saved for a person to check
(.rxp/screenshots/client_admin/<name>.png)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QTabWidget
from pytestqt.qtbot import QtBot

from client_admin.screens import build_screens
from client_admin.ui.audit_view import AuditView
from client_admin.ui.knowledge_view import KnowledgeView
from client_admin.ui.main_window import MainWindow
from client_admin.ui.statistics_view import StatisticsView
from server.seed.demo import DemoGroup
from tests.clients import draft, sign_and_submit

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = ROOT / ".rxp" / "screenshots" / "client_admin"


def test_every_screen_with_demo_data(qtbot: QtBot, staff, demo: DemoGroup,
                                     no_leaked_windows) -> None:
    doctor = staff("doctor_wang")
    body = draft(demo, doctor.api)
    submitted = sign_and_submit(doctor, body, doctor.api.create_draft(body))
    admin, auditor = staff("admin_group"), staff("auditor")

    screens = build_screens(admin.api, auditor.api)
    assert set(screens) == {
        "users", "user_dialog", "organisations", "pharmacies", "catalogue",
        "rights_prescribing", "rights_reviewing", "department_templates", "knowledge",
        "knowledge_report", "configuration", "statistics", "statistics_reviews", "system", "audit"}
    window = screens["users"]
    assert isinstance(window, MainWindow)
    tabs = window.findChild(QTabWidget, "tabs")
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        "用户", "机构与科室", "药店遴选", "药品目录", "权限矩阵", "知识库", "参数配置", "统计",
        "审计与追溯", "系统状态"]
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
