"""The kiosk part of `rxp demo`: its devices and, without a display, the kiosk itself.

- Card: 张伟's insurance card in the real PC/SC stack (pcscd + the vpcd reader + our card
  emulator) when pcscd and vsmartcard-vpcd are installed. The card starts out of the reader;
  writing `in` or `out` to `.rxp/kiosk/card` inserts or pulls it. Without them, the simulated
  reader with the card already in it.
- Printer: the ESC/POS driver on one end of a pty pair, the virtual printer on the other; what
  it prints is kept as text in `.rxp/kiosk/printer.txt`.
- Camera: `.rxp/kiosk/slip.avi`, a video of the QR on the slip of a prescription the demo's
  doctor writes for 张伟 and a pharmacist approves; the kiosk reads it through `file://` at
  start, so its first visit is that slip's.

The device URLs go into `.rxp/demo.json` (`kiosk_devices`), where `python -m kiosk --demo-file`
(the launcher's kiosk button) finds them. Without a display the demo starts that kiosk itself,
offscreen (log in `.rxp/kiosk/kiosk.log`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from common.hardware.card.profile import CardProfile
from installers.journey import _login, _prescribe_and_review
from installers.kiosk_devices import (
    PtyPrinter,
    VpcdSlot,
    pcsc_stack_installed,
    slip_video,
)

PATIENT = "张伟"
TOTP_STEP = 30


def slip_for_new_prescription(base_url: str, demo: dict[str, Any]) -> str:
    """The slip QR payload of a prescription for PATIENT, prescribed and approved now."""
    with httpx.Client(base_url=base_url, timeout=20,
                      headers={"X-Workstation": "DEMO-KIOSK"}) as http:
        tokens: dict[str, str] = {}
        for username in ("doctor_wang", "pharm_chen", "pharm_liu"):
            account = next(a for a in demo["accounts"] if a["username"] == username)
            token = _login(http, account)
            if token is None:  # this TOTP code was used a moment ago: the next one
                time.sleep(TOTP_STEP - time.time() % TOTP_STEP + 0.5)
                token = _login(http, account)
            if token is None:
                raise RuntimeError(f"{username} cannot log in")
            tokens[username] = token
        rx: dict[str, Any] = {}
        if not all(_prescribe_and_review(http, demo, tokens, rx, patient_name=PATIENT)):
            raise RuntimeError("the kiosk's demo prescription was not approved")
        slip = http.get(f"/prescriptions/{rx['id']}/slip",
                        headers={"Authorization": f"Bearer {tokens['doctor_wang']}"})
        slip.raise_for_status()
        return str(slip.json()["qr_payload"])


class KioskDemo:
    def __init__(self, state: Path, demo_file: Path) -> None:
        self.folder = state / "kiosk"
        self.demo_file = demo_file
        self.demo: dict[str, Any] = json.loads(demo_file.read_text(encoding="utf-8"))
        self.slot: VpcdSlot | None = None
        self.printer: PtyPrinter | None = None
        self.kiosk: subprocess.Popen[bytes] | None = None
        self._emulator: Any = None
        self._stop = threading.Event()
        self._control: threading.Thread | None = None

    @property
    def card_file(self) -> Path:
        return self.folder / "card"

    def start_devices(self) -> dict[str, str]:
        """Starts the devices and records their URLs in demo.json; returns them."""
        self.folder.mkdir(parents=True, exist_ok=True)
        video = slip_video(self.folder / "slip.avi",
                           slip_for_new_prescription(self.demo["base_url"], self.demo))
        self.printer = PtyPrinter(self.folder / "printer.txt")
        patient = next(p for p in self.demo["patients"] if p["name"] == PATIENT)
        card = CardProfile.insurance(patient["insurance_card"], PATIENT)
        if pcsc_stack_installed():
            from common.hardware.card.emulator import VpcdCardEmulator

            self.slot = VpcdSlot()
            self._emulator = VpcdCardEmulator(card, port=self.slot.port)
            self.card_file.write_text("out\n", encoding="utf-8")
            self._control = threading.Thread(target=self._follow_card_file,
                                             name="kiosk-demo-card", daemon=True)
            self._control.start()
            card_url = self.slot.url
        else:
            card_url = (f"sim://?card=insurance&number={card.number}"
                        f"&name={quote(card.holder_name)}")
        devices = {"card_reader": card_url, "printer": self.printer.url,
                   "scanner": f"file://{video}"}
        self.demo["kiosk_devices"] = devices
        fd = os.open(self.demo_file, os.O_WRONLY | os.O_TRUNC)
        with os.fdopen(fd, "w") as f:
            json.dump(self.demo, f, ensure_ascii=False, indent=2)
        return devices

    def describe(self) -> str:
        card = (f"{PATIENT}'s insurance card in {self.slot.reader_name} (pcscd + vpcd): "
                f"echo in > {self.card_file} / echo out > {self.card_file}"
                if self.slot is not None else
                f"{PATIENT}'s insurance card in the simulated reader (pcscd or vpcd missing)")
        return (f"kiosk devices: {card}; printer output in {self.folder / 'printer.txt'}; "
                f"camera video {self.folder / 'slip.avi'} (a slip of {PATIENT}'s)")

    def _follow_card_file(self) -> None:
        inserted = False
        while not self._stop.wait(0.3):
            try:
                wanted = self.card_file.read_text(encoding="utf-8").strip() == "in"
            except OSError:
                continue
            if wanted != inserted:
                try:
                    if wanted:
                        self._emulator.insert()
                    else:
                        self._emulator.remove()
                    inserted = wanted
                except Exception as exc:  # the demo goes on; the kiosk shows the reader state
                    print(f"rxp demo: kiosk card: {exc}", flush=True)
                    time.sleep(2)

    def start_kiosk(self, *, offscreen: bool) -> subprocess.Popen[bytes]:
        env = {**os.environ, **({"QT_QPA_PLATFORM": "offscreen"} if offscreen else {})}
        log = open(self.folder / "kiosk.log", "ab")
        self.kiosk = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "--demo-file", str(self.demo_file), "--windowed"],
            env=env, stdout=log, stderr=subprocess.STDOUT)
        return self.kiosk

    def stop(self) -> None:
        if self.kiosk is not None and self.kiosk.poll() is None:
            self.kiosk.terminate()
            try:
                self.kiosk.wait(10)
            except subprocess.TimeoutExpired:
                self.kiosk.kill()
        self._stop.set()
        if self._control is not None:
            self._control.join(timeout=2)
        if self._emulator is not None:
            self._emulator.remove()
        if self.printer is not None:
            self.printer.close()
        if self.slot is not None:
            self.slot.close()
