"""The workstation file: loading, defaults per OS, and Chinese errors naming the bad key."""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

import pytest

from common.workstation import (
    WorkstationConfigError,
    app_data_dir,
    default_path,
    load_workstation,
)

GOOD = """
server_url = "https://rxp.h1.local/"
ca_bundle = "{ca}"
workstation_id = "H1-IM-诊室3"
idle_lock_minutes = 15

[devices]
card_reader = "pcsc://Virtual PCD 00 00"
scanner = "serial:///dev/ttyUSB0?baudrate=9600"
printer = "sim://"
"""


def write(tmp_path: Path, text: str) -> Path:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    path = tmp_path / "workstation.toml"
    path.write_text(text.replace("{ca}", str(ca)), encoding="utf-8")
    return path


def problems(path: Path) -> list[tuple[str, str]]:
    with pytest.raises(WorkstationConfigError) as bad:
        load_workstation(path)
    assert str(path) in str(bad.value)
    return bad.value.problems


class TestLoading:
    def test_a_good_file(self, tmp_path):
        settings = load_workstation(write(tmp_path, GOOD))
        assert settings.server_url == "https://rxp.h1.local"
        assert settings.verify == str(tmp_path / "ca.pem")
        assert settings.workstation_id == "H1-IM-诊室3" and settings.idle_lock_minutes == 15
        assert settings.devices.scanner == "serial:///dev/ttyUSB0?baudrate=9600"
        assert settings.devices.camera is None and settings.language == "zh_CN"

    def test_the_environment_variable_points_at_the_file(self, tmp_path, monkeypatch):
        path = write(tmp_path, 'server_url = "http://127.0.0.1:8000"\n')
        monkeypatch.setenv("RXP_WORKSTATION", str(path))
        assert load_workstation().verify is True

    def test_a_bad_device_url_names_its_key_in_chinese(self, tmp_path):
        found = problems(write(tmp_path, GOOD.replace('"sim://"', '"COM3"')))
        assert found[0][0] == "devices.printer"
        assert "设备地址「COM3」格式不正确" in found[0][1]

    def test_every_bad_key_is_named(self, tmp_path):
        text = GOOD.replace("https://rxp.h1.local/", "rxp.h1.local").replace(
            "idle_lock_minutes = 15", "idle_lock_minutes = \"很久\"\nprinter_url = \"x\"")
        found = dict(problems(write(tmp_path, text)))
        assert "应为 http:// 或 https://" in found["server_url"]
        assert found["idle_lock_minutes"] == "应为整数"
        assert found["printer_url"] == "未知的设置项（是否拼写错误？）"

    def test_missing_ca_bundle_and_server_url(self, tmp_path):
        found = dict(problems(write(tmp_path, 'ca_bundle = "/nonexistent/ca.pem"\n')))
        assert found == {"server_url": "缺少必填项", "ca_bundle": "文件不存在：/nonexistent/ca.pem"}

    def test_not_toml_and_no_file(self, tmp_path):
        [(key, message)] = problems(write(tmp_path, "server_url = \n"))
        assert key == "" and message.startswith("不是有效的 TOML")
        [(key, message)] = problems(tmp_path / "absent.toml")
        assert "找不到配置文件" in message and "RXP_WORKSTATION" in message


class TestLocations:
    def test_default_path_per_os(self):
        assert default_path({}, "linux") == Path("/etc/rxp/workstation.toml")
        windows = default_path({"PROGRAMDATA": r"D:\ProgramData"}, "win32")
        assert PureWindowsPath(windows) == PureWindowsPath(r"D:\ProgramData\rxp\workstation.toml")
        assert default_path({"RXP_WORKSTATION": "/opt/ws.toml"}, "win32") == Path("/opt/ws.toml")

    def test_app_data_dir(self):
        assert app_data_dir("doctor", {"XDG_DATA_HOME": "/data"}, "linux") == \
            Path("/data/rxp/doctor")
        assert app_data_dir("kiosk", {"LOCALAPPDATA": "/la"}, "win32") == Path("/la/rxp/kiosk")
