"""The demo launcher: a small window from which each role's app starts, already pointed at the
demo server, with the demo accounts and their current TOTP codes at hand. Apps not built yet
are shown disabled. `rxp demo` opens it when there is a display."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from common.demo import DemoDirectory


@dataclass(frozen=True)
class RoleApp:
    label: str  # Chinese: the demo is shown to Chinese hospital staff
    package: str
    username: str

    @property
    def built(self) -> bool:
        return importlib.util.find_spec(self.package) is not None and \
            importlib.util.find_spec(f"{self.package}.__main__") is not None


ROLE_APPS = (
    RoleApp("医生 · 开方工作站", "client_doctor", "doctor_wang"),
    RoleApp("药师 · 审方工作站", "client_pharmacist", "pharm_chen"),
    RoleApp("药店 · 柜台", "client_pharmacy", "store_kangning"),
    RoleApp("医院管理 · 统计与审计", "client_admin", "admin_h1"),
    RoleApp("患者 · 自助机", "kiosk", ""),
)


class LauncherWindow(QWidget):
    def __init__(self, demo: DemoDirectory, demo_file: Path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.demo = demo
        self.demo_file = demo_file
        self.started: list[subprocess.Popen[bytes]] = []
        self.setWindowTitle("处方流转平台 · 演示")
        self.resize(760, 560)
        heading = QLabel(f"演示服务器：{demo.base_url}　　密码见下表，动态验证码每 30 秒更新")
        heading.setWordWrap(True)
        apps = QGroupBox("启动应用")
        grid = QGridLayout(apps)
        self.buttons: dict[str, QPushButton] = {}
        for index, role in enumerate(ROLE_APPS):
            button = QPushButton(role.label if role.built else f"{role.label}（尚未提供）")
            button.setObjectName(role.package)
            button.setEnabled(role.built)
            button.clicked.connect(lambda _=False, r=role: self.launch(r))
            grid.addWidget(button, index // 2, index % 2)
            self.buttons[role.package] = button
        accounts = [a for a in demo.data["accounts"]]
        self.table = QTableWidget(len(accounts), 5)
        self.table.setHorizontalHeaderLabels(["用户名", "姓名", "机构", "密码", "动态验证码"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        for row, account in enumerate(accounts):
            for column, value in enumerate((account["username"], account["display_name"],
                                            account["organisation"], account["password"], "")):
                self.table.setItem(row, column, QTableWidgetItem(value))
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(apps)
        layout.addWidget(self.table, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.refresh_codes)
        self._timer.start()
        self.refresh_codes()

    def refresh_codes(self) -> None:
        for row, account in enumerate(self.demo.data["accounts"]):
            self.table.setItem(row, 4, QTableWidgetItem(self.demo.totp(account["username"])))

    def command(self, role: RoleApp) -> list[str]:
        command = [sys.executable, "-m", role.package, "--server", self.demo.base_url,
                   "--workstation-id", "DEMO", "--demo-file", str(self.demo_file)]
        return command + (["--username", role.username] if role.username else [])

    def launch(self, role: RoleApp) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(self.command(role))
        self.started.append(process)
        return process

    def stop_apps(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.terminate()


def run_launcher(demo_file: Path) -> int:
    """Blocks until the launcher is closed; the apps it started are closed with it."""
    from common.qt.app import create_application

    app, _ = create_application("rxp-demo", [])
    window = LauncherWindow(DemoDirectory.load(demo_file), demo_file)
    window.show()
    try:
        return app.exec()
    finally:
        window.stop_apps()
