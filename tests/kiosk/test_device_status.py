"""The kiosk reporting its devices to the real server: the receipt printer runs out of paper
while printing a patient's receipt, an operator sees the fault in `GET /devices/status`, and it
clears once paper is back (found by the kiosk's own device check, no patient needed)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pytestqt.qtbot import QtBot

from common.hardware.ptypair import PtyPair
from kiosk.devices import ReporterSettings
from kiosk.flow import Screen
from server.core.clock import FakeClock
from server.seed.demo import DemoGroup
from tests.clients import ServerThread
from tests.devices import VirtualCardSlot
from tests.kiosk.rig import (
    Rig,
    approved_prescription,
    build_rig,
    operator_headers,
    patient_card,
    tear_down,
)

pytestmark = pytest.mark.usefixtures("no_leaked_windows")


@pytest.fixture
def rig(qtbot: QtBot, live_server: ServerThread, demo: DemoGroup,
        virtual_card: VirtualCardSlot, pty_pair: PtyPair) -> Iterator[Rig]:
    built = build_rig(qtbot, live_server, demo, virtual_card, pty_pair.a, pty_pair.b,
                      device_check_ms=300, report_ms=100,
                      reporting=ReporterSettings(heartbeat_seconds=60))
    yield built
    tear_down(built)


def test_paper_out_while_printing_is_reported_and_clears_when_paper_is_back(
        rig: Rig, live_server: ServerThread, demo: DemoGroup, clock: FakeClock) -> None:
    rx = approved_prescription(live_server, demo, clock)
    operator = operator_headers(live_server, demo, clock)

    def devices(**params: Any) -> dict[str, dict[str, Any]]:
        answer = httpx.get(f"{live_server.url}/devices/status", headers=operator,
                           params=params, timeout=10)
        assert answer.status_code == 200, answer.text
        return {row["device"]: row for row in answer.json()}

    def printer_is(state: str, fault: str | None) -> bool:
        row = devices().get("printer")
        return row is not None and (row["state"], row["fault"]) == (state, fault)

    # At start the kiosk checks its devices and reports them: both working.
    rig.qtbot.waitUntil(lambda: printer_is("ok", None), timeout=10000)
    listed = devices()
    assert listed["card_reader"]["state"] == "ok"
    assert listed["printer"]["client_name"] and devices(faults_only=True) == {}

    rig.card.insert(patient_card(demo))
    rig.wait_for(Screen.PRESCRIPTIONS)
    rig.click(str(rx["number"]))
    rig.click("到药店自取")
    rig.qtbot.waitUntil(lambda: bool(rig.app.flow.visit and rig.app.flow.visit.options))
    rig.click("康宁")
    rig.click("确认选择")
    rig.wait_for(Screen.PAY)
    rig.printer_sim.printer.inject("paper_runs_out")
    rig.click("到药房窗口付款")
    rig.wait_for(Screen.DONE)  # the patient's flow went on: the code is on screen
    assert "[切纸]" not in rig.printed()

    rig.qtbot.waitUntil(lambda: printer_is("fault", "paper_out"), timeout=10000)
    faults = devices(faults_only=True)
    assert list(faults) == ["printer"] and "缺纸" in faults["printer"]["detail"]
    # Still out of paper at the kiosk's next checks: the fault stays.
    rig.qtbot.wait(800)
    assert printer_is("fault", "paper_out")
    rig.click("完成")
    rig.wait_for(Screen.HOME)

    rig.printer_sim.printer.clear()  # staff put a new roll in
    rig.qtbot.waitUntil(lambda: printer_is("ok", None), timeout=10000)
    assert devices(faults_only=True) == {}
    # The kiosk hears the server's answer just after the server stored it.
    rig.qtbot.waitUntil(lambda: not rig.app.devices.pending and not rig.app.devices.in_flight)
    assert rig.app.devices.failures == 0
