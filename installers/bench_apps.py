"""The desktop apps' benchmarks, for `rxp bench` (same BENCH lines, `installers.bench.Result`):

- `doctor_start`: cold start of the doctor app to its login window shown, in a fresh process
  (interpreter, imports, Qt, translations, fonts), measured by the parent from spawning the
  process to the child's report; the best of three runs (the first warms the disk cache).
- `doctor_memory`: resident memory (VmRSS) of the doctor app after logging in and opening the
  editor on a patient with a line checked, against a real server with the demo group.

The children run offscreen (`QT_QPA_PLATFORM=offscreen`), with a keyring that keeps nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from installers.bench import Result

APP_BENCHES = ("doctor_start", "doctor_memory")
START_TARGET_S = 2.0
MEMORY_TARGET_MB = 300.0
SHOWN = "RXP-BENCH-SHOWN"
RSS = "RXP-BENCH-RSS"


def _child_env() -> dict[str, str]:
    return os.environ | {"QT_QPA_PLATFORM": "offscreen", "PYTHON_KEYRING_BACKEND":
                         "keyring.backends.null.Keyring"}


def bench_doctor_start(runs: int = 3) -> Result:
    from installers.bench import Result

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "installers.bench_apps", "child-start"],
            stdout=subprocess.PIPE, text=True, env=_child_env())
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith(SHOWN):
                times.append(time.perf_counter() - started)
                break
        child.wait(30)
    best = min(times) if times else float("inf")
    return Result("doctor_start", best, "s", "<=", START_TARGET_S,
                  f"best of {runs}: " + ", ".join(f"{t:.2f}" for t in times))


def bench_doctor_memory() -> Result:
    from installers.bench import BenchEnvironment, Result

    env = BenchEnvironment()
    try:
        env.start()
        base_url = env.serve(workers=1)
        demo_file = env.base / "demo.json"
        demo_file.write_text(json.dumps({"base_url": base_url, **env.demo},
                                        ensure_ascii=False))
        out = subprocess.run([sys.executable, "-m", "installers.bench_apps", "child-memory",
                              str(demo_file)], capture_output=True, text=True,
                             env=_child_env(), timeout=120, check=False)
    finally:
        env.stop()
    rss = [line for line in out.stdout.splitlines() if line.startswith(RSS)]
    if not rss:
        raise RuntimeError(f"the doctor app did not report its memory:\n{out.stderr[-2000:]}")
    megabytes = int(rss[-1].split()[1]) / 1024
    return Result("doctor_memory", megabytes, "MB", "<=", MEMORY_TARGET_MB,
                  "VmRSS after login and the editor on a patient with a checked line")


def run_app_benches(wanted: set[str]) -> list[Result]:
    """The app benchmarks among `wanted`, each printed as it finishes."""
    results = []
    for name, bench in (("doctor_start", bench_doctor_start),
                        ("doctor_memory", bench_doctor_memory)):
        if name in wanted:
            results.append(bench())
            print(results[-1].line(), flush=True)
    return results


# -- the children ---------------------------------------------------------------------------------

def _child_start() -> int:
    from PySide6.QtCore import QCoreApplication

    from client_doctor.app import main

    def shown() -> None:
        print(SHOWN, flush=True)
        QCoreApplication.exit(0)

    # A server nobody listens on: the login window needs none.
    return main(["--server", "http://127.0.0.1:9", "--data-dir",
                 str(Path(tempfile.gettempdir()) / "rxp-bench-doctor")], on_login_shown=shown)


def _child_memory(demo_file: Path) -> int:
    from client_doctor.app import CATALOGUE, I18N_DIR, DoctorApp
    from common.demo import DemoDirectory
    from common.qt.app import create_application
    from common.qt.screens import wait_until

    app, _ = create_application("rxp-bench", [], catalogues=[(CATALOGUE, I18N_DIR)])
    demo = DemoDirectory.load(demo_file)
    api = demo.api()
    doctor = DoctorApp(api, data_dir=Path(tempfile.mkdtemp(prefix="rxp-bench-")),
                       demo_keys=demo.signing_keys())
    doctor.monitor.start()
    demo.log_in(doctor.session, "doctor_wang")
    assert doctor.session.user is not None
    doctor.show_main(doctor.session.user, None)
    window = doctor.window
    assert window is not None
    editor = window.editor
    editor.open_patient(demo.patient_id("吴敏"))
    wait_until(lambda: editor.editor is not None and not editor.busy, what="the patient")
    editor.on_search_chosen(api.search_catalogue("anl", limit=20).items[0])
    wait_until(lambda: editor.editor is not None and editor.editor.check is not None
               and not editor.busy, what="the check")
    status = Path("/proc/self/status").read_text()
    rss_kb = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))
    print(f"{RSS} {rss_kb}", flush=True)
    doctor.shutdown()
    app.processEvents()
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "child-start":
        raise SystemExit(_child_start())
    if command == "child-memory":
        raise SystemExit(_child_memory(Path(sys.argv[2])))
    raise SystemExit("usage: python -m installers.bench_apps child-start | child-memory FILE")
