"""Settings of one workstation (or kiosk), in a TOML file the installer writes.

Where: `RXP_WORKSTATION` if set, else `%PROGRAMDATA%\\rxp\\workstation.toml` on Windows and
`/etc/rxp/workstation.toml` elsewhere. Example::

    server_url = "https://rxp.h1.local"
    ca_bundle = "/etc/rxp/hospital-ca.pem"   # the hospital's own CA; omit for public CAs
    workstation_id = "H1-IM-诊室3"           # sent as X-Workstation, recorded in the audit log
    kiosk_id = "K-01"                         # kiosks only
    language = "zh_CN"
    idle_lock_minutes = 10

    [devices]
    card_reader = "pcsc://Virtual PCD 00 00"
    scanner = "serial:///dev/ttyUSB0?baudrate=9600"
    printer = "serial:///dev/ttyUSB1?baudrate=19200"
    camera = "camera://0"

Every problem is reported in Chinese with the key at fault (`WorkstationConfigError.problems`);
unknown keys are refused, so a misspelt one does not silently fall back to a default.
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

ENV_VAR = "RXP_WORKSTATION"
FILE_NAME = "workstation.toml"
# Device drivers are picked by URL scheme (see ARCHITECTURE.md, "Hardware").
DEVICE_SCHEMES = frozenset({"serial", "loop", "pcsc", "camera", "file", "sim", "tcp", "usb"})

_MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "未知的设置项（是否拼写错误？）",
    "string_type": "应为字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "bool_type": "应为 true 或 false",
    "literal_error": "取值不在允许范围内",
    "model_type": "应为一个表（[section]）",
    "greater_than_equal": "取值过小",
    "less_than_equal": "取值过大",
    "string_too_short": "不能为空",
    "string_too_long": "内容过长",
}


def _server_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"应为 http:// 或 https:// 开头的服务器地址，而不是「{value}」")
    return value.rstrip("/")


def _device_url(value: str) -> str:
    scheme, sep, _ = value.partition("://")
    if not sep or scheme not in DEVICE_SCHEMES:
        allowed = "、".join(f"{s}://" for s in sorted(DEVICE_SCHEMES))
        raise ValueError(f"设备地址「{value}」格式不正确，应以 {allowed} 之一开头")
    return value


def _existing_file(value: Path) -> Path:
    if not value.is_file():
        raise ValueError(f"文件不存在：{value}")
    return value


ServerUrl = Annotated[str, AfterValidator(_server_url)]
DeviceUrl = Annotated[str, AfterValidator(_device_url)]


class Devices(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    card_reader: DeviceUrl | None = None
    scanner: DeviceUrl | None = None
    printer: DeviceUrl | None = None
    camera: DeviceUrl | None = None


class WorkstationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    server_url: ServerUrl
    ca_bundle: Annotated[Path, AfterValidator(_existing_file)] | None = None
    workstation_id: str | None = Field(None, min_length=1, max_length=100)
    kiosk_id: str | None = Field(None, min_length=1, max_length=40)
    language: Literal["zh_CN", "en_US"] = "zh_CN"
    idle_lock_minutes: int = Field(10, ge=1, le=240)
    devices: Devices = Devices()

    @property
    def verify(self) -> bool | str:
        """What `httpx` (and `ApiClient(verify=...)`) takes: the CA bundle, or system CAs."""
        return str(self.ca_bundle) if self.ca_bundle else True


class WorkstationConfigError(ValueError):
    """The file is missing, not TOML, or holds bad values; `problems` pairs each key at fault
    with its Chinese message, and str() says it all, naming the file."""

    def __init__(self, path: Path, problems: list[tuple[str, str]]) -> None:
        self.path = path
        self.problems = problems
        text = "；".join(f"{key}：{message}" if key else message for key, message in problems)
        super().__init__(f"工作站配置文件 {path} 有误：{text}")


def default_path(env: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if env.get(ENV_VAR):
        return Path(env[ENV_VAR])
    if platform.startswith("win"):
        return Path(env.get("PROGRAMDATA", r"C:\ProgramData")) / "rxp" / FILE_NAME
    return Path("/etc/rxp") / FILE_NAME


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    problems = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"])
        kind = item["type"]
        if kind == "value_error":
            message = str(item.get("msg", "")).removeprefix("Value error, ")
        else:
            message = _MESSAGES.get(kind, "取值无效")
        problems.append((key, message))
    return problems


def parse_workstation(text: str, path: Path) -> WorkstationSettings:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WorkstationConfigError(path, [("", f"不是有效的 TOML：{exc}")]) from exc
    return validate_workstation(data, path)


def validate_workstation(data: Mapping[str, object], path: Path) -> WorkstationSettings:
    """The settings from parsed data; WorkstationConfigError names each key at fault."""
    try:
        return WorkstationSettings.model_validate(data)
    except ValidationError as exc:
        raise WorkstationConfigError(path, _problems(exc)) from exc


def load_workstation(path: Path | None = None) -> WorkstationSettings:
    """The settings from `path` (default: `default_path()`); WorkstationConfigError if bad."""
    path = path or default_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise WorkstationConfigError(path, [("", f"找不到配置文件（可用环境变量 {ENV_VAR} "
                                                 "指定位置）")]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkstationConfigError(path, [("", f"无法读取：{exc}")]) from exc
    return parse_workstation(text, path)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    # A JSON string is a TOML basic string: the same escapes, Chinese kept as it is.
    return json.dumps(str(value), ensure_ascii=False)


def render_workstation(settings: WorkstationSettings) -> str:
    """The TOML text of `settings` (what the installer writes); only the keys that are set or
    differ from the defaults, so the file says what this workstation chose."""
    data = settings.model_dump(exclude_defaults=True, exclude={"devices"})
    lines = ["# rxp workstation configuration (common/workstation.py), written at install time"]
    lines += [f"{key} = {_toml_value(value)}" for key, value in data.items()]
    devices = settings.devices.model_dump(exclude_none=True)
    if devices:
        lines += ["", "[devices]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in devices.items()]
    return "\n".join(lines) + "\n"


def app_data_dir(app: str, env: Mapping[str, str] | None = None,
                 platform: str | None = None) -> Path:
    """The folder an app keeps its own files in (the offline outbox and cache)."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if platform.startswith("win"):
        base = Path(env.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "rxp" / app
