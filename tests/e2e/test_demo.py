"""`rxp demo --headless --once` end to end: its own cluster, a real uvicorn process, the journey."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
class TestDemoOnce:
    def test_runs_the_journey_and_exits_zero(self, workdir: Path) -> None:
        state = workdir / "demo-state"
        result = subprocess.run(
            [sys.executable, "-m", "installers.cli", "demo", "--headless", "--once"],
            env={**os.environ, "RXP_STATE_DIR": str(state)}, capture_output=True, text=True,
            timeout=240, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "journey completed" in result.stdout
        assert "[FAIL]" not in result.stdout
        demo = json.loads((state / "demo.json").read_text())
        roles = {role for account in demo["accounts"] for role in account["roles"]}
        assert roles == {"doctor", "pharmacist", "pharmacy_staff", "hospital_admin",
                         "system_admin", "security_admin", "auditor"}
        assert all(a["totp_secret"] and a["password"] for a in demo["accounts"])
        assert {c["kind"] for c in demo["clients"]} >= {"his", "regional", "insurance"}
        assert demo["base_url"].startswith("http://127.0.0.1:")
        # The insurance centre's simulator ran, and the server used it for the payment.
        insurance = demo["insurance"]
        assert insurance["url"].startswith("http://127.0.0.1:") and insurance["app_id"]
        assert json.loads(Path(insurance["credentials_file"]).read_text())["appId"] == \
            insurance["app_id"]
        assert f"HL7 MLLP listener on 127.0.0.1:{demo['hl7']['mllp_port']}" in result.stdout
        # Everything was stopped again.
        assert "server and database stopped" in result.stdout
        assert not (state / "pgdata" / "data" / "postmaster.pid").exists()
