"""The `pitr` drill: base backup plus WAL archive, restored to a random past moment.

A durable cluster of its own with WAL archiving, the schema and the demo group; a verified base
backup; then writers append to the audit chain and the live-event log (the two tables that
grow fastest in production) for a while. At a random moment the writers pause, the moment is
taken from the database's clock and every table's row count and ordered digest recorded; the
writers resume and go on. The archive is then flushed, the cluster restored to that moment in
a new data folder, and every table compared, and the audit chain verified, on the restored one.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from installers.backup import BackupStore, table_digests
from installers.drills import DrillResult, reports_dir, seeded_cluster, workdir
from installers.drills.charts import line_chart
from installers.pgcluster import PgCluster, free_port

WRITE_SECONDS = 20.0
WRITERS = 4


async def _write(url: str, seconds: float, target_after: float,
                 ) -> tuple[datetime, dict[str, tuple[int, str]], list[float], int]:
    """Writers for `seconds`; after `target_after` s a pause in which the target moment and
    the digests are taken. Returns (moment, digests, commit times, commits)."""
    from server.audit import repository as audit_repository
    from server.core.db import make_engine

    engine = make_engine(url, pool_size=WRITERS + 1)
    running = asyncio.Event()
    running.set()
    in_flight = 0
    idle = asyncio.Event()  # set whenever no write is in flight
    idle.set()
    commits: list[float] = []
    start = time.monotonic()

    async def writer(n: int) -> None:
        nonlocal in_flight
        i = 0
        while time.monotonic() - start < seconds:
            await running.wait()
            in_flight += 1
            idle.clear()
            try:
                async with AsyncSession(engine) as session, session.begin():
                    await session.execute(text(
                        "INSERT INTO live_event (type, org_id, payload, user_ids, roles) VALUES "
                        "('drill.pitr', :org, CAST(:p AS jsonb), '{}', '{}')"),
                        {"org": org_id, "p": f'{{"writer": {n}, "i": {i}}}'})
                    await audit_repository.append(session, {
                        "occurred_at": datetime.now(UTC), "actor_kind": "system",
                        "actor_name": "drill pitr", "action": "drill.pitr.write",
                        "outcome": "success", "summary": {"writer": n, "i": i}})
                commits.append(time.monotonic() - start)
            finally:
                in_flight -= 1
                if not in_flight:
                    idle.set()
            i += 1

    async def mark() -> tuple[datetime, dict[str, tuple[int, str]]]:
        await asyncio.sleep(target_after)
        running.clear()
        await idle.wait()
        # Everything committed so far is before the moment, nothing after it until resumed.
        async with AsyncSession(engine) as session:
            moment = (await session.execute(text("SELECT clock_timestamp()"))).scalar_one()
        digests = await asyncio.to_thread(table_digests, url)
        await asyncio.sleep(0.2)  # a clear gap between the moment and the next commit
        running.set()
        return moment, digests

    async with AsyncSession(engine) as session:
        org_id = (await session.execute(text(
            "SELECT id FROM organisation ORDER BY path LIMIT 1"))).scalar_one()

    try:
        marking = asyncio.create_task(mark())
        await asyncio.gather(marking, *(writer(n) for n in range(WRITERS)))
    finally:
        await engine.dispose()
    moment, digests = marking.result()
    return moment, digests, commits, len(commits)


async def verify_chain(url: str) -> tuple[bool, str]:
    from server.audit.verify import verify_chain
    from server.core.db import make_engine

    engine = make_engine(url, pool_size=1)
    try:
        async with AsyncSession(engine) as session:
            result = await verify_chain(session, [])
        return result.ok, result.describe()
    finally:
        await engine.dispose()


def drill_pitr() -> DrillResult:
    base = workdir("pitr")
    store = BackupStore(base / "backup")
    cluster: PgCluster | None = None
    restored: PgCluster | None = None
    try:
        cluster, urls = seeded_cluster(base, store.enable_archiving)

        t0 = time.monotonic()
        backup = store.take(cluster)
        backup_seconds = time.monotonic() - t0
        target_after = random.uniform(0.25, 0.75) * WRITE_SECONDS
        moment, expected, commit_times, commits = asyncio.run(
            _write(urls.owner, WRITE_SECONDS, target_after))
        after_moment = sum(1 for t in commit_times if t > target_after)
        store.wait_archived(cluster)
        final = table_digests(cluster.superuser_url("rxp"))

        t0 = time.monotonic()
        restored = store.restore(moment, base / "restored", free_port(), cluster.bindir)
        restore_seconds = time.monotonic() - t0
        got = table_digests(restored.superuser_url("rxp"))
        chain_ok, chain_text = asyncio.run(verify_chain(restored.superuser_url("rxp")))

        differing = sorted(t for t in expected.keys() | got.keys() if expected.get(t) != got.get(t))
        moved_on = final != expected  # the drill is only meaningful if writes went on
        rows = sum(count for count, _ in expected.values())
        passed = backup.verified and not differing and chain_ok and moved_on and after_moment > 0
        figures = (f"backup {backup.size_bytes / 1e6:.1f} MB in {backup_seconds:.1f} s "
                   f"(verified {'yes' if backup.verified else 'NO'}); {commits} commits, "
                   f"target at {target_after:.1f} s with {after_moment} later commits undone; "
                   f"restore {restore_seconds:.1f} s; {len(expected)} tables, {rows} rows, "
                   f"{len(differing)} differing; audit chain {'ok' if chain_ok else 'BROKEN'}")
        details = [f"differs: {t} expected {expected.get(t)} got {got.get(t)}"
                   for t in differing[:10]]
        if not backup.verified:
            details.append(backup.verify_output[-500:])
        report = _report(moment, target_after, commit_times, figures, passed, expected, got,
                         differing, chain_text)
        return DrillResult("pitr", passed, figures, report, details)
    finally:
        if restored is not None:
            restored.destroy()
        if cluster is not None:
            cluster.destroy()
        shutil.rmtree(base, ignore_errors=True)


def _report(moment: datetime, target_after: float, commit_times: list[float], figures: str,
            passed: bool, expected: dict[str, tuple[int, str]], got: dict[str, tuple[int, str]],
            differing: list[str], chain_text: str) -> Path:
    out = reports_dir()
    seconds = int(max(commit_times, default=0)) + 1
    per_second = [0] * seconds
    for t in commit_times:
        per_second[int(t)] += 1
    chart = line_chart(out / "drill-pitr-writes.png", "commits per second during the pitr drill",
                       [s + 0.5 for s in range(seconds)], per_second,
                       x_label="seconds", y_label="commits/s",
                       markers=[(target_after, "restore target")])
    lines = [
        f"# Drill pitr: {'PASS' if passed else 'FAIL'}", "",
        f"{figures}", "",
        f"Restore target: {moment.isoformat()}", "",
        f"![commits per second]({chart.name})", "",
        "| table | rows at the target | rows restored | digest |",
        "|---|---:|---:|---|",
    ]
    for table in sorted(expected.keys() | got.keys()):
        e, g = expected.get(table, (0, "")), got.get(table, (0, ""))
        lines.append(f"| {table} | {e[0]} | {g[0]} | "
                     f"{'same' if table not in differing else 'DIFFERENT'} |")
    lines += ["", f"Audit chain of the restored database: {chain_text}", ""]
    path = out / "drill-pitr.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
