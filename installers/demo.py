"""`rxp demo`: the demo group on the embedded PostgreSQL, the API server, the scripted journey.

Writes `.rxp/demo.json`: the server's base URL and, for every demo account, its role,
organisation, user name, password and TOTP secret, plus the integration clients' credentials
and the FHIR base URL with the clients that may use it (`fhir`).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from installers.local import LocalEnvironment
from installers.pgcluster import free_port


def write_demo_json(env: LocalEnvironment, group: Any, *, base_url: str,
                    extra: dict[str, Any] | None = None) -> Path:
    document = {"base_url": base_url, **group.as_json(), **(extra or {})}
    # The FHIR API's base and the integration clients that may use it (their secrets are in
    # "clients"; docs/integrations-fhir.md).
    document["fhir"] = {
        "base_url": f"{base_url}/fhir", "token_url": f"{base_url}/auth/token",
        "clients": [{"client_id": c["client_id"], "client_secret": c["client_secret"],
                     "kind": c["kind"]}
                    for c in document.get("clients", []) if c.get("kind") in ("his", "regional")]}
    path = env.state / "demo.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(document, f, ensure_ascii=False, indent=2)
    return path


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start_server(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen[bytes]:
    log = open(log_path, "ab")
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "server.asgi:app_from_env",
         "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--no-access-log",
         # Open event streams would otherwise hold a stop for up to a token lifetime.
         "--timeout-graceful-shutdown", "5"],
        env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parent.parent, start_new_session=True,
    )


def wait_ready(base_url: str, server: subprocess.Popen[bytes],
               timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode} (see .rxp/server.log)")
        try:
            response = httpx.get(f"{base_url}/ready", timeout=2)
            last = response.json()
            if response.status_code == 200:
                return last
        except httpx.HTTPError as exc:
            last = str(exc)
        time.sleep(0.2)
    raise TimeoutError(f"server not ready: {last}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_demo(*, headless: bool, once: bool) -> int:
    from installers import cli
    from installers.journey import run_journey

    env = LocalEnvironment.load()
    print("rxp demo: starting the embedded PostgreSQL", flush=True)
    env.start_database()
    cli._ensure_keys()
    cli._migrate_local()
    group = asyncio.run(cli._seed_local())
    port = env.server_port if _port_free(env.server_port) else free_port()
    base_url = f"http://127.0.0.1:{port}"
    path = write_demo_json(env, group, base_url=base_url)
    print(f"rxp demo: demo group seeded; accounts and credentials in {path}", flush=True)
    # The sandbox payment gateway calls the server back at its public address.
    server = start_server({**env.server_env(replicas=True), "RXP_PUBLIC_BASE_URL": base_url},
                          port, env.state / "server.log")
    # A service manager stops with SIGTERM: clean up as for Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        ready = wait_ready(base_url, server)
        print(f"rxp demo: server ready at {base_url} (docs: {base_url}/docs) — {ready}", flush=True)
        if once:
            ok = run_journey(base_url, json.loads(path.read_text()))
            return 0 if ok else 1
        if not headless and (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            from installers.launcher import run_launcher

            print("rxp demo: opening the launcher; closing it ends the demo", flush=True)
            return run_launcher(path)
        print("rxp demo: serving until Ctrl-C", flush=True)
        while server.poll() is None:
            time.sleep(1)
        return server.returncode or 0
    except KeyboardInterrupt:
        return 0
    finally:
        stop_server(server)
        env.replica().stop()
        env.cluster.stop()
        print("rxp demo: server and database stopped", flush=True)
