"""The `crash_db` drill: PostgreSQL killed with SIGKILL under load, five times.

The real server (uvicorn, two workers) over a durable cluster of the drill's own; writers save
prescription drafts through the API as the doctor's app does, each with an idempotency key,
retrying the same key until the server acknowledges it. Every few seconds the postmaster is
killed (`kill -9`) and started again at once, as its service manager would: crash recovery
replays the WAL. Measured per crash: until PostgreSQL accepts connections (target < 10 s), until
the server answers ready (< 30 s) and until writes are acknowledged again. Afterwards the
database holds exactly the acknowledged drafts: none lost, none twice; the audit chain verifies.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from installers.bench import BenchEnvironment, Prescriber, login
from installers.drills import DrillResult, become_subreaper, reap, reports_dir, workdir
from installers.drills.charts import line_chart
from installers.drills.pitr import verify_chain

CRASHES = 5
LOAD_BETWEEN = 4.0  # seconds of load before each crash, and after the last
WRITERS = 6
ACCEPT_TARGET, READY_TARGET = 10.0, 30.0


@dataclass
class Crash:
    at: float  # seconds since the load began
    accepting: float = 0.0  # seconds until PostgreSQL accepted connections again
    ready: float = 0.0  # until the server answered /ready
    writes_resumed: float = 0.0  # until the first acknowledged write after the crash


@dataclass
class Load:
    acked: dict[str, str] = field(default_factory=dict)  # idempotency key -> prescription id
    ack_times: list[float] = field(default_factory=list)
    retries: int = 0
    replays: int = 0  # acknowledgements answered from the idempotency store
    start: float = field(default_factory=time.monotonic)


async def _writer(http: httpx.AsyncClient, prescriber: Prescriber, load: Load,
                  stop: asyncio.Event) -> None:
    while not stop.is_set():
        key = str(uuid.uuid4())
        while True:  # the same key until acknowledged: a retry can never write twice
            try:
                response = await http.post("/prescriptions", json=prescriber.body,
                                           headers={**prescriber.headers, "Idempotency-Key": key})
                if response.status_code == 201:
                    load.acked[key] = response.json()["id"]
                    load.ack_times.append(time.monotonic() - load.start)
                    load.replays += response.headers.get("idempotent-replayed") == "true"
                    break
                if response.status_code < 500:
                    raise RuntimeError(f"refused: {response.status_code} {response.text[:200]}")
            except httpx.TransportError:
                pass
            load.retries += 1
            await asyncio.sleep(0.2)


async def _wait_ready(http: httpx.AsyncClient, since: float, within: float) -> float:
    while time.monotonic() - since < within:
        try:
            if (await http.get("/ready", timeout=2)).status_code == 200:
                return time.monotonic() - since
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    return float("inf")


async def _run(env: BenchEnvironment, base_url: str) -> tuple[Load, list[Crash]]:
    load = Load()
    crashes: list[Crash] = []
    stop = asyncio.Event()
    limits = httpx.Limits(max_connections=WRITERS + 2)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as http:
        prescriber = Prescriber(env, http)
        prescriber.headers = await login(http, env.account("doctor_wang"))
        await prescriber.prepare()
        load.start = time.monotonic()
        writers = [asyncio.create_task(_writer(http, prescriber, load, stop))
                   for _ in range(WRITERS)]
        try:
            await _crash_repeatedly(env, http, load, crashes)
            await asyncio.sleep(LOAD_BETWEEN)
        finally:
            stop.set()
            # Each writer finishes the write in hand (retrying it until acknowledged).
            done, late = await asyncio.wait(writers, timeout=60)
            for task in late:
                task.cancel()
        for task in done:
            task.result()  # a writer's refusal (4xx) is the drill's failure, not silence
    return load, crashes


async def _crash_repeatedly(env: BenchEnvironment, http: httpx.AsyncClient, load: Load,
                            crashes: list[Crash]) -> None:
    for _ in range(CRASHES):
        await asyncio.sleep(LOAD_BETWEEN)
        crash = Crash(at=time.monotonic() - load.start)
        killed = time.monotonic()
        acked_before = len(load.ack_times)
        pid = env.cluster.kill9()
        # The service manager's part: start it again at once (crash recovery runs).
        await asyncio.to_thread(_restart, env, pid)
        crash.accepting = time.monotonic() - killed
        crash.ready = await _wait_ready(http, killed, READY_TARGET * 2)
        async with asyncio.timeout(60):
            while len(load.ack_times) == acked_before:  # noqa: ASYNC110 (polls a list)
                await asyncio.sleep(0.05)
        crash.writes_resumed = time.monotonic() - killed
        crashes.append(crash)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def prescriber_patient(env: BenchEnvironment) -> str:
    return str(next(p["id"] for p in env.demo["patients"] if p["name"] == "李娜"))


def _restart(env: BenchEnvironment, pid: int | None) -> None:
    # The killed postmaster's children notice and exit; its pid file stays behind, which
    # pg_ctl sees through once the pid is gone (reaped), as after a power cut.
    if pid is not None:
        try:
            os.waitpid(pid, 0)  # adopted (become_subreaper): ours to reap
        except ChildProcessError:
            while _alive(pid):  # someone else's child: wait until its parent reaps it
                time.sleep(0.05)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        reap()
        try:
            env.cluster.start(timeout=30)
            env.cluster.wait_ready(timeout=30)
            return
        except (RuntimeError, TimeoutError):
            time.sleep(0.2)  # children of the old postmaster still hold the shared memory
    tail = env.cluster.logfile.read_text(errors="replace")[-1500:]
    raise TimeoutError(f"PostgreSQL did not come back within 30 s:\n{tail}")


def drill_crash_db() -> DrillResult:
    base = workdir("crash_db")
    env = BenchEnvironment(base)
    become_subreaper()
    try:
        env.start()
        base_url = env.serve()
        load, crashes = asyncio.run(_run(env, base_url))
        rows = env.sql("SELECT id::text FROM prescription WHERE patient_id = %s",
                       (prescriber_patient(env),))
        stored = {r[0] for r in rows}
        acked = set(load.acked.values())
        lost, extra = len(acked - stored), len(stored - acked)
        chain_ok, chain_text = asyncio.run(verify_chain(env.urls.owner))
        worst = {k: max(getattr(c, k) for c in crashes)
                 for k in ("accepting", "ready", "writes_resumed")}
        passed = (len(crashes) == CRASHES and worst["accepting"] < ACCEPT_TARGET
                  and worst["ready"] < READY_TARGET and lost == 0 and extra == 0 and chain_ok)
        figures = (f"{CRASHES} kills; accepting again in max {worst['accepting']:.1f} s "
                   f"(target < {ACCEPT_TARGET:g}), server ready in max {worst['ready']:.1f} s "
                   f"(< {READY_TARGET:g}), writes resumed in max {worst['writes_resumed']:.1f} s; "
                   f"{len(acked)} acknowledged writes, {lost} lost, {extra} duplicated "
                   f"({load.retries} retries, {load.replays} answered from the idempotency "
                   f"store); audit chain {'ok' if chain_ok else 'BROKEN'}")
        report = _report(load, crashes, figures, passed, chain_text)
        return DrillResult("crash_db", passed, figures, report)
    finally:
        env.stop()
        shutil.rmtree(base, ignore_errors=True)


def _report(load: Load, crashes: list[Crash], figures: str, passed: bool,
            chain_text: str) -> Path:
    out = reports_dir()
    seconds = int(max(load.ack_times, default=0)) + 1
    per_second = [0] * seconds
    for t in load.ack_times:
        per_second[int(t)] += 1
    chart = line_chart(out / "drill-crash_db-writes.png",
                       "acknowledged writes per second; red: PostgreSQL killed",
                       [s + 0.5 for s in range(seconds)], per_second, x_label="seconds",
                       y_label="writes/s", markers=[(c.at, "kill -9") for c in crashes])
    lines: list[Any] = [
        f"# Drill crash_db: {'PASS' if passed else 'FAIL'}", "", figures, "",
        f"![writes per second]({chart.name})", "",
        "| kill at | accepting again | server ready | writes resumed |",
        "|---:|---:|---:|---:|",
        *(f"| {c.at:.1f} s | {c.accepting:.2f} s | {c.ready:.2f} s | {c.writes_resumed:.2f} s |"
          for c in crashes),
        "", f"Audit chain after the crashes: {chain_text}", ""]
    path = out / "drill-crash_db.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
