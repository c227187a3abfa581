"""ConnectivityMonitor against a real server that is stopped and started again."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from common.api import errors
from common.offline import Connectivity, ConnectivityMonitor
from tests.clients import wait_for

pytestmark = pytest.mark.slow


class TestMonitor:
    def test_notices_the_server_going_and_coming_back_within_five_seconds(self, api,
                                                                          live_server):
        monitor = ConnectivityMonitor(api)
        changes: list[Connectivity] = []
        monitor.add_listener(changes.append)
        monitor.start()
        try:
            assert monitor.probe() and monitor.online
            live_server.stop()
            stopped = datetime.now(UTC)
            started = time.monotonic()
            wait_for(lambda: not monitor.online, within=5, what="offline")
            assert time.monotonic() - started < 5
            state = monitor.state
            assert state.since >= stopped and state.reason
            assert state.label().startswith("离线（自 ")

            live_server.start()
            started = time.monotonic()
            wait_for(lambda: monitor.online, within=5, what="online again")
            assert monitor.state.label() == "在线"
        finally:
            monitor.stop()
        assert [c.online for c in changes] == [False, True]

    def test_a_failed_request_of_the_app_triggers_a_probe_at_once(self, api, live_server):
        monitor = ConnectivityMonitor(api, interval=60)  # only a report can wake it in time
        monitor.start()
        try:
            wait_for(lambda: monitor.online, what="first probe")
            live_server.stop()
            with pytest.raises(errors.ServerUnavailable):
                api.login("doctor_wang", "password", "123456")
            wait_for(lambda: not monitor.online, within=3, what="offline")
        finally:
            monitor.stop()
