"""The kiosk's benchmark, for `rxp bench` (same BENCH line, `installers.bench.Result`):

- `kiosk_card`: a patient's card inserted -> that patient's prescriptions on the kiosk's screen,
  against a local server (two workers over the benchmarks' own seeded cluster) with three
  approved prescriptions for the patient. The card goes into the real PC/SC stack (pcscd, the
  vpcd reader driver, our card emulator) when pcscd and vpcd are installed, else into the
  simulated reader; the line says which.

The kiosk runs in a child process (offscreen Qt): the real app, window and service, the card
emulator in the same process so the clock starts at the moment the card goes in. A time ends
when the prescriptions page, holding the prescription numbers, has been painted. One visit
warms up (the kiosk's own token, connections); then `runs` visits, each ended by pulling the
card. The figure is the slowest of them.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from installers.bench import Result

KIOSK_BENCHES = ("kiosk_card",)
CARD_TARGET_S = 1.0
PATIENT = "李娜"  # the benchmarks' prescriber writes for her
REPORT = "RXP-BENCH-KIOSK"
SIMULATOR = "sim://"


def _child_env() -> dict[str, str]:
    return os.environ | {"QT_QPA_PLATFORM": "offscreen"}


def bench_kiosk_card(runs: int = 10) -> Result:
    from installers.bench import BenchEnvironment, Result
    from installers.bench_circulation import Circulation
    from installers.kiosk_devices import optional_vpcd_slot

    env = BenchEnvironment()
    try:
        env.start()
        base_url = env.serve()

        async def prescribe() -> list[str]:
            async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
                flow = Circulation(env, http)
                await flow.prepare()
                return [str((await flow.approved())["number"]) for _ in range(3)]

        numbers = asyncio.run(prescribe())
        demo_file = env.base / "demo.json"
        demo_file.write_text(json.dumps({"base_url": base_url, **env.demo},
                                        ensure_ascii=False))
        with optional_vpcd_slot() as slot:
            card = (slot.url, slot.port) if slot is not None else (SIMULATOR, 0)
            out = subprocess.run(
                [sys.executable, "-m", "installers.bench_kiosk", "child", str(demo_file),
                 card[0], str(card[1]), str(runs), ",".join(numbers)],
                capture_output=True, text=True, env=_child_env(), timeout=300, check=False)
    finally:
        env.stop()
    reports = [line for line in out.stdout.splitlines() if line.startswith(REPORT)]
    if not reports:
        raise RuntimeError(f"the kiosk did not report its times:\n{out.stderr[-3000:]}")
    times = [float(t) for t in reports[-1].split()[1:]]
    stack = ("pcscd + vpcd + card emulator" if card[0] != SIMULATOR
             else "simulated reader: pcscd or vsmartcard-vpcd not installed")
    return Result("kiosk_card", max(times), "s", "<=", CARD_TARGET_S,
                  f"{stack}; slowest of {len(times)} visits, median "
                  f"{statistics.median(times):.2f} s, {len(numbers)} prescriptions")


def run_kiosk_benches(wanted: set[str]) -> list[Result]:
    results = []
    if "kiosk_card" in wanted:
        results.append(bench_kiosk_card())
        print(results[-1].line(), flush=True)
    return results


# -- the child ------------------------------------------------------------------------------------

def _child(demo_file: Path, card_url: str, port: int, runs: int, numbers: list[str]) -> int:
    from common.hardware import open_card_reader
    from common.hardware.card.emulator import VpcdCardEmulator
    from common.hardware.card.profile import CardProfile
    from common.hardware.card.simulator import SimulatedCardReader
    from common.hardware.printer.simulator import SimulatedPrinter
    from common.qt.app import create_application
    from common.qt.screens import wait_until
    from kiosk.app import KioskApp
    from kiosk.flow import Screen
    from kiosk.service import KioskService
    from kiosk.texts import CATALOGUES
    from kiosk.ui.window import KioskWindow

    create_application("rxp-bench-kiosk", [], catalogues=CATALOGUES)
    demo: dict[str, Any] = json.loads(demo_file.read_text(encoding="utf-8"))
    client = next(c for c in demo["clients"] if c["kind"] == "kiosk")
    patient = next(p for p in demo["patients"] if p["name"] == PATIENT)
    card = CardProfile.insurance(patient["insurance_card"], PATIENT)
    emulator: VpcdCardEmulator | None = None
    simulated: SimulatedCardReader | None = None
    if card_url == SIMULATOR:
        simulated = SimulatedCardReader(None)
        reader: Any = simulated
    else:
        emulator = VpcdCardEmulator(card, port=port)
        reader = open_card_reader(card_url)
    service = KioskService.connect(demo["base_url"], client_id=client["client_id"],
                                   client_secret=client["client_secret"],
                                   workstation=client["client_id"])
    kiosk = KioskApp(service, card_reader=reader, printer=SimulatedPrinter(),
                     kiosk_id=client["client_id"])
    window = KioskWindow(kiosk)
    window.resize(1080, 1920)
    window.show()
    kiosk.start()
    shown: list[float] = []

    def on_changed() -> None:  # connected after the window's own: the page is built
        if kiosk.flow.screen is Screen.PRESCRIPTIONS:
            page = window.currentWidget()
            assert page is not None
            page.repaint()  # painted now, not at the next turn of the event loop
            shown.append(time.perf_counter())

    kiosk.changed.connect(on_changed)
    times = []
    try:
        for visit in range(runs + 1):
            wait_until(lambda: kiosk.flow.screen is Screen.HOME and kiosk.worker.pending == 0
                       and not service.has_patient, what="the home screen")
            shown.clear()
            started = time.perf_counter()
            if emulator is not None:
                emulator.insert()
            else:
                assert simulated is not None
                simulated.insert(card)
            wait_until(lambda: bool(shown) or kiosk.flow.screen is Screen.CARD_ERROR,
                       timeout=20, what="the prescriptions")
            if not shown:
                raise RuntimeError(f"the card was not read: {kiosk.flow.message}")
            texts = "\n".join(window.texts())
            missing = [n for n in numbers if n not in texts]
            if missing:
                raise RuntimeError(f"prescriptions not on screen: {missing}")
            if visit:
                times.append(shown[0] - started)
            if emulator is not None:
                emulator.remove()
            else:
                assert simulated is not None
                simulated.remove()
        print(REPORT, " ".join(f"{t:.4f}" for t in times), flush=True)
    finally:
        kiosk.stop()
        window.close()
        service.close()
        reader.close()
        if emulator is not None:
            emulator.remove()
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "child":
        raise SystemExit(_child(Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]),
                                int(sys.argv[5]), sys.argv[6].split(",")))
    raise SystemExit("usage: python -m installers.bench_kiosk child DEMO_FILE CARD_URL PORT RUNS "
                     "NUMBERS")
