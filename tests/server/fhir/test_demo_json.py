"""The demo's .rxp/demo.json tells where the FHIR API is and which clients may use it."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from installers.demo import write_demo_json
from server.seed.demo import DemoGroup


def test_demo_json_gives_the_fhir_base_and_clients(tmp_path: Path, demo: DemoGroup) -> None:
    env: Any = SimpleNamespace(state=tmp_path)
    path = write_demo_json(env, demo, base_url="http://127.0.0.1:8123")
    fhir = json.loads(path.read_text())["fhir"]
    assert fhir["base_url"] == "http://127.0.0.1:8123/fhir"
    assert fhir["token_url"] == "http://127.0.0.1:8123/auth/token"
    assert {c["client_id"] for c in fhir["clients"]} == {"his-h1", "his-h2", "regional-chronic"}
    secrets = {c["client_id"]: c["client_secret"] for c in demo.clients}
    assert all(c["client_secret"] == secrets[c["client_id"]] for c in fhir["clients"])
