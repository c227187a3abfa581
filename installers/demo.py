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
from typing import TYPE_CHECKING, Any

import httpx

from installers.local import LocalEnvironment
from installers.pgcluster import free_port

if TYPE_CHECKING:
    from installers.kiosk_demo import KioskDemo


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


def start_module(module: str, args: list[str], env: dict[str, str],
                 log_path: Path) -> subprocess.Popen[bytes]:
    """A `python -m` service of the suite beside the API server (the MLLP listener, the HIS
    simulator), logging where the server does."""
    log = open(log_path, "ab")
    return subprocess.Popen(
        [sys.executable, "-m", module, *args], env={**os.environ, **env}, stdout=log,
        stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parent.parent,
        start_new_session=True)


def wait_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on port {port}")


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


def start_insurance_simulator(state_dir: Path, port: int,
                              log_path: Path) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    """The insurance e-prescription centre's simulator (server/insurance/simulator.py) on
    `port`, with its key and the demo application's credentials kept in `state_dir`."""
    from server.insurance.simulator import load_state

    _, credentials = load_state(state_dir)  # made before the process starts, read by it
    log = open(log_path, "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "server.insurance.simulator", "--port", str(port),
         "--state-dir", str(state_dir)],
        stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parent.parent,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    return process, {"url": f"{url}/epc", "app_id": credentials.app_id,
                     "app_secret": credentials.app_secret,
                     "credentials_file": str(state_dir / "client.json"),
                     "simulator": url}


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _start_kiosk_demo(state: Path, demo_file: Path, *, display: bool) -> KioskDemo | None:
    """The kiosk's devices; without a display, the kiosk too (the launcher starts it
    otherwise). A kiosk that cannot start leaves the rest of the demo running."""
    from installers.kiosk_demo import KioskDemo

    kiosk = KioskDemo(state, demo_file)
    try:
        kiosk.start_devices()
        print(f"rxp demo: {kiosk.describe()}", flush=True)
        if not display:
            kiosk.start_kiosk(offscreen=True)
            print(f"rxp demo: kiosk running offscreen (log {state / 'kiosk' / 'kiosk.log'})",
                  flush=True)
    except Exception as exc:
        print(f"rxp demo: the kiosk did not start: {exc}", flush=True)
        kiosk.stop()
        return None
    return kiosk


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
    insurance, insurance_info = start_insurance_simulator(
        env.state / "insurance-sim", free_port(), env.state / "insurance-sim.log")
    # HL7 v2 over MLLP: the listener the HIS sends orders to, and an HIS simulator that
    # receives our dispense messages (it logs each to .rxp/his-simulator.jsonl).
    mllp_port = 2575 if _port_free(2575) else free_port()
    his_port = free_port()
    his_log = str(env.state / "his-simulator.jsonl")
    hl7 = {"mllp_host": "127.0.0.1", "mllp_port": mllp_port, "his_simulator_port": his_port,
           "his_simulator_log": his_log}
    path = write_demo_json(env, group, base_url=base_url,
                           extra={"insurance": insurance_info, "hl7": hl7})
    print(f"rxp demo: demo group seeded; accounts and credentials in {path}", flush=True)
    his_address = {"RXP_HL7_HIS_ADDRESSES": f"his-h1=127.0.0.1:{his_port}"}
    services = [
        start_module("server.hl7.simulator", ["--port", str(his_port), "--log", his_log], {},
                     env.state / "hl7.log"),
        start_module("server.hl7", [], {**env.server_env(), **his_address,
                                        "RXP_HL7_PORT": str(mllp_port)}, env.state / "hl7.log"),
    ]
    # The sandbox payment gateway calls the server back at its public address.
    server = start_server({**env.server_env(replicas=True), "RXP_PUBLIC_BASE_URL": base_url,
                           "RXP_INSURANCE_URL": insurance_info["url"],
                           "RXP_INSURANCE_CREDENTIALS": insurance_info["credentials_file"],
                           **his_address}, port, env.state / "server.log")
    # A service manager stops with SIGTERM: clean up as for Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    kiosk: KioskDemo | None = None
    try:
        ready = wait_ready(base_url, server)
        print(f"rxp demo: server ready at {base_url} (docs: {base_url}/docs) — {ready}", flush=True)
        wait_port(mllp_port, services[1])
        print(f"rxp demo: HL7 MLLP listener on 127.0.0.1:{mllp_port}, HIS simulator on "
              f"127.0.0.1:{his_port}", flush=True)
        if once:
            ok = run_journey(base_url, json.loads(path.read_text()))
            return 0 if ok else 1
        display = not headless and bool(os.environ.get("DISPLAY")
                                        or os.environ.get("WAYLAND_DISPLAY"))
        kiosk = _start_kiosk_demo(env.state, path, display=display)
        if display:
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
        if kiosk is not None:
            kiosk.stop()
        stop_server(server)
        stop_server(insurance)
        for service in services:
            stop_server(service)
        env.replica().stop()
        env.cluster.stop()
        print("rxp demo: server and database stopped", flush=True)
