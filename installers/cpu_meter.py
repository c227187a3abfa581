"""Where a benchmark's CPU goes: the server's processes, PostgreSQL's, and the load generator.

A throughput benchmark on a machine of two cores is bounded by the CPU that one operation
costs across all three; the split says which of them a change must make cheaper, and what
rate the machine allows at most (cores / CPU per operation). Read from /proc (Linux).
"""

from __future__ import annotations

import os
import resource
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class _Stat:
    pid: int
    ppid: int
    session: int
    cpu_seconds: float


def _stats() -> Iterator[_Stat]:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        # The command name (field 2) may hold spaces and parentheses: split after its end.
        fields = raw[raw.rindex(")") + 2:].split()
        yield _Stat(pid=int(entry.name), ppid=int(fields[1]), session=int(fields[3]),
                    cpu_seconds=(int(fields[11]) + int(fields[12])) / _TICKS)


def _postmaster(datadir: Path) -> int | None:
    try:
        return int((datadir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class CpuSplit:
    server: float
    database: float
    load: float  # this process: the benchmark's HTTP clients

    def note(self, operations: int, what: str) -> str:
        """'CPU per <what>: ...' for a benchmark's note."""
        total = self.server + self.database + self.load
        ceiling = (os.cpu_count() or 1) * operations / total if total else float("inf")
        return (f"CPU per {what}: server {1000 * self.server / operations:.1f} ms, "
                f"PostgreSQL {1000 * self.database / operations:.1f} ms, load generator "
                f"{1000 * self.load / operations:.1f} ms; {os.cpu_count()} cores allow "
                f"{ceiling:.0f}/s")


class CpuMeter:
    """`start()`, the work, `stop()` -> CpuSplit. The server is the session of
    `server_pid` (uvicorn and its workers); PostgreSQL is the postmaster of `datadir` and
    its children (backends keep their connections for the run, so none is lost by exiting)."""

    def __init__(self, server_pid: int, datadir: Path) -> None:
        self.server_pid, self.datadir = server_pid, datadir
        self._start: tuple[float, float, float] | None = None

    def _read(self) -> tuple[float, float, float]:
        postmaster = _postmaster(self.datadir)
        server = database = 0.0
        for stat in _stats():
            if stat.session == self.server_pid:
                server += stat.cpu_seconds
            elif postmaster is not None and postmaster in (stat.pid, stat.ppid):
                database += stat.cpu_seconds
        return server, database, _own_cpu()

    def start(self) -> None:
        self._start = self._read()

    def stop(self) -> CpuSplit:
        assert self._start is not None, "start() first"
        end = self._read()
        server, database, load = (b - a for a, b in zip(self._start, end, strict=True))
        return CpuSplit(server=server, database=database, load=load)
