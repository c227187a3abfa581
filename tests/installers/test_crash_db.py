"""The crash_db drill, short: PostgreSQL killed under load through the real server."""

from __future__ import annotations

from pathlib import Path

import pytest

from installers.drills import crash_db
from tests.installers.test_backup import state  # noqa: F401 (the fixture)


def test_a_killed_database_loses_no_acknowledged_write(
        state: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(crash_db, "CRASHES", 2)
    monkeypatch.setattr(crash_db, "LOAD_BETWEEN", 2.0)
    result = crash_db.drill_crash_db()
    assert result.passed, result.figures
    assert ", 0 lost, 0 duplicated" in result.figures
    assert (state / "reports" / "drill-crash_db.md").read_text().count("| ") > 4
