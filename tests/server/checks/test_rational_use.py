"""The adapter to the hospital's rational-drug-use system, against the simulator that ships:
answers per line, and "not checked" (never passed) whenever the system cannot answer."""

from __future__ import annotations

import httpx
import pytest

from installers.pgcluster import free_port
from server.checks.levels import Level
from server.checks.model import CheckRequest
from server.checks.rational_use import (
    HttpRationalUseSystem,
    RationalUseResult,
    RationalUseSystem,
    rational_use_for_url,
)
from server.checks.rational_use_sim import SimulatorState, create_simulator
from tests.server.checks.conftest import (
    AMLODIPINE,
    ASPIRIN,
    WARFARIN,
    line,
    request,
    taking,
)

WARFARIN_WITH_ASPIRIN = request(line(0, *WARFARIN), line(1, *ASPIRIN), line(2, *AMLODIPINE))


@pytest.fixture
def sim() -> SimulatorState:
    return SimulatorState()


@pytest.fixture
async def system(sim):
    adapter = HttpRationalUseSystem("http://pass.sim", timeout=0.5,
                                    transport=httpx.ASGITransport(app=create_simulator(sim)))
    yield adapter
    await adapter.aclose()


async def check(system: RationalUseSystem, req: CheckRequest) -> RationalUseResult:
    return await system.check(req)


class TestAnswers:
    async def test_each_line_gets_its_level(self, system, sim):
        result = await check(system, WARFARIN_WITH_ASPIRIN)
        assert result.checked and result.system == "合理用药系统（模拟）"
        assert [line.level for line in result.lines] == [Level.RED, Level.RED, Level.BLUE]
        assert "出血" in result.line(0).messages[0]
        assert result.worst == Level.RED and result.all_checked
        sent = sim.seen[0]
        assert sent["lines"][0]["generic_name"] == "华法林钠片"

    async def test_current_medication_is_sent_and_used(self, system):
        result = await check(system, request(line(0, *WARFARIN),
                                             current_medications=taking(ASPIRIN)))
        assert result.line(0).level == Level.RED

    async def test_a_clean_prescription_is_blue_on_every_line(self, system):
        result = await check(system, request(line(0, *AMLODIPINE), line(1, *ASPIRIN)))
        assert [line.level for line in result.lines] == [Level.BLUE, Level.BLUE]


class TestNotChecked:
    @pytest.mark.parametrize(("mode", "reason"), [
        ("down", "HTTP 503"), ("error", "HTTP 500"), ("garbage", "应答格式不正确"),
        ("slow", "超时")])
    async def test_a_failing_system_leaves_every_line_not_checked(self, system, sim, mode,
                                                                  reason):
        sim.mode, sim.delay = mode, 5
        result = await check(system, WARFARIN_WITH_ASPIRIN)
        assert not result.checked and not result.all_checked
        assert [line.level for line in result.lines] == [Level.NOT_CHECKED] * 3
        assert reason in (result.reason or "")
        assert all(reason in line.messages[0] for line in result.lines)
        # Never "passed": the worst of the result is "not checked", above blue.
        assert result.worst == Level.NOT_CHECKED

    async def test_a_line_left_unanswered_is_not_checked(self, system, sim):
        sim.mode = "partial"
        result = await check(system, WARFARIN_WITH_ASPIRIN)
        assert result.line(0).level == Level.RED
        assert result.line(1).level == Level.NOT_CHECKED
        assert not result.all_checked

    async def test_a_system_nobody_listens_for_is_not_checked(self):
        adapter = HttpRationalUseSystem(f"http://127.0.0.1:{free_port()}", timeout=1)
        try:
            result = await check(adapter, WARFARIN_WITH_ASPIRIN)
        finally:
            await adapter.aclose()
        assert not result.checked and "无法连接" in (result.reason or "")
        assert {line.level for line in result.lines} == {Level.NOT_CHECKED}

    async def test_the_simulator_can_be_told_to_fail_over_http(self, sim):
        app = create_simulator(sim)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://pass.sim") as http:
            assert (await http.post("/_sim/fault", json={"mode": "down"})).status_code == 200
            assert (await http.get("/health")).json()["mode"] == "down"
            assert (await http.post("/_sim/fault", json={"mode": "melt"})).status_code == 422
        assert sim.mode == "down"


class TestChoosingByUrl:
    async def test_sim_url_runs_the_simulator_in_process(self):
        adapter = rational_use_for_url("sim://")
        try:
            result = await adapter.check(WARFARIN_WITH_ASPIRIN)
        finally:
            await adapter.aclose()
        assert result.line(0).level == Level.RED

    def test_an_unknown_scheme_is_refused(self):
        with pytest.raises(ValueError, match="sim://"):
            rational_use_for_url("pass://hospital")
