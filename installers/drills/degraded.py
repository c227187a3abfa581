"""The `degraded` drill: the apps' client library while the server is away.

The real server (uvicorn, two workers) over a seeded cluster of the drill's own; the client is
the library the apps run on (`common.api`, `common.auth`, `common.offline`, the doctor's
`client_doctor.submission` and paper printing), logged in as doctor_wang, with its connectivity
monitor and outbox sender running as in the app. In order:

1. Warm: the doctor writes and submits a signed prescription, saves a second draft and prepares
   its signing (the document shown to the doctor), and reads the screens' data once: every read
   goes through the read cache.
2. The server is killed (SIGKILL to its process group, while the client is idle, at a random
   moment of the monitor's probe cycle): the time until the monitor reports the outage (target
   <= 5 s). `IDLE_KILLS` times, the server started again in between; the last outage lasts.
3. While it is down: every read again, served from the cache and marked stale; writes queued in
   the outbox (new drafts, each with its note, and the signed submit of the second draft, the
   app's own path); the first prescription printed on paper from the cache (the app's printing
   code, offscreen) and its code read back from the rendered page.
4. The server starts again on the same port; the outbox sender delivers. The first delivery
   reaches the server and is committed, then the server is killed before its answer arrives (the
   drill's transport drops the answer and kills the server at that moment): the client cannot
   know whether it was done. The server is started once more; the sender resends it with the same
   Idempotency-Key. The time until the queue is drained after the server is back.
5. On the server's database: each queued write exactly once, the submit one transition; every
   delivered write sent a further time (as if the app had stopped before marking it sent) is
   answered from the idempotency store and changes nothing.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from keyring.backends import fail
from pydantic import BaseModel

from client_doctor import submission
from client_doctor.signing_keys import SigningKeys
from common.api import ApiClient, errors
from common.api.models import (
    DraftIn,
    Me,
    Override,
    PatientContext,
    Prescription,
    PrescriptionPage,
    Product,
    SearchPage,
)
from common.auth import CredentialStore, Session
from common.demo import DemoDirectory
from common.offline import ConnectivityMonitor, Outbox, OutboxSender, ReadCache
from common.offline.monitor import PROBE_INTERVAL
from common.offline.storage import FILE_NAME
from installers.bench import BenchEnvironment
from installers.drills import DrillResult, reap, reports_dir, workdir
from installers.drills.charts import line_chart
from installers.drills.paper import OffscreenPrint, read_codes

IDLE_KILLS = 3  # outages of an idle client whose detection is measured (the last one lasts)
QUEUED_DRAFTS = 8  # new drafts queued while the server is away (plus the signed submit)
DETECT_TARGET = 5.0  # seconds until the monitor reports the outage
CACHED_READ_TARGET = 0.5  # seconds a read may take while offline, served from the cache
DRAIN_WITHIN = 60.0
WORKERS = 2  # the server's worker processes, as `rxp serve` runs it
DOCTOR, PATIENT = "doctor_wang", "李娜"


class ServerProcess:
    """The real server, always on the same port: the client's URL does not change."""

    def __init__(self, env: BenchEnvironment) -> None:
        self.env = env
        self.port: int | None = None
        self.base_url = ""
        # Set once the start has seen it ready: the client may reach the server before that
        # (its /health answers first), and a kill then would look like a failed start.
        self.ready = threading.Event()

    def start(self) -> float:
        """Start (again) and wait until it answers ready; the monotonic time it did."""
        self.base_url = self.env.serve(WORKERS, port=self.port)
        self.port = int(self.base_url.rsplit(":", 1)[1])
        self.ready.set()
        return time.monotonic()

    def kill(self) -> float:
        """SIGKILL to the whole process group (the supervisor and its workers), as when the
        machine loses power; the monotonic time of the kill."""
        server = self.env.server
        assert server is not None
        self.ready.wait(60)
        self.ready.clear()
        killed = time.monotonic()
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        reap()
        return killed


