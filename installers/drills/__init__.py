"""`rxp drill [name]`: the reliability drills, each printing one line

    DRILL <name> PASS|FAIL <figures>

and writing a Markdown report with its charts under `.rxp/reports/`. Every drill builds the
parts it needs in a folder of its own under `.rxp/drills/<name>/` (a real PostgreSQL cluster
with durable settings, the real server where it takes part) and removes them afterwards.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from installers.local import state_dir
from installers.pgcluster import PgCluster, free_port

if TYPE_CHECKING:
    from installers.database import DatabaseUrls

PR_SET_CHILD_SUBREAPER = 36


@dataclass
class DrillResult:
    name: str
    passed: bool
    figures: str
    report: Path | None = None
    details: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"DRILL {self.name} {'PASS' if self.passed else 'FAIL'} {self.figures}"


def workdir(name: str) -> Path:
    """The drill's own folder, emptied of what an earlier (interrupted) run left."""
    path = state_dir() / "drills" / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    path.parent.chmod(0o711)
    path.chmod(0o711)  # the unprivileged PostgreSQL user must reach its cluster inside
    return path


def seeded_cluster(base: Path, before_start: Callable[[PgCluster], object] | None = None
                   ) -> tuple[PgCluster, DatabaseUrls]:
    """A durable cluster of the drill's own in `base/primary`, started, with the two roles,
    the migrated schema, keys in `base/keys` and the demo group. `before_start` gets the
    initialised cluster first (the pitr drill switches WAL archiving on there)."""
    import asyncio

    from installers import database
    from server.core.keys import KeyMaterial, init_key_dir
    from server.core.migrations import upgrade
    from server.personal_data.cipher import FieldCipher
    from server.seed.runner import seed

    owner_password, app_password = "drill-owner", "drill-app"
    cluster = PgCluster(base / "primary", free_port())
    try:
        cluster.init()
        if before_start is not None:
            before_start(cluster)
        cluster.start()
        database.ensure_roles(cluster, owner_password, app_password)
        database.ensure_database(cluster, "rxp")
        urls = database.urls(cluster, "rxp", owner_password, app_password)
        upgrade(urls.owner, app_role=database.APP_ROLE)
        init_key_dir(base / "keys")
        asyncio.run(seed(urls.owner, FieldCipher(KeyMaterial.load(base / "keys").keyring)))
    except BaseException:
        cluster.destroy()  # the caller gets no cluster to stop
        raise
    return cluster, urls


def reports_dir() -> Path:
    path = state_dir() / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def become_subreaper() -> None:
    """Adopt the processes our children leave behind, as a service manager does.

    pg_ctl starts the postmaster detached: its parent becomes PID 1. Where PID 1 does not reap
    (a container's init), a killed postmaster stays a zombie, `pg_ctl` still sees its pid alive
    and refuses to start a new one. As a subreaper (Linux prctl PR_SET_CHILD_SUBREAPER) the
    drill adopts them and reaps them itself (`reap`)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def reap() -> int:
    """Collect every adopted child that has exited; how many."""
    reaped = 0
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return reaped
        if pid == 0:
            return reaped
        reaped += 1


def wait_gone(pid: int) -> None:
    """Until a killed process is gone: reaped by us when adopted, else by its own parent."""
    try:
        os.waitpid(pid, 0)  # adopted (become_subreaper): ours to reap
    except ChildProcessError:
        while True:  # someone else's child: wait until its parent reaps it
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


def _drills() -> dict[str, Callable[[], DrillResult]]:
    from installers.drills.access import drill_access
    from installers.drills.crash_app import drill_crash_app
    from installers.drills.crash_db import drill_crash_db
    from installers.drills.degraded import drill_degraded
    from installers.drills.failover import drill_failover
    from installers.drills.fuzz import drill_fuzz
    from installers.drills.handover import drill_handover
    from installers.drills.leak import drill_leak
    from installers.drills.patroni import drill_failover_patroni
    from installers.drills.pitr import drill_pitr
    from installers.drills.workload import drill_load

    return {"pitr": drill_pitr, "crash_db": drill_crash_db, "access": drill_access,
            "leak": drill_leak, "handover": drill_handover, "failover": drill_failover,
            "failover_patroni": drill_failover_patroni, "degraded": drill_degraded,
            "load": drill_load, "crash_app": drill_crash_app, "fuzz": drill_fuzz}


def names() -> list[str]:
    return list(_drills())


def main(wanted: list[str]) -> int:
    drills = _drills()
    unknown = [n for n in wanted if n not in drills]
    if unknown:
        print(f"rxp drill: unknown drill(s) {', '.join(unknown)}; known: {', '.join(drills)}")
        return 2
    results = []
    for name in wanted or list(drills):
        result = drills[name]()
        results.append(result)
        print(result.line(), flush=True)
        for detail in result.details:
            print(f"  {detail}")
        if result.report:
            print(f"  report: {result.report}")
    return 0 if all(r.passed for r in results) else 1
