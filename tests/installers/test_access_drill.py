"""The access drill, short: other organisations' staff try H1's records through the API."""

from __future__ import annotations

from pathlib import Path

import pytest

from installers.drills import access
from tests.installers.test_backup import state  # noqa: F401 (the fixture)


def test_no_cross_organisation_attempt_succeeds_and_each_is_audited(
        state: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(access, "ATTEMPTS", 120)
    result = access.drill_access()
    assert result.passed, (result.figures, result.details)
    assert "120 attempts" in result.figures and ", 0 not audited" in result.figures
    report = (state / "reports" / "drill-access.md").read_text()
    assert "| POST /users/{id}/freeze |" in report or "| GET /patients/{id} |" in report
