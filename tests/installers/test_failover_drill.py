"""The failover drill, short: the primary killed under load through the real server, its
synchronous standby promoted, the old primary rewound and back as the new one's standby."""

from __future__ import annotations

from pathlib import Path

import pytest

from installers.drills import failover
from tests.installers.test_backup import state  # noqa: F401 (the fixture)


def test_a_killed_primary_fails_over_without_losing_an_acknowledged_write(
        state: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(failover, "LOAD_BEFORE", 3.0)
    monkeypatch.setattr(failover, "ALONE", 1.5)
    monkeypatch.setattr(failover, "LOAD_AFTER", 1.5)
    result = failover.drill_failover()
    assert result.passed, result.figures
    assert ", 0 lost, 0 duplicated" in result.figures
    assert "streaming as synchronous standby" in result.figures
    report = (state / "reports" / "drill-failover.md").read_text()
    assert "standby promoted" in report and "('streaming'," in report
    assert (state / "reports" / "drill-failover-writes.png").stat().st_size > 1000
