"""`rxp drill [name]`: the reliability drills, each printing one line

    DRILL <name> PASS|FAIL <figures>

and writing a Markdown report with its charts under `.rxp/reports/`. Every drill builds the
parts it needs in a folder of its own under `.rxp/drills/<name>/` (a real PostgreSQL cluster
with durable settings, the real server where it takes part) and removes them afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from installers.local import state_dir


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
    path = state_dir() / "drills" / name
    path.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o711)
    path.chmod(0o711)  # the unprivileged PostgreSQL user must reach its cluster inside
    return path


def reports_dir() -> Path:
    path = state_dir() / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _drills() -> dict[str, Callable[[], DrillResult]]:
    from installers.drills.pitr import drill_pitr

    return {"pitr": drill_pitr}


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
