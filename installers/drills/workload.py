"""The `load` drill: doctors, pharmacists, kiosks, stores and a courier (installers/drills/
loadgen.py) for ten minutes against the real server running as two worker processes, over a
durable PostgreSQL cluster of the drill's own.

Measured: throughput (requests and whole journeys), p50 / p95 / p99 per operation. PASS when no
request got a server error (5xx), no actor's step was refused, and afterwards the invariants
hold (installers/drills/invariants.py): every acknowledged prescription, order and dispensed
package exists exactly once, no traceability code is dispensed twice, every prescription has its
audit events, and the audit chain verifies.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from installers.bench import BenchEnvironment, percentile
from installers.drills import DrillResult, reports_dir, workdir
from installers.drills.charts import grouped_bar_chart, line_chart
from installers.drills.invariants import Check, check_all
from installers.drills.loadgen import Ledger, Recorder, run_load

SECONDS = 600.0
WORKERS = 2


def drill_load(seconds: float | None = None) -> DrillResult:
    seconds = SECONDS if seconds is None else seconds
    base = workdir("load")
    env = BenchEnvironment(base)
    try:
        env.start()
        base_url = env.serve(workers=WORKERS)
        recorder, ledger, _ = asyncio.run(run_load(env, base_url, seconds, retry=False))
        checks = check_all(env, ledger)
    finally:
        env.stop()
        shutil.rmtree(base, ignore_errors=True)
    passed = (not recorder.server_errors and not recorder.failures and bool(recorder.journeys)
              and all(c.ok for c in checks))
    figures = summary(recorder, ledger, checks)
    details = recorder.server_errors[:10] + recorder.failures[:10] + [
        f"{c.name}: {c.figures}" for c in checks if not c.ok]
    report = write_report("load", passed, figures, recorder, checks, details)
    return DrillResult("load", passed, figures, report, details)


def summary(recorder: Recorder, ledger: Ledger, checks: list[Check]) -> str:
    elapsed = max(recorder.elapsed(), 1e-9)
    every = [s.ms for s in recorder.samples]
    slowest = max(recorder.percentiles().items(), key=lambda item: item[1][3])
    return (f"{elapsed:.0f} s, {WORKERS} server processes: {len(recorder.samples)} requests "
            f"({len(recorder.samples) / elapsed:.1f}/s), {len(recorder.journeys)} whole journeys "
            f"({len(recorder.journeys) * 60 / elapsed:.0f}/min), {ledger.writes} acknowledged "
            f"writes; all requests p50 {percentile(every, 0.5):.0f} / p95 "
            f"{percentile(every, 0.95):.0f} / p99 {percentile(every, 0.99):.0f} ms, slowest "
            f"p99 {slowest[1][3]:.0f} ms ({slowest[0]}); {len(recorder.server_errors)} server "
            f"errors, {len(recorder.failures)} refused steps; invariants: "
            + ", ".join(f"{c.name} {'ok' if c.ok else 'FAILED'}" for c in checks))


def write_report(name: str, passed: bool, figures: str, recorder: Recorder,
                 checks: list[Check], details: list[str],
                 markers: list[tuple[float, str]] | None = None,
                 extra: list[str] | None = None) -> Path:
    out = reports_dir()
    seconds = int(recorder.elapsed()) + 1
    per_second = recorder.per_second(seconds)
    window = 5  # a five-second moving sum: single seconds are too jumpy to read
    smoothed = [sum(per_second[max(0, i - window + 1): i + 1]) / min(window, i + 1)
                for i in range(seconds)]
    throughput = line_chart(
        out / f"drill-{name}-throughput.png",
        "requests answered per second (5 s average)" + ("; red: kill -9" if markers else ""),
        [s + 0.5 for s in range(seconds)], smoothed, x_label="seconds", y_label="requests/s",
        markers=markers or [])
    table = recorder.percentiles()
    labels = list(table)
    latency = grouped_bar_chart(out / f"drill-{name}-latency.png", "latency per operation (ms)",
                                labels, [("p50", [table[op][1] for op in labels]),
                                         ("p95", [table[op][2] for op in labels]),
                                         ("p99", [table[op][3] for op in labels])], unit="ms")
    lines = [f"# Drill {name}: {'PASS' if passed else 'FAIL'}", "", figures, "",
             f"![throughput]({throughput.name})", "", f"![latency]({latency.name})", "",
             *(extra or []),
             "## Invariants after the run", "", "| check | result | figures |", "|---|---|---|",
             *(f"| {c.name} | {'ok' if c.ok else 'FAILED'} | {c.figures} |" for c in checks),
             "", "## Latency per operation", "",
             "| operation | requests | p50 ms | p95 ms | p99 ms |", "|---|---:|---:|---:|---:|",
             *(f"| `{op}` | {n} | {p50:.1f} | {p95:.1f} | {p99:.1f} |"
               for op, (n, p50, p95, p99) in table.items()),
             "", *(f"- {d}" for d in details), ""]
    path = out / f"drill-{name}.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
