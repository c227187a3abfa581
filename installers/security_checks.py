"""The security part of `rxp test`'s static checks: bandit over our code and pip-audit over the
installed packages.

- bandit (settings in pyproject's [tool.bandit]): any finding of high severity fails.
- pip-audit: any known vulnerability fails. A machine that cannot reach a vulnerability
  service (none answers, or the one that answers knows none of the packages, as a registry
  mirror without PyPI's JSON API does) cannot tell: that is a WARN line saying what failed,
  not a pass and not a failure, so that CI without that service still runs the tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("server", "common", "installers", "client_doctor", "client_pharmacist",
            "client_pharmacy", "client_admin", "kiosk")
PIP_AUDIT_TIMEOUT = 300
# The services pip-audit can ask, in order: PyPI's JSON API, then OSV's.
SERVICES = ("pypi", "osv")


def bandit_command(paths: Sequence[str] = PACKAGES) -> list[str]:
    return [sys.executable, "-m", "bandit", "-c", str(ROOT / "pyproject.toml"), "-q", "-r",
            *paths, "--severity-level", "high"]


def pip_audit_command(service: str) -> list[str]:
    # --skip-editable: this project itself is installed editable and is not on any index.
    return [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off",
            "--skip-editable", "--vulnerability-service", service]


@dataclass(frozen=True)
class Audit:
    verdict: str  # "OK", "FAIL" (known vulnerabilities) or "WARN" (could not check)
    message: str

    def line(self) -> str:
        return f"{self.verdict} pip-audit: {self.message}"


def read_audit(returncode: int, stdout: str, stderr: str, service: str) -> Audit:
    """What one pip-audit run (`--format json`) says."""
    try:
        report = json.loads(stdout)
    except ValueError:
        lines = [line for line in stderr.strip().splitlines() if line.strip()]
        reason = lines[-1][:300] if lines else f"exit code {returncode}, no report"
        return Audit("WARN", f"service {service} not reachable: {reason}")
    deps = report.get("dependencies", []) if isinstance(report, dict) else report
    skipped = [d for d in deps if d.get("skip_reason")]
    audited = [d for d in deps if not d.get("skip_reason")]
    affected = [d for d in audited if d.get("vulns")]
    if affected:
        return Audit("FAIL", f"{sum(len(d['vulns']) for d in affected)} known vulnerabilities: "
                     + "; ".join(f"{d['name']} {d['version']}: "
                                 + ", ".join(v["id"] for v in d["vulns"]) for d in affected))
    if not audited:
        reason = skipped[0]["skip_reason"] if skipped else "no packages in the report"
        return Audit("WARN", f"service {service} checked none of {len(skipped)} packages "
                             f"(first: {reason})")
    note = f", {len(skipped)} not checked" if skipped else ""
    return Audit("OK", f"{len(audited)} packages checked against {service}, "
                       f"0 known vulnerabilities{note}")


def pip_audit(services: Sequence[str] = SERVICES) -> Audit:
    """The first service that can check the packages decides; if none can, a WARN naming
    what each one answered."""
    warnings = []
    for service in services:
        try:
            done = subprocess.run(pip_audit_command(service), capture_output=True, text=True,
                                  timeout=PIP_AUDIT_TIMEOUT, check=False, cwd=ROOT)
        except subprocess.TimeoutExpired:
            warnings.append(f"service {service} did not answer in {PIP_AUDIT_TIMEOUT} s")
            continue
        audit = read_audit(done.returncode, done.stdout, done.stderr, service)
        if audit.verdict != "WARN":
            return audit
        warnings.append(audit.message)
    return Audit("WARN", "known vulnerabilities NOT checked: " + " | ".join(warnings))


def run() -> int:
    """bandit, then pip-audit; the exit code `rxp test` uses (0: go on)."""
    print("$ " + " ".join(bandit_command()), flush=True)
    if subprocess.run(bandit_command(), cwd=ROOT, check=False).returncode != 0:
        print("FAIL bandit: findings of high severity (above)", flush=True)
        return 1
    print("OK bandit: 0 findings of high severity", flush=True)
    audit = pip_audit()
    print(audit.line(), flush=True)
    return 1 if audit.verdict == "FAIL" else 0
