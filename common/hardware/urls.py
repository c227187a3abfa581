"""Device URLs from configuration: one string picks the driver and its options.

    pcsc://<reader name or index>          serial:///dev/ttyS0?baudrate=9600
    camera://0    file:///path/frames.avi  sim://?fault=paper_out

The scheme selects the implementation; the rest is the target (a reader name, a device path, a
camera index) and query options. Percent-escapes are decoded, so reader names with spaces can be
written either way (`pcsc://Virtual PCD 00 00` or `pcsc://Virtual%20PCD%2000%2000`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from common.hardware.errors import DeviceUrlError


@dataclass(frozen=True)
class DeviceUrl:
    scheme: str
    target: str
    options: dict[str, str] = field(default_factory=dict)

    def option_int(self, name: str, default: int) -> int:
        raw = self.options.get(name)
        if raw is None:
            return default
        try:
            return int(raw)
        except ValueError:
            raise DeviceUrlError(f"设备地址参数 {name} 应为整数：{raw}") from None

    def option_float(self, name: str, default: float) -> float:
        raw = self.options.get(name)
        if raw is None:
            return default
        try:
            return float(raw)
        except ValueError:
            raise DeviceUrlError(f"设备地址参数 {name} 应为数字：{raw}") from None

    def option_list(self, name: str) -> list[str]:
        raw = self.options.get(name, "")
        return [part for part in raw.split(",") if part]


def parse_device_url(url: str, *, allowed: tuple[str, ...]) -> DeviceUrl:
    if "://" not in url:
        raise DeviceUrlError(f"设备地址无效：{url!r}（应形如 sim:// 或 serial:///dev/ttyS0）")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in allowed:
        raise DeviceUrlError(f"不支持的设备地址类型 {scheme}://（可用：{'、'.join(allowed)}）")
    target = unquote(parts.netloc + parts.path)
    try:
        options = dict(parse_qsl(parts.query, keep_blank_values=True, strict_parsing=False))
    except ValueError:
        raise DeviceUrlError(f"设备地址参数无效：{parts.query!r}") from None
    return DeviceUrl(scheme=scheme, target=target, options=options)
