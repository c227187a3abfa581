from __future__ import annotations

import pytest

from common.hardware.errors import DeviceUrlError
from common.hardware.urls import parse_device_url

ALL = ("pcsc", "serial", "camera", "file", "sim")


@pytest.mark.parametrize(("url", "scheme", "target", "options"), [
    ("pcsc://Virtual PCD 00 00", "pcsc", "Virtual PCD 00 00", {}),
    ("pcsc://Virtual%20PCD%2000%2001", "pcsc", "Virtual PCD 00 01", {}),
    ("pcsc://", "pcsc", "", {}),
    ("serial:///dev/ttyS0?baudrate=9600", "serial", "/dev/ttyS0", {"baudrate": "9600"}),
    ("camera://0", "camera", "0", {}),
    ("file:///srv/demo/frames.avi?loop=1", "file", "/srv/demo/frames.avi", {"loop": "1"}),
    ("SIM://?fault=paper_out,cover_open", "sim", "", {"fault": "paper_out,cover_open"}),
])
def test_parse(url: str, scheme: str, target: str, options: dict[str, str]) -> None:
    device = parse_device_url(url, allowed=ALL)
    assert (device.scheme, device.target, device.options) == (scheme, target, options)


def test_typed_options() -> None:
    device = parse_device_url("serial:///dev/ttyS0?baudrate=x&timeout=0.5", allowed=ALL)
    assert device.option_float("timeout", 1.0) == 0.5
    assert device.option_int("missing", 7) == 7
    with pytest.raises(DeviceUrlError, match="baudrate"):
        device.option_int("baudrate", 9600)


@pytest.mark.parametrize("url", ["/dev/ttyS0", "usb://04b8:0202"])
def test_rejected(url: str) -> None:
    with pytest.raises(DeviceUrlError):
        parse_device_url(url, allowed=ALL)
