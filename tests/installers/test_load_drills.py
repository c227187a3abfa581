"""The load and crash_app drills, short: the actors against the real server (two workers), the
invariants afterwards; and, without a server, the parts that decide PASS or FAIL."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from installers.drills import crash_app, workload
from installers.drills.invariants import _prescriptions, _trace_codes
from installers.drills.loadgen import ClientSide, Ledger, Recorder, operation
from tests.installers.test_backup import state  # noqa: F401 (the fixture)


class TestClientSide:
    async def test_a_lost_answer_is_asked_again_with_the_same_key(self) -> None:
        seen: list[str] = []

        def server(request: httpx.Request) -> httpx.Response:
            seen.append(request.headers["Idempotency-Key"])
            if len(seen) == 1:
                raise httpx.RemoteProtocolError("server disconnected", request=request)
            return httpx.Response(201, json={"id": "rx-1"},
                                  headers={"Idempotent-Replayed": "true"})

        recorder, ledger = Recorder(), Ledger()
        side = ClientSide(recorder, ledger, retry=True)
        side.inner = httpx.MockTransport(server)  # type: ignore[assignment]
        async with httpx.AsyncClient(transport=side, base_url="http://rxp") as http:
            answer = await http.post("/prescriptions", json={"patient_id": "p"})
        assert answer.status_code == 201 and answer.json() == {"id": "rx-1"}
        assert len(seen) == 2 and seen[0] == seen[1]
        assert recorder.retries == 1 and ledger.prescriptions == {"rx-1"}
        assert ledger.replays == 1
        assert [s.operation for s in recorder.samples] == ["POST /prescriptions"]

    async def test_without_retries_the_lost_answer_is_the_callers_error(self) -> None:
        def server(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("refused", request=request)

        side = ClientSide(Recorder(), Ledger(), retry=False)
        side.inner = httpx.MockTransport(server)  # type: ignore[assignment]
        async with httpx.AsyncClient(transport=side, base_url="http://rxp") as http:
            with pytest.raises(httpx.ConnectError):
                await http.post("/prescriptions", json={})

    def test_operations_are_named_by_route(self) -> None:
        assert operation("POST", "/payments/sandbox/420002a1b05abc81c5fe1e3a94a3/pay") \
            == "POST /payments/sandbox/{id}/pay"
        assert operation("POST", "/review/tasks/7d1e4b52-2a7c-4a55-9b0f-52d1f3ad5e11/approve") \
            == "POST /review/tasks/{id}/approve"
        assert operation("GET", "/review/queue") == "GET /review/queue"


class TestInvariants:
    def test_a_write_stored_without_acknowledgement_is_a_duplicate(self) -> None:
        ledger = Ledger(prescriptions={"a", "b"})
        check = _prescriptions(ledger, {"a": 1, "c": 1})
        assert not check.ok and check.lost == 1 and check.duplicated == 1

    def test_a_code_acknowledged_twice_is_a_duplicate(self) -> None:
        class Env:
            def sql(self, statement: str, params: object = None) -> list[tuple[str]]:
                return [] if "HAVING" in statement else [("C1",)]

        ledger = Ledger(trace_codes=["C1", "C1"])
        check = _trace_codes(Env(), ledger)  # type: ignore[arg-type]
        assert not check.ok and check.duplicated == 1 and check.lost == 0


def test_the_load_drill_measures_and_its_invariants_hold(state: Path) -> None:  # noqa: F811
    result = workload.drill_load(seconds=10)
    assert result.passed, (result.figures, result.details)
    assert "0 server errors, 0 refused steps" in result.figures
    report = (state / "reports" / "drill-load.md").read_text()
    assert "| `POST /prescriptions/{id}/submit` |" in report
    for chart in ("throughput", "latency"):
        assert (state / "reports" / f"drill-load-{chart}.png").stat().st_size > 1000


def test_killed_server_processes_lose_and_duplicate_no_acknowledged_write(
        state: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(crash_app, "TAIL", 2.0)
    result = crash_app.drill_crash_app(kills=2, interval=3.0)
    assert result.passed, (result.figures, result.details)
    assert "(1 of a worker, 1 of the whole service)" in result.figures
    assert ": 0 lost, 0 duplicated" in result.figures
    report = (state / "reports" / "drill-crash_app.md").read_text()
    assert report.count("| worker |") == report.count("| service |") == 1