class LosesAnswer(httpx.BaseTransport):
    """The client's real transport, with one fault on demand: for the armed Idempotency-Key the
    request reaches the server, which does the work and commits, then `on_done` (killing the
    server) runs and the answer is dropped. What the client sees is what it sees when the
    server dies between its commit and its reply."""

    def __init__(self, on_done: Callable[[], None]) -> None:
        self.inner = httpx.HTTPTransport()
        self.on_done = on_done
        self.armed: str | None = None
        self.fired = threading.Event()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if self.armed is not None and request.headers.get("Idempotency-Key") == self.armed:
            self.armed = None
            response.read()
            response.close()
            self.on_done()
            self.fired.set()
            raise httpx.ReadError("the server died before its answer arrived", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


@dataclass
class Timeline:
    """Moments (seconds since the drill's client started) and the outbox over time."""

    start: float = field(default_factory=time.monotonic)
    marks: list[tuple[float, str]] = field(default_factory=list)
    samples: list[tuple[float, int]] = field(default_factory=list)  # (t, pending entries)

    def mark(self, at: float, label: str) -> float:
        self.marks.append((at - self.start, label))
        return at - self.start


@dataclass
class Outcome:
    detections: list[float] = field(default_factory=list)  # idle kills -> monitor offline
    detection_in_flight: float = float("inf")  # kill during a delivery -> monitor offline
    reads: int = 0
    from_cache: int = 0
    stale_marked: int = 0
    cached_read_max: float = 0.0
    uncached_refused: bool = False  # a read never made is not invented while offline
    queued: int = 0
    delivered: int = 0
    failed: int = 0
    duplicates: int = 0
    missing: int = 0
    replayed_resends: int = 0
    resends: int = 0
    answer_lost_once: bool = False  # the committed-but-unanswered delivery happened
    drain: float = float("inf")  # last restart ready -> outbox empty
    printed: str = ""  # the number decoded from the printed page
    expected_number: str = ""
    print_png: Path | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def detection(self) -> float:
        return max(self.detections, default=float("inf"))


class Doctor:
    """The doctor's client: the library objects the doctor app builds, and its reads."""

    def __init__(self, env: BenchEnvironment, server: ServerProcess, data_dir: Path) -> None:
        self.env, self.server = env, server
        self.transport = LosesAnswer(self._killed_mid_delivery)
        self.killed_mid_delivery = 0.0
        self.api = ApiClient(server.base_url, transport=self.transport,
                             workstation="DRILL-DEGRADED")
        # In memory: the drill leaves nothing in the machine's keyring.
        store = CredentialStore(server.base_url, backend=fail.Keyring())
        self.session = Session(self.api, store=store)
        DemoDirectory(server.base_url, env.demo).log_in(self.session, DOCTOR)
        self.keys = SigningKeys(store, DOCTOR)
        self.keys.install(env.account(DOCTOR)["signing_key"])
        self.monitor = ConnectivityMonitor(self.api)
        self.outbox = Outbox(data_dir / FILE_NAME)
        self.cache = ReadCache(data_dir / FILE_NAME, owner=DOCTOR,
                               online=lambda: self.monitor.online)
        self.sender = OutboxSender(self.outbox, self.api, self.monitor,
                                   owner=lambda: self.session.username)
        self.offline_at: list[float] = []
        self.monitor.add_listener(
            lambda state: None if state.online else self.offline_at.append(time.monotonic()))
        self.reads: dict[str, tuple[Callable[[], BaseModel], type[BaseModel]]] = {}
        self.warm: dict[str, BaseModel] = {}

    def start(self) -> None:
        self.monitor.start()
        self.sender.start()

    def stop(self) -> None:
        self.sender.stop()
        self.monitor.stop()
        self.api.close()

    def _killed_mid_delivery(self) -> None:
        self.killed_mid_delivery = self.server.kill()

    def read(self, key: str) -> Any:
        fetch, model = self.reads[key]
        return self.cache.read(key, fetch, model)


def _draft(product: Product, patient_id: str, note: str | None = None) -> DraftIn:
    """A one-line draft (amlodipine for hypertension) of `product`."""
    unit = product.package.split("/")[0].lstrip("0123456789.")
    return DraftIn.model_validate({
        "patient_id": patient_id, "visit_type": "outpatient", "notes": note,
        "diagnoses": [{"code": "I10", "name": "原发性高血压"}],
        "lines": [{"product_id": product.id, "dose": "1", "dose_unit": unit, "route": "口服",
                   "frequency": "qd", "days": 7}]})


def _overrides(api: ApiClient, draft: DraftIn) -> list[Override]:

    return [Override(key=i.key, reason="演练") for i in api.check_prescription(draft).issues
            if i.needs_override]


def _warm(doctor: Doctor, patient_id: str
          ) -> tuple[Prescription, submission.SignRequest, uuid.UUID, str]:
    """The signed prescription to print, the prepared submit of a second draft, the run tag."""
    api = doctor.api
    tag = uuid.uuid4().hex[:8]
    product = api.catalogue_product(api.search_catalogue("氨氯地平").items[0].id)
    draft = _draft(product, patient_id)
    overrides = _overrides(api, draft)
    first = api.create_draft(draft)
    signed = submission.sign_and_submit(api, doctor.keys, submission.prepare(
        api, first, overrides), outbox=doctor.outbox, owner=DOCTOR)
    if not isinstance(signed, submission.Submitted):
        raise RuntimeError("the first submit was queued while the server was up")
    second = api.create_draft(draft)
    to_sign = submission.prepare(api, second, overrides)
    doctor.reads = {
        "me": (api.me, Me),
        f"patient-context:{patient_id}": (lambda: api.patient_context(patient_id),
                                          PatientContext),
        "catalogue:anl": (lambda: api.search_catalogue("anl"), SearchPage),
        f"product:{product.id}": (lambda: api.catalogue_product(product.id), Product),
        "my-prescriptions": (api.list_my_prescriptions, PrescriptionPage),
        f"prescription:{first.id}": (lambda: api.get_prescription(first.id), Prescription),
        f"prescription:{second.id}": (lambda: api.get_prescription(second.id), Prescription),
    }
    for key in doctor.reads:
        cached = doctor.read(key)
        if cached.stale:
            raise RuntimeError(f"{key}: stale while the server is up")
        doctor.warm[key] = cached.value
    return first, to_sign, product.id, tag


def _while_down(doctor: Doctor, outcome: Outcome, first: Prescription,
                to_sign: submission.SignRequest, product_id: uuid.UUID, tag: str,
                patient_id: str, base: Path, out: Path) -> list[str]:
    """Reads from the cache, writes queued, the paper prescription; the queued drafts' notes."""
    for key in doctor.reads:
        started = time.monotonic()
        try:
            cached = doctor.read(key)
        except errors.ServerUnavailable:
            outcome.problems.append(f"read {key}: nothing served while offline")
            continue
        finally:
            outcome.reads += 1
            outcome.cached_read_max = max(outcome.cached_read_max, time.monotonic() - started)
        if cached.value == doctor.warm[key]:
            outcome.from_cache += 1
        else:
            outcome.problems.append(f"read {key}: not the value read before the outage")
        outcome.stale_marked += cached.stale and cached.label().startswith("离线数据")

    # The paper prescription, from what the cache holds, as the app prints it; it prints while
    # the doctor goes on.
    rx = doctor.read(f"prescription:{first.id}").value
    context = doctor.read(f"patient-context:{patient_id}").value
    me = doctor.read("me").value
    outcome.expected_number = rx.number
    printing = OffscreenPrint(rx.model_dump_json(), patient_name=context.patient.name,
                              doctor_name=me.name, source=base / "paper.json",
                              pdf=out / "drill-degraded-paper.pdf",
                              png=out / "drill-degraded-paper.png")

    try:
        doctor.api.get_prescription(uuid.uuid4())
    except errors.ServerUnavailable:
        outcome.uncached_refused = True
    except errors.ApiError as exc:
        outcome.problems.append(f"a read never cached answered {exc.code} while offline")

    # New drafts of the product as the cache remembers it.
    product = doctor.read(f"product:{product_id}").value
    notes = [f"drill-degraded {tag} #{i}" for i in range(QUEUED_DRAFTS)]
    for note in notes:
        doctor.outbox.enqueue("POST", "/prescriptions", _draft(product, patient_id, note),
                              owner=DOCTOR, description=f"新建草稿 {note}")
    queued = submission.sign_and_submit(doctor.api, doctor.keys, to_sign,
                                        outbox=doctor.outbox, owner=DOCTOR)
    if not isinstance(queued, submission.Queued):
        outcome.problems.append("the signed submit was not queued while the server was away")
    outcome.queued = len(doctor.outbox.pending(DOCTOR))

    try:
        png = printing.wait()
    except RuntimeError as exc:
        outcome.problems.append(f"printing: {exc}")
    else:
        codes = read_codes(png)
        outcome.printed = next((text for kind, text in codes if kind == "QRCODE"), "")
        outcome.print_png = png
    return notes


def _wait(condition: Callable[[], bool], within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def _sample(doctor: Doctor, timeline: Timeline, stop: threading.Event) -> None:
    while not stop.wait(0.1):
        timeline.samples.append((time.monotonic() - timeline.start,
                                 len(doctor.outbox.pending(DOCTOR))))


def _kill_and_detect(doctor: Doctor, server: ServerProcess, timeline: Timeline) -> float:
    """Kill the server; seconds until the monitor reported it (inf: not within 3x the target)."""
    seen = len(doctor.offline_at)
    killed = timeline.mark(server.kill(), "kill -9")
    if not _wait(lambda: len(doctor.offline_at) > seen, DETECT_TARGET * 3):
        return float("inf")
    return timeline.mark(doctor.offline_at[seen], "offline noticed") - killed


def _run(env: BenchEnvironment, server: ServerProcess, base: Path, out: Path
         ) -> tuple[Outcome, Timeline]:
    outcome, timeline = Outcome(), Timeline()
    patient_id = str(next(p["id"] for p in env.demo["patients"] if p["name"] == PATIENT))
    doctor = Doctor(env, server, base / "client")
    stop = threading.Event()
    sampler = threading.Thread(target=_sample, args=(doctor, timeline, stop), daemon=True)
    try:
        doctor.start()
        sampler.start()
        first, to_sign, product_id, tag = _warm(doctor, patient_id)
        if not _wait(lambda: doctor.monitor.online, 10):
            raise RuntimeError("the monitor does not see the server before the outage")

        # Outages of an idle client, each at a random moment of the monitor's probe cycle;
        # the server is back in between, the last one lasts.
        for kill in range(IDLE_KILLS):
            if kill:
                timeline.mark(server.start(), "server back")
                if not _wait(lambda: doctor.monitor.online, DETECT_TARGET * 3):
                    outcome.problems.append("the monitor did not see the server come back")
            time.sleep(random.uniform(0, PROBE_INTERVAL))
            outcome.detections.append(_kill_and_detect(doctor, server, timeline))
        notes = _while_down(doctor, outcome, first, to_sign, product_id, tag, patient_id,
                            base, out)
        timeline.mark(time.monotonic(), "read, queued, printed")

        # Back, but the first delivery's answer is lost with a second kill.
        pending = doctor.outbox.pending(DOCTOR)
        doctor.transport.armed = pending[0].idempotency_key if pending else None
        seen_offline = len(doctor.offline_at)
        timeline.mark(server.start(), "server back")
        if doctor.transport.fired.wait(DRAIN_WITHIN):
            outcome.answer_lost_once = True
            killed_again = timeline.mark(doctor.killed_mid_delivery, "kill -9 mid-delivery")
            if _wait(lambda: len(doctor.offline_at) > seen_offline, DETECT_TARGET * 3):
                outcome.detection_in_flight = (doctor.offline_at[seen_offline] - timeline.start
                                               - killed_again)
            ready = timeline.mark(server.start(), "server back")
        else:
            outcome.problems.append("the first delivery never reached the server")
            ready = timeline.marks[-1][0]
        if _wait(lambda: not doctor.outbox.pending(DOCTOR), DRAIN_WITHIN):
            outcome.drain = timeline.mark(time.monotonic(), "drained") - ready
        _verify(env, doctor, outcome, notes, to_sign.prescription_id)
    finally:
        stop.set()
        doctor.stop()
    return outcome, timeline


def _verify(env: BenchEnvironment, doctor: Doctor, outcome: Outcome, notes: list[str],
            submitted_id: uuid.UUID) -> None:
    """On the server's database: every queued write once; resending changes nothing."""
    sent = doctor.outbox.entries(status="sent", owner=DOCTOR)
    failed = doctor.outbox.entries(status="failed", owner=DOCTOR)
    outcome.delivered, outcome.failed = len(sent), len(failed)
    outcome.problems += [f"refused: {e.description}: {e.last_error}" for e in failed]

    def counts() -> tuple[dict[str, int], int]:
        rows = env.sql("SELECT notes, count(*) FROM prescription WHERE notes = ANY(%s) "
                       "GROUP BY notes", (notes,))
        submits = env.sql("SELECT count(*) FROM prescription_transition WHERE "
                          "prescription_id = %s AND to_status = 'submitted'", (submitted_id,))
        return {r[0]: int(r[1]) for r in rows}, int(submits[0][0])

    by_note, submits = counts()
    found = [by_note.get(n, 0) for n in notes] + [submits]
    outcome.missing = sum(1 for n in found if n == 0)
    outcome.duplicates = sum(n - 1 for n in found if n > 1)

    # As if the app had stopped between the server's answer and marking the entry sent.
    for entry in sent:
        response = doctor.api.request(entry.method, entry.path, content=entry.body,
                                      idempotency_key=entry.idempotency_key)
        outcome.resends += 1
        outcome.replayed_resends += (response.headers.get("idempotent-replayed") == "true"
                                     and response.content == entry.response)
    if counts() != (by_note, submits):
        outcome.problems.append("a resend changed the database")


def drill_degraded() -> DrillResult:
    base = workdir("degraded")
    env = BenchEnvironment(base)
    server = ServerProcess(env)
    out = reports_dir()
    try:
        env.start()
        server.start()
        outcome, timeline = _run(env, server, base, out)
    finally:
        env.stop()
        shutil.rmtree(base, ignore_errors=True)
    o = outcome
    passed = (len(o.detections) == IDLE_KILLS and o.detection <= DETECT_TARGET
              and o.detection_in_flight <= DETECT_TARGET
              and o.reads == o.from_cache == o.stale_marked > 0 and o.uncached_refused
              and o.cached_read_max <= CACHED_READ_TARGET
              and o.queued == QUEUED_DRAFTS + 1 == o.delivered and o.failed == 0
              and o.duplicates == 0 and o.missing == 0 and o.answer_lost_once
              and o.resends == o.replayed_resends == o.delivered
              and o.drain <= DRAIN_WITHIN and o.printed == o.expected_number != ""
              and not o.problems)
    figures = (f"outage noticed in max {o.detection:.1f} s over {len(o.detections)} kills "
               f"(target <= {DETECT_TARGET:g}; {o.detection_in_flight:.1f} s when killed "
               f"mid-delivery); "
               f"{o.from_cache}/{o.reads} reads served from cache, {o.stale_marked} marked "
               f"stale, max {o.cached_read_max * 1000:.0f} ms; {o.queued} writes queued, "
               f"{o.delivered} delivered, {o.duplicates} duplicates, {o.missing} missing "
               f"(1 committed with its answer lost, resent: "
               f"{'once' if o.answer_lost_once else 'NOT TRIED'}); queue drained in "
               f"{o.drain:.1f} s after the server was back; {o.replayed_resends}/{o.resends} "
               f"resends answered from the idempotency store; paper prescription printed "
               f"offline, code read back: {o.printed or 'NONE'}"
               f"{'' if o.printed == o.expected_number else f' (expected {o.expected_number})'}")
    report = _report(outcome, timeline, figures, passed, out)
    return DrillResult("degraded", passed, figures, report, outcome.problems)


def _report(o: Outcome, timeline: Timeline, figures: str, passed: bool, out: Path) -> Path:
    xs = [t for t, _ in timeline.samples]
    ys = [float(n) for _, n in timeline.samples]
    chart = line_chart(out / "drill-degraded-outbox.png",
                       "writes waiting in the outbox; red: what happened", xs, ys,
                       x_label="seconds", y_label="pending writes", markers=timeline.marks)
    lines = [f"# Drill degraded: {'PASS' if passed else 'FAIL'}", "", figures, "",
             f"![outbox over time]({chart.name})", "",
             "| t | event |", "|---:|---|",
             *(f"| {t:.2f} s | {label} |" for t, label in timeline.marks), "",
             "| figure | value | target |", "|---|---:|---|",
             "| outage noticed (idle client) | "
             f"{', '.join(f'{d:.2f} s' for d in o.detections)} | <= {DETECT_TARGET:g} s |",
             f"| outage noticed (killed mid-delivery) | {o.detection_in_flight:.2f} s | "
             f"<= {DETECT_TARGET:g} s |",
             f"| reads served from cache / made | {o.from_cache} / {o.reads} | all |",
             f"| slowest read while offline | {o.cached_read_max * 1000:.0f} ms | "
             f"<= {CACHED_READ_TARGET * 1000:.0f} ms |",
             f"| writes queued / delivered / refused | {o.queued} / {o.delivered} / {o.failed}"
             " | all delivered |",
             f"| duplicates / missing on the server | {o.duplicates} / {o.missing} | 0 / 0 |",
             f"| queue drained after the server was back | {o.drain:.2f} s | "
             f"<= {DRAIN_WITHIN:g} s |",
             f"| code on the printed page | {o.printed or 'none'} | {o.expected_number} |", ""]
    if o.print_png is not None:
        lines += ["The paper prescription printed while the server was away:", "",
                  f"![paper prescription]({o.print_png.name})", ""]
    lines += [f"- {p}" for p in o.problems]
    path = out / "drill-degraded.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
