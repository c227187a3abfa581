"""The CPU split of a benchmark, read from /proc for real processes that burn known CPU."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from installers.cpu_meter import CpuMeter, CpuSplit

# A process that, after the meter has started, burns `seconds` of CPU and stays alive (an
# exited child's CPU leaves /proc with it).
CHILD = ("import time\ntime.sleep(0.3)\nend = time.process_time() + {seconds}\n"
         "while time.process_time() < end: pass\ntime.sleep(30)\n")
# A parent that starts it, as uvicorn starts its workers and PostgreSQL its backends.
PARENT = "import subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', sys.argv[1]])\n" \
         "time.sleep(30)\n"


def _spawn(seconds: float) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", PARENT, CHILD.format(seconds=seconds)],
                            start_new_session=True)


def _burn_here(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_each_side_counts_its_own_processes(tmp_path: Path) -> None:
    server, postmaster = _spawn(0.6), _spawn(0.4)
    (tmp_path / "postmaster.pid").write_text(f"{postmaster.pid}\n{tmp_path}\n")
    meter = CpuMeter(server.pid, tmp_path)
    try:
        meter.start()
        _burn_here(0.3)
        time.sleep(1.5)  # the children start and burn
        split = meter.stop()
    finally:
        for process in (server, postmaster):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert 0.55 <= split.server <= 0.95
    assert 0.35 <= split.database <= 0.75
    assert 0.25 <= split.load <= 0.6


def test_a_missing_postmaster_counts_nothing(tmp_path: Path) -> None:
    meter = CpuMeter(os.getpid(), tmp_path)
    meter.start()
    assert meter.stop().database == 0


def test_note_gives_per_operation_figures_and_the_machine_ceiling() -> None:
    note = CpuSplit(server=1.0, database=0.5, load=0.5).note(100, "submit")
    assert "CPU per submit: server 10.0 ms, PostgreSQL 5.0 ms, load generator 5.0 ms" in note
    assert f"{os.cpu_count()} cores allow {os.cpu_count() * 50}/s" in note
