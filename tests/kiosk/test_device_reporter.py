"""The device reporter alone on a clock moved by hand: what it sends on a change, on the
heartbeat, and while the server is down; checked against the server's own request schema."""

from __future__ import annotations

from typing import Any

from common.api.errors import ServerUnavailable
from common.hardware.errors import (
    CoverOpen,
    NoCardReader,
    PaperOut,
    PrinterUnavailable,
    ScannerDisconnected,
)
from kiosk.devices import DeviceReporter, DeviceState, ReporterSettings, scanner_device
from server.ops.devices.schemas import DeviceReportIn
from tests.clients import ManualClock

DOWN = ServerUnavailable()


def reporter(clock: ManualClock) -> DeviceReporter:
    return DeviceReporter(["card_reader", "camera", "printer"],
                          ReporterSettings(heartbeat_seconds=60, retry_seconds=5), clock=clock)


def states(body: dict[str, Any] | None) -> dict[str, tuple[str, str | None]]:
    assert body is not None
    DeviceReportIn.model_validate(body)  # what the server accepts, exactly
    return {d["device"]: (d["state"], d.get("fault")) for d in body["devices"]}


def test_changes_go_out_at_once_and_nothing_else_until_the_heartbeat() -> None:
    clock = ManualClock()
    devices = reporter(clock)
    assert devices.next_report() is None  # nothing checked yet: no guesses sent
    assert devices.ok("card_reader") and devices.ok("printer")
    assert states(devices.next_report()) == {"card_reader": ("ok", None),
                                             "printer": ("ok", None)}
    assert devices.next_report() is None  # one report on its way at a time
    devices.delivered()
    assert not devices.ok("printer")  # the same state again is no change
    clock.advance(seconds=30)
    assert devices.next_report() is None

    assert devices.failed("printer", PaperOut(after_printing=True))
    body = devices.next_report()
    assert states(body) == {"card_reader": ("ok", None), "printer": ("fault", "paper_out")}
    assert body is not None and "缺纸" in body["devices"][1]["detail"]
    devices.delivered()
    clock.advance(seconds=59)
    assert devices.next_report() is None
    clock.advance(seconds=1)  # 60 s after the last delivery: the heartbeat, unchanged
    assert states(devices.next_report())["printer"] == ("fault", "paper_out")
    devices.delivered()

    assert devices.ok("printer")  # paper back
    assert states(devices.next_report())["printer"] == ("ok", None)
    devices.delivered()
    assert not devices.pending and devices.next_report() is None


def test_a_change_while_a_report_is_on_its_way_follows_it() -> None:
    clock = ManualClock()
    devices = reporter(clock)
    devices.ok("printer")
    assert states(devices.next_report()) == {"printer": ("ok", None)}
    devices.failed("printer", CoverOpen())
    devices.ok("camera")
    assert devices.next_report() is None and devices.in_flight
    devices.delivered()
    assert devices.pending
    assert states(devices.next_report()) == {"camera": ("ok", None),
                                             "printer": ("fault", "cover_open")}


def test_server_down_keeps_only_the_latest_state_and_backs_off() -> None:
    clock = ManualClock()
    devices = reporter(clock)
    devices.ok("card_reader")
    devices.failed("printer", PaperOut())
    assert devices.next_report() is not None
    devices.undelivered(DOWN)
    assert devices.failures == 1 and devices.pending
    # Faults come and go while the server is down; only the state of the moment is kept.
    devices.ok("printer")
    devices.failed("printer", PrinterUnavailable())
    devices.failed("card_reader", NoCardReader())
    assert devices.next_report() is None  # within the retry pause
    pauses = []
    for _ in range(6):
        waited = 0
        while (body := devices.next_report()) is None:
            clock.advance(seconds=1)
            waited += 1
        pauses.append(waited)
        assert states(body) == {"card_reader": ("fault", "disconnected"),
                                "printer": ("fault", "disconnected")}
        devices.undelivered(DOWN)
    assert pauses == [5, 10, 20, 40, 60, 60]  # doubling, never longer than the heartbeat

    devices.ok("printer")  # the server comes back: what is true now goes, once
    clock.advance(seconds=60)
    assert states(devices.next_report()) == {"card_reader": ("fault", "disconnected"),
                                             "printer": ("ok", None)}
    devices.delivered()
    assert devices.failures == 0 and not devices.pending
    clock.advance(seconds=1)
    assert devices.next_report() is None  # no pause left over from the outage
    devices.failed("camera", ScannerDisconnected())
    assert states(devices.next_report())["camera"] == ("fault", "disconnected")


def test_devices_not_configured_are_not_reported_and_names_follow_the_url() -> None:
    devices = DeviceReporter(["printer"], clock=ManualClock())
    assert not devices.ok("card_reader")
    assert devices.next_report() is None
    assert scanner_device("camera://0?dedupe=2") == "camera"
    assert scanner_device("file:///tmp/slip.avi") == "camera"
    assert scanner_device("serial:///dev/ttyUSB0") == "scanner"
    long = DeviceState("printer", "printer_error", "故" * 900).wire()
    assert len(long["detail"]) == 500
    DeviceReportIn.model_validate({"devices": [long]})
