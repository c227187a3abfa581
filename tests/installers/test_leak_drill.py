"""The leak drill, short: patients registered through the API, every store and log scanned."""

from __future__ import annotations

from pathlib import Path

import pytest

from installers.drills import leak
from tests.installers.test_backup import state  # noqa: F401 (the fixture)


def test_no_identifier_is_stored_logged_or_shown_in_clear(
        state: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(leak, "PATIENTS", 300)
    result = leak.drill_leak()
    assert result.passed, (result.figures, result.details)
    assert ": 0 found in clear in 0 places" in result.figures


def test_the_scan_finds_what_is_there() -> None:
    secrets = leak.Secrets({"110105197112170018"}, {"13800001111"}, {"赵嘉懿"})
    data = "x 110105197112170018 y 13800001111 患者赵嘉懿来诊".encode()
    assert sorted(secrets.found_in(data)) == sorted(
        ["110105197112170018", "13800001111", "赵嘉懿"])
    assert secrets.found_in(data, names=False) == ["110105197112170018", "13800001111"]
    assert secrets.found_in("x 110105197112170019 13800001112 赵嘉".encode()) == []
