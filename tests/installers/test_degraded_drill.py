"""The degraded drill, short: the client library through a server outage, on a real server."""

from __future__ import annotations

from pathlib import Path

import pytest

from installers.drills import degraded
from tests.installers.test_backup import state  # noqa: F401 (the fixture)


def test_the_client_rides_out_an_outage_and_delivers_each_write_once(
        state: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(degraded, "QUEUED_DRAFTS", 3)
    monkeypatch.setattr(degraded, "IDLE_KILLS", 1)
    monkeypatch.setattr(degraded, "WORKERS", 1)  # the server starts three times: faster
    result = degraded.drill_degraded()
    assert result.passed, (result.figures, result.details)
    assert "4 writes queued, 4 delivered, 0 duplicates, 0 missing" in result.figures
    report = (state / "reports" / "drill-degraded.md").read_text()
    assert "kill -9 mid-delivery" in report
    assert (state / "reports" / "drill-degraded-outbox.png").stat().st_size > 1000
    assert (state / "reports" / "drill-degraded-paper.png").stat().st_size > 1000
    assert not (state / "drills" / "degraded").exists()  # the drill cleans up after itself
