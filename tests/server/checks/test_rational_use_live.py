"""The rational-drug-use adapter against its simulator running as a real HTTP server, and
after that server is stopped: "not checked", never "passed"."""

from __future__ import annotations

from server.checks.levels import Level
from server.checks.rational_use import rational_use_for_url
from server.checks.rational_use_sim import SimulatorState, create_simulator
from tests.asgi_server import AsgiServer
from tests.server.checks.conftest import AMLODIPINE, ASPIRIN, WARFARIN, line, request

WARFARIN_WITH_ASPIRIN = request(line(0, *WARFARIN), line(1, *ASPIRIN), line(2, *AMLODIPINE))


async def test_answers_over_http_then_not_checked_once_the_system_is_gone():
    sim = SimulatorState()
    server = AsgiServer(create_simulator(sim)).start()
    adapter = rational_use_for_url(server.url, timeout=1)
    try:
        result = await adapter.check(WARFARIN_WITH_ASPIRIN)
        assert result.checked and result.all_checked
        assert [x.level for x in result.lines] == [Level.RED, Level.RED, Level.BLUE]
        assert sim.requests == 1

        server.stop()
        gone = await adapter.check(WARFARIN_WITH_ASPIRIN)
    finally:
        server.stop()
        await adapter.aclose()
    assert not gone.checked and not gone.all_checked
    assert "无法连接" in (gone.reason or "")
    assert [x.level for x in gone.lines] == [Level.NOT_CHECKED] * 3
    assert gone.worst == Level.NOT_CHECKED and all(x.level != Level.BLUE for x in gone.lines)
