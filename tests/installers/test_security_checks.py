"""`rxp test`'s security checks: bandit's high findings fail, pip-audit's verdicts."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from installers import security_checks


def test_bandit_fails_on_a_high_severity_finding_and_passes_our_code(tmp_path: Path) -> None:
    bad = tmp_path / "shell.py"
    bad.write_text("import subprocess\n\n\ndef run(name):\n"
                   "    return subprocess.call('ls ' + name, shell=True)\n")
    found = subprocess.run(security_checks.bandit_command([str(tmp_path)]),
                           capture_output=True, text=True, check=False)
    assert found.returncode == 1 and "B602" in found.stdout
    ours = subprocess.run(security_checks.bandit_command(["common"]), capture_output=True,
                          text=True, check=False)
    assert ours.returncode == 0, ours.stdout + ours.stderr


def report(*deps: dict[str, object]) -> str:
    return json.dumps({"dependencies": list(deps), "fixes": []})


def test_a_known_vulnerability_fails() -> None:
    audit = security_checks.read_audit(1, report(
        {"name": "jinja2", "version": "2.10", "vulns": [{"id": "PYSEC-2019-217"}]},
        {"name": "httpx", "version": "0.28.1", "vulns": []}), "", "pypi")
    assert audit.verdict == "FAIL"
    assert audit.line() == "FAIL pip-audit: 1 known vulnerabilities: jinja2 2.10: PYSEC-2019-217"


def test_clean_packages_pass_and_say_how_many_were_checked() -> None:
    audit = security_checks.read_audit(0, report(
        {"name": "httpx", "version": "0.28.1", "vulns": []},
        {"name": "rxp-local", "version": "0.1", "skip_reason": "not on PyPI"}), "", "osv")
    assert audit.verdict == "OK"
    assert audit.message == "1 packages checked against osv, 0 known vulnerabilities, 1 not checked"


def test_a_service_that_knows_no_package_is_a_warning_not_a_pass() -> None:
    """A registry mirror without PyPI's JSON API answers 404 for every package: pip-audit then
    prints "No known vulnerabilities found" and exits 0."""
    skip = "Dependency not found on PyPI and could not be audited: alembic (1.20.1)"
    audit = security_checks.read_audit(0, report(
        {"name": "alembic", "version": "1.20.1", "skip_reason": skip}), "", "pypi")
    assert audit.verdict == "WARN" and "checked none of 1 packages" in audit.message


def test_an_unreachable_service_is_a_warning_with_its_error() -> None:
    audit = security_checks.read_audit(
        1, "", "Traceback ...\nrequests.exceptions.ConnectionError: Failed to resolve\n", "osv")
    assert audit == security_checks.Audit(
        "WARN", "service osv not reachable: requests.exceptions.ConnectionError: Failed to "
                "resolve")
