"""The `crash_app` drill: server processes killed with SIGKILL under load, every 30 s, ten times.

The load of the `load` drill (installers/drills/loadgen.py) runs against the server as production
runs it (installers/deploy/systemd/rxp-api.service): a uvicorn master with two worker processes,
under a service manager that starts it again (Restart=always, RestartSec=2). The kills alternate
between the two ways a server process dies:

- one worker (`kill -9 <worker>`): uvicorn's master notices within half a second and starts a
  replacement; the other worker goes on answering;
- the whole service (`kill -9` of the master and its workers, as an OOM kill of the unit or
  systemd's cgroup kill leaves it): nothing answers until the drill, in the service manager's
  part, starts it again on the same port after RestartSec.

Requests in flight die with their process. The clients send each again with the same
Idempotency-Key until it is answered (loadgen.ClientSide). PASS when afterwards the database
holds exactly what was acknowledged (installers/drills/invariants.py): no acknowledged write
lost, none stored twice, every prescription's audit events once each, the audit chain intact.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from installers.bench import BenchEnvironment
from installers.drills import DrillResult, workdir
from installers.drills.invariants import check_all
from installers.drills.loadgen import WRITE_METHODS, Recorder, run_load
from installers.drills.workload import WORKERS, summary, write_report

KILLS = 10
INTERVAL = 30.0  # seconds of load before each kill
TAIL = 15.0  # seconds of load after the last kill's recovery
RESTART_SEC = 2.0  # systemd's RestartSec in rxp-api.service


@dataclass
class Kill:
    at: float  # seconds since the load began
    what: str  # "worker" or "service"
    pid: int
    back_in: float = float("inf")  # until a new worker ran / the service answered /ready
    writes_resumed: float = float("inf")  # until the next acknowledged write (from samples)


def workers_of(master: int) -> list[int]:
    """The master's worker processes (its children running the multiprocessing spawn)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == master and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return sorted(found)


class Killer:
    """The drill's hand on the server, and the service manager's."""

    def __init__(self, env: BenchEnvironment, port: int, kills: int, interval: float) -> None:
        self.env, self.port, self.kills, self.interval = env, port, kills, interval
        self.done: list[Kill] = []

    async def __call__(self, recorder: Recorder) -> list[Kill]:
        for n in range(self.kills):
            # On the clock (every `interval` s since the load began), not `interval` after the
            # last recovery.
            await asyncio.sleep(max(0.0, (n + 1) * self.interval - recorder.elapsed()))
            if n % 2 == 0:
                await self._kill_worker(recorder)
            else:
                await self._kill_service(recorder)
        return self.done

    async def _kill_worker(self, recorder: Recorder) -> None:
        assert self.env.server is not None
        master = self.env.server.pid
        before = workers_of(master)
        victim = before[-1]
        killed = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        kill = Kill(recorder.elapsed(), "worker", victim)
        self.done.append(kill)
        while time.monotonic() - killed < 60:
            now = workers_of(master)
            if len(now) >= WORKERS and victim not in now:
                kill.back_in = time.monotonic() - killed
                return
            await asyncio.sleep(0.05)

    async def _kill_service(self, recorder: Recorder) -> None:
        server = self.env.server
        assert server is not None
        killed = time.monotonic()
        os.killpg(server.pid, signal.SIGKILL)  # the master and its workers, all at once
        kill = Kill(recorder.elapsed(), "service", server.pid)
        self.done.append(kill)
        await asyncio.to_thread(server.wait)
        await asyncio.sleep(RESTART_SEC)
        await asyncio.to_thread(self.env.serve, WORKERS, port=self.port, ready_within=120)
        kill.back_in = time.monotonic() - killed


def _writes_resumed(kills: list[Kill], recorder: Recorder) -> None:
    acknowledged = sorted(s.at for s in recorder.samples
                          if s.operation.split()[0] in WRITE_METHODS and s.status < 300)
    for kill in kills:
        later = next((t for t in acknowledged if t > kill.at), None)
        if later is not None:
            kill.writes_resumed = later - kill.at


def drill_crash_app(kills: int | None = None, interval: float | None = None) -> DrillResult:
    kills = KILLS if kills is None else kills
    interval = INTERVAL if interval is None else interval
    base = workdir("crash_app")
    env = BenchEnvironment(base)
    try:
        env.start()
        base_url = env.serve(workers=WORKERS)
        killer = Killer(env, int(base_url.rsplit(":", 1)[1]), kills, interval)
        recorder, ledger, done = asyncio.run(run_load(env, base_url, TAIL, retry=True,
                                                      during=killer))
        checks = check_all(env, ledger)
    finally:
        env.stop()
        shutil.rmtree(base, ignore_errors=True)
    done = done or killer.done
    _writes_resumed(done, recorder)
    worst_back = max((k.back_in for k in done), default=float("inf"))
    worst_resumed = max((k.writes_resumed for k in done), default=float("inf"))
    lost_or_twice = [c for c in checks if not c.ok]
    lost, duplicated = sum(c.lost for c in checks), sum(c.duplicated for c in checks)
    passed = (len(done) == kills and not lost_or_twice and not recorder.server_errors
              and not recorder.failures and worst_resumed < 60)
    figures = (f"{len(done)} kills -9 ({sum(k.what == 'worker' for k in done)} of a worker, "
               f"{sum(k.what == 'service' for k in done)} of the whole service) every "
               f"{interval:g} s; back in max {worst_back:.1f} s, writes resumed in max "
               f"{worst_resumed:.1f} s; {ledger.writes} acknowledged writes "
               f"({recorder.retries} requests sent again, {ledger.replays} answered from the "
               f"idempotency store): {lost} lost, {duplicated} duplicated. Load: "
               + summary(recorder, ledger, checks))
    details = recorder.server_errors[:10] + recorder.failures[:10] + [
        f"{c.name}: {c.figures}" for c in lost_or_twice]
    table = ["## Kills", "", "| kill at | process | pid | back in | writes resumed in |",
             "|---:|---|---:|---:|---:|",
             *(f"| {k.at:.1f} s | {k.what} | {k.pid} | {k.back_in:.2f} s | "
               f"{k.writes_resumed:.2f} s |" for k in done),
             "", "Back in: a worker's replacement started by uvicorn's master; the whole "
             f"service answering /ready again after the restart ({RESTART_SEC:g} s RestartSec "
             "included).", f"Payments sent again by the wallet (the sandbox gateway's "
             f"callback died with its process): {recorder.payments_sent_again}.", ""]
    report = write_report("crash_app", passed, figures, recorder, checks, details,
                          markers=[(k.at, f"kill -9 {k.what}") for k in done], extra=table)
    return DrillResult("crash_app", passed, figures, report, details)
