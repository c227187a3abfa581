"""The fuzz drill, short: a few operations of each kind of caller, few examples each."""

from __future__ import annotations

from pathlib import Path

import pytest

from installers.drills import fuzz
from tests.installers.test_backup import state  # noqa: F401 (the fixture)

# Staff with a permission, a verified patient, an integration client, anonymous, and the
# gateway callback whose undocumented 404 the full drill found.
OPERATIONS = ("GET /users", "GET /patient/prescriptions", "POST /patient-access/card",
              "POST /auth/login", "POST /payments/notify/{gateway}")


def test_fuzzed_operations_answer_as_documented_and_refuse_invalid_input(
        state: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(fuzz, "EXAMPLES", 5)
    monkeypatch.setattr(fuzz, "FUZZERS", 1)
    monkeypatch.setattr(fuzz, "ONLY", OPERATIONS)
    result = fuzz.drill_fuzz()
    assert result.passed, (result.figures, result.details)
    assert result.figures.startswith(f"{len(OPERATIONS)} operations")
    assert "0 server errors, 0 schema violations, 0 operations failing" in result.figures
    report = (state / "reports" / "drill-fuzz.md").read_text()
    # Each operation ran with the caller its route requires, and got past the permission.
    assert "| GET /users | admin_h1 |" in report
    assert "| GET /patient/prescriptions | patient |" in report
    assert "| POST /patient-access/card | kiosk-h1-01 |" in report
    assert "| POST /auth/logout | ends the session" in report  # excluded, with the reason
    assert (state / "reports" / "drill-fuzz-examples.png").stat().st_size > 1000


def test_every_operation_is_called_by_someone_who_may_call_it(tmp_path: Path) -> None:
    """A permission no demo account or client holds would be fuzzed with a token that is
    refused: the drill would pass on 403s without exercising the operation."""
    from server.access.roles import client_permissions, permissions_for
    from server.core.keys import init_key_dir
    from server.seed.demo import CLIENTS, USERS

    init_key_dir(tmp_path / "keys")
    requirements = fuzz.route_requirements("postgresql+psycopg://x:y@127.0.0.1:9/rxp",
                                           tmp_path / "keys")
    roles = {u["username"]: [str(r) for r in u["roles"]] for u in USERS}
    kinds = {client_id: kind for client_id, _, kind, _ in CLIENTS}
    callers = fuzz.choose_callers(requirements, roles, kinds)
    assert len(requirements) > 150
    for label, need in requirements.items():
        caller = callers[label]
        if need in ("", "patient", "staff"):
            assert caller == {"": "", "patient": "patient"}.get(need, caller), label
            continue
        granted = (client_permissions(kinds[caller]) if caller in kinds
                   else permissions_for(roles[caller]))
        assert need in granted, (label, need, caller)
    assert requirements["POST /users"] == "user.manage"
    assert requirements["GET /patient/prescriptions"] == "patient"
