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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from installers.local import state_dir

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


def _drills() -> dict[str, Callable[[], DrillResult]]:
    from installers.drills.access import drill_access
    from installers.drills.crash_db import drill_crash_db
    from installers.drills.fuzz import drill_fuzz
    from installers.drills.leak import drill_leak
    from installers.drills.pitr import drill_pitr

    return {"pitr": drill_pitr, "crash_db": drill_crash_db, "access": drill_access,
            "leak": drill_leak, "fuzz": drill_fuzz}


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
