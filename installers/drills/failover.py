"""The `failover` drill: the primary killed under load, its synchronous standby promoted.

Two durable clusters of the drill's own: node1, the primary, with node2 as its synchronous
standby (`synchronous_standby_names = 'node2'`, `synchronous_commit = on`), streaming through a
replication slot. The real server (uvicorn, two workers) reaches them through one multi-host URL
with `target_session_attrs=read-write`, and writers save drafts through it with idempotency keys
(installers/drills/load.py, as in crash_db). Then, under load:

1. node1's postmaster is killed (`kill -9`) and stays down: no one restarts it;
2. once it is seen down (as a failover manager confirms before acting), node2 is promoted;
   the server's pool drops the dead connections (the first one found dead empties it) and new
   ones find node2 writable;
   measured: until writes are acknowledged again (target <= 30 s from the kill);
3. node2 runs alone (asynchronously: no standby to wait for, as Patroni's non-strict
   synchronous mode does) for a while, then node1 is rewound with pg_rewind to where the
   timelines forked, rejoins as node2's standby through a slot of its own, and node2 makes it
   its synchronous standby again.

Afterwards the new primary holds exactly the acknowledged drafts (none lost, none twice), so
does the rejoined standby once it has replayed the new primary's WAL, it streams from the new
primary as its synchronous standby, and the audit chain verifies.

Why `synchronous_commit = on` and not `remote_apply`: `on` acknowledges a commit once the
standby has flushed its WAL to disk, which is what a promotion needs (promotion replays every
flushed record before accepting writes), so no acknowledged commit can be lost. `remote_apply`
would also wait until the standby has replayed it, which only matters to readers of the standby
wanting their own writes; the server sends no such read there (its replica reads tolerate lag),
and each commit would wait longer.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from installers import database
from installers.bench import BenchEnvironment
from installers.drills import DrillResult, become_subreaper, reap, reports_dir, wait_gone, workdir
from installers.drills.load import (
    Ledger,
    Load,
    ledger,
    prescriber_patient,
    stored_ids,
    under_load,
    wait_ready,
    writes_chart,
)
from installers.drills.pitr import verify_chain
from installers.pgcluster import PgCluster, free_port, read_write_url

LOAD_BEFORE = 6.0  # seconds of load before the kill
ALONE = 5.0  # seconds the promoted standby runs without a standby
LOAD_AFTER = 5.0  # seconds of load once the old primary is its synchronous standby again
DOWN_CONFIRM = 1.0  # the primary must stay unreachable this long before the promotion
RESUME_TARGET = 30.0

# Both nodes (node2 copies node1's configuration). wal_log_hints lets pg_rewind find every page
# changed after the fork; it must be on before it, hence at the cluster's creation.
NODE_SETTINGS = ["wal_log_hints = on", "synchronous_commit = on", "max_replication_slots = 10"]


class FailoverEnvironment(BenchEnvironment):
    """The benchmarks' environment with a second node; the server's URL names both."""

    def __init__(self, base: Path) -> None:
        super().__init__(base, cluster_settings=[*NODE_SETTINGS, "cluster_name = 'node1'"])
        self.standby: PgCluster | None = None

    @property
    def urls(self) -> database.DatabaseUrls:
        if self.standby is None:
            return super().urls
        nodes = [self.cluster, self.standby]
        return database.DatabaseUrls(
            name="rxp",
            app=read_write_url(nodes, database.APP_ROLE, self.app_password, "rxp"),
            owner=read_write_url(nodes, database.OWNER_ROLE, self.owner_password, "rxp"),
            superuser=self.cluster.superuser_url("rxp"))

    def add_synchronous_standby(self) -> None:
        self.standby = self.cluster.make_replica(
            self.base / "pg2", free_port(), slot="node2", settings=["cluster_name = 'node2'"])
        make_synchronous(self.cluster, "node2")

    def stop(self) -> None:
        super().stop()
        if self.standby is not None:
            self.standby.stop()


def make_synchronous(primary: PgCluster, standby_name: str, within: float = 30) -> None:
    """Commits on `primary` wait for `standby_name` from now on (once it is connected)."""
    primary.psql(f"ALTER SYSTEM SET synchronous_standby_names = '{standby_name}'")
    primary.psql("SELECT pg_reload_conf()")
    deadline = time.monotonic() + within
    while sync_state(primary, standby_name) != "sync":
        if time.monotonic() > deadline:
            raise TimeoutError(f"{standby_name} did not become synchronous within {within:g} s")
        time.sleep(0.1)


def sync_state(primary: PgCluster, standby_name: str) -> str:
    return primary.psql("SELECT sync_state FROM pg_stat_replication "
                        f"WHERE application_name = '{standby_name}'")


@dataclass
class Failover:
    at: float = 0.0  # the kill, seconds since the load began
    detected: float = 0.0  # seconds after the kill: the primary confirmed down
    promoted: float = 0.0  # node2 accepts writes
    writes_resumed: float = float("inf")  # the first acknowledged write after the kill
    ready: float = float("inf")  # the server answers /ready again
    rejoin_at: float = 0.0  # seconds since the load began
    rejoin_seconds: float = 0.0  # pg_rewind, start, streaming and synchronous again
    promoted_at: float = 0.0  # seconds since the load began (chart)


async def _fail_over(env: FailoverEnvironment, http: httpx.AsyncClient, load: Load) -> Failover:
    node1, node2 = env.cluster, env.standby
    assert node2 is not None
    await asyncio.sleep(LOAD_BEFORE)
    failover = Failover(at=load.since_start())
    killed = time.monotonic()
    pid = node1.kill9()
    await asyncio.to_thread(_confirm_down, node1)
    failover.detected = time.monotonic() - killed
    # Counted from here: an answer in flight at the kill is not a resumed write.
    resumed = asyncio.create_task(load.next_ack(killed, within=RESUME_TARGET * 2))
    await asyncio.to_thread(node2.promote)
    failover.promoted = time.monotonic() - killed
    failover.promoted_at = load.since_start()
    failover.writes_resumed = await resumed
    failover.ready = await wait_ready(http, killed, RESUME_TARGET * 2)
    await asyncio.sleep(ALONE)
    failover.rejoin_at = load.since_start()
    started = time.monotonic()
    await asyncio.to_thread(_rejoin, node1, node2, pid)
    failover.rejoin_seconds = time.monotonic() - started
    await asyncio.sleep(LOAD_AFTER)
    return failover


def _confirm_down(node: PgCluster) -> None:
    """Until the node has refused connections for DOWN_CONFIRM seconds in a row."""
    down_since: float | None = None
    while True:
        try:
            node.wait_ready(timeout=0.2)
            down_since = None
        except TimeoutError:
            down_since = down_since or time.monotonic()
            if time.monotonic() - down_since >= DOWN_CONFIRM:
                return


def _rejoin(node1: PgCluster, node2: PgCluster, pid: int | None) -> None:
    if pid is not None:
        wait_gone(pid)
    # The dead postmaster's backends notice its death and exit; pg_rewind's single-user
    # recovery needs the shared memory they hold. Their working folder is the data folder.
    deadline = time.monotonic() + 30
    while _processes_in(node1.datadir):
        reap()
        if time.monotonic() > deadline:
            raise TimeoutError("the old primary's processes did not exit within 30 s")
        time.sleep(0.05)
    reap()
    node1.rejoin_as_standby(node2, slot="node1", settings=["cluster_name = 'node1'"])
    node1.wait_ready()
    make_synchronous(node2, "node1")


def _processes_in(folder: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.readlink(entry / "cwd") == str(folder):
                    found.append(int(entry.name))
            except OSError:
                continue  # gone meanwhile, or not ours to look at
    return found


def _standby_ids(env: FailoverEnvironment, within: float = 30) -> set[str]:
    """The writers' drafts as the rejoined standby holds them, once it has replayed everything
    the new primary wrote until now."""
    node1, node2 = env.cluster, env.standby
    assert node2 is not None
    target = node2.psql("SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + within
    while node1.psql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") != "t":
        if time.monotonic() > deadline:
            raise TimeoutError(f"the standby did not replay up to {target} within {within:g} s")
        time.sleep(0.1)
    rows = node1.psql("SELECT id::text FROM prescription WHERE patient_id = "
                      f"'{prescriber_patient(env)}'", db="rxp")
    return set(rows.split()) if rows else set()


def drill_failover() -> DrillResult:
    base = workdir("failover")
    env = FailoverEnvironment(base)
    become_subreaper()
    try:
        env.start()
        env.add_synchronous_standby()
        base_url = env.serve()
        load, failover = asyncio.run(under_load(
            env, base_url, lambda http, load: _fail_over(env, http, load)))
        node1, node2 = env.cluster, env.standby
        assert node2 is not None
        count = ledger(load, stored_ids(env))  # through the multi-host URL: node2 now
        on_standby = ledger(load, _standby_ids(env))
        streams = node1.streams_from()
        rejoined = (node1.in_recovery() and not node2.in_recovery()
                    and streams == ("streaming", node2.port)
                    and sync_state(node2, "node1") == "sync")
        chain_ok, chain_text = asyncio.run(verify_chain(env.urls.owner))
        passed = (failover.writes_resumed <= RESUME_TARGET and count.lost == 0
                  and count.extra == 0 and on_standby.lost == 0 and on_standby.extra == 0
                  and rejoined and chain_ok)
        figures = _figures(failover, load, count, on_standby, rejoined, chain_ok)
        report = _report(load, failover, figures, passed, chain_text, streams)
        return DrillResult("failover", passed, figures, report)
    finally:
        env.stop()
        reap()
        shutil.rmtree(base, ignore_errors=True)


def _figures(failover: Failover, load: Load, count: Ledger, on_standby: Ledger, rejoined: bool,
             chain_ok: bool) -> str:
    return (f"primary killed; confirmed down in {failover.detected:.1f} s, standby promoted at "
            f"{failover.promoted:.1f} s, writes resumed in {failover.writes_resumed:.1f} s "
            f"(target <= {RESUME_TARGET:g}), server ready in {failover.ready:.1f} s; "
            f"{count.acked} acknowledged writes, {count.lost} lost, {count.extra} duplicated "
            f"({load.retries} retries, {load.replays} answered from the idempotency store); "
            f"old primary rewound and {'streaming as synchronous standby' if rejoined else 'NOT'}"
            f" {'' if rejoined else 'rejoined '}in {failover.rejoin_seconds:.1f} s, holding "
            f"{on_standby.acked - on_standby.lost}/{on_standby.acked} ({on_standby.extra} "
            f"extra); audit chain {'ok' if chain_ok else 'BROKEN'}")


def _report(load: Load, failover: Failover, figures: str, passed: bool, chain_text: str,
            streams: tuple[str, int] | None) -> Path:
    out = reports_dir()
    chart = writes_chart(out / "drill-failover-writes.png", load,
                         [(failover.at, "kill -9 primary"),
                          (failover.promoted_at, "standby promoted"),
                          (failover.rejoin_at, "old primary rejoins")],
                         "kill, promotion, rejoin")
    lines = [
        f"# Drill failover: {'PASS' if passed else 'FAIL'}", "", figures, "",
        f"![writes per second]({chart.name})", "",
        "| step | seconds after the kill |", "|---|---:|",
        f"| primary confirmed down ({DOWN_CONFIRM:g} s without an answer) | "
        f"{failover.detected:.2f} |",
        f"| standby promoted (`pg_ctl promote`) | {failover.promoted:.2f} |",
        f"| first acknowledged write | {failover.writes_resumed:.2f} |",
        f"| server answers /ready | {failover.ready:.2f} |", "",
        f"The promoted node ran without a standby for {ALONE:g} s (commits not waiting for any), "
        f"then the old primary was rewound (pg_rewind), started as its standby through the "
        f"slot `node1` and made synchronous again in {failover.rejoin_seconds:.2f} s; its WAL "
        f"receiver: {streams}.", "",
        "Configuration: `synchronous_standby_names` naming the standby, `synchronous_commit = "
        "on` (a commit is acknowledged once the standby has flushed it: what a promotion "
        "replays), `wal_log_hints = on` (pg_rewind), the server's `DATABASE_URL` naming both "
        "nodes with `target_session_attrs=read-write`.", "",
        f"Audit chain on the new primary: {chain_text}", ""]
    path = out / "drill-failover.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
