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
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from installers.bench import BenchEnvironment
from installers.drills import DrillResult, become_subreaper, reap, reports_dir, wait_gone, workdir
from installers.drills.load import Load, ledger, stored_ids, under_load, wait_ready, writes_chart
from installers.drills.pitr import verify_chain

CRASHES = 5
LOAD_BETWEEN = 4.0  # seconds of load before each crash, and after the last
ACCEPT_TARGET, READY_TARGET = 10.0, 30.0


@dataclass
class Crash:
    at: float  # seconds since the load began
    accepting: float = 0.0  # seconds until PostgreSQL accepted connections again
    ready: float = 0.0  # until the server answered /ready
    writes_resumed: float = 0.0  # until the first acknowledged write after the crash


async def _crash_repeatedly(env: BenchEnvironment, http: httpx.AsyncClient,
                            load: Load) -> list[Crash]:
    crashes: list[Crash] = []
    for _ in range(CRASHES):
        await asyncio.sleep(LOAD_BETWEEN)
        crash = Crash(at=load.since_start())
        killed = time.monotonic()
        resumed = asyncio.create_task(load.next_ack(killed))
        pid = env.cluster.kill9()
        # The service manager's part: start it again at once (crash recovery runs).
        await asyncio.to_thread(_restart, env, pid)
        crash.accepting = time.monotonic() - killed
        crash.ready = await wait_ready(http, killed, READY_TARGET * 2)
        crash.writes_resumed = await resumed
        crashes.append(crash)
    await asyncio.sleep(LOAD_BETWEEN)
    return crashes


def _restart(env: BenchEnvironment, pid: int | None) -> None:
    # The killed postmaster's children notice and exit; its pid file stays behind, which
    # pg_ctl sees through once the pid is gone (reaped), as after a power cut.
    if pid is not None:
        wait_gone(pid)
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
        load, crashes = asyncio.run(under_load(
            env, base_url, lambda http, load: _crash_repeatedly(env, http, load)))
        count = ledger(load, stored_ids(env))
        lost, extra = count.lost, count.extra
        chain_ok, chain_text = asyncio.run(verify_chain(env.urls.owner))
        worst = {k: max(getattr(c, k) for c in crashes)
                 for k in ("accepting", "ready", "writes_resumed")}
        passed = (len(crashes) == CRASHES and worst["accepting"] < ACCEPT_TARGET
                  and worst["ready"] < READY_TARGET and lost == 0 and extra == 0 and chain_ok)
        figures = (f"{CRASHES} kills; accepting again in max {worst['accepting']:.1f} s "
                   f"(target < {ACCEPT_TARGET:g}), server ready in max {worst['ready']:.1f} s "
                   f"(< {READY_TARGET:g}), writes resumed in max {worst['writes_resumed']:.1f} s; "
                   f"{count.acked} acknowledged writes, {lost} lost, {extra} duplicated "
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
    chart = writes_chart(out / "drill-crash_db-writes.png", load,
                         [(c.at, "kill -9") for c in crashes], "PostgreSQL killed")
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
