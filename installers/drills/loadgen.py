"""The load generator of the `load` and `crash_app` drills: doctors, pharmacists, kiosks,
pharmacies and the courier, played concurrently over HTTP against the real server.

asyncio + httpx in the drill's own process rather than locust: the journeys already exist as
httpx coroutines (installers/bench.py, bench_circulation.py) and are reused as they are; locust
would need them rewritten for its gevent client, and one more dependency. A dozen coroutines keep
two server workers busy without the generator taking the cores they need (the machine has two).

Every request goes through `ClientSide`, an httpx transport that does what the apps' API client
does: each write carries an `Idempotency-Key`, and a request whose answer never came (the
connection refused, reset or cut) is sent again, the same request with the same key, until it
is answered. It also times every request per operation and keeps the ledger of what the server
acknowledged, which the invariant checks compare with the database afterwards.

The actors hand their work on through bounded queues, as the platform's events and worklists do:
doctor (draft, sign, submit) -> pharmacist (review queue, signed approval) -> patient at the
kiosk (identification, choice, online payment) -> store (accept, scan every traceability code,
check) -> courier (dispatch, carrier events) and the patient's confirmation.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from installers.bench import BenchEnvironment, Prescriber, percentile
from installers.bench_circulation import Circulation

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Who prescribes for whom: H1's doctors and adult patients (their checks need no refusal).
PRESCRIBERS = (("doctor_wang", "李娜"), ("doctor_wang", "张伟"), ("doctor_li", "刘洋"),
               ("doctor_li", "吴敏"))
PHARMACISTS, KIOSKS, STORES, COURIERS = 2, 2, 2, 2
HANDOFF = 8  # items waiting between two actors; a full queue holds the one before it back
RETRY_PAUSE = 0.2
RETRY_WITHIN = 120.0  # a server that stays away longer than this fails the drill
# A path segment that names one thing (a uuid, a gateway trade or tracking number).
_ID = re.compile(r"^(?=.*\d)[0-9A-Za-z_-]{8,}$")


def operation(method: str, path: str) -> str:
    """`POST /pharmacy/orders/{id}/packages`: the request's route, ids left out."""
    return f"{method} " + "/".join("{id}" if _ID.match(part) else part
                                   for part in path.split("/"))


@dataclass
class Sample:
    at: float  # seconds since the load began, when the answer came
    operation: str
    ms: float
    status: int


@dataclass
class Ledger:
    """What the server acknowledged (a 2xx answer reached the client)."""

    prescriptions: set[str] = field(default_factory=set)
    orders: set[str] = field(default_factory=set)
    trace_codes: list[str] = field(default_factory=list)
    writes: int = 0
    replays: int = 0  # acknowledgements answered from the idempotency store

    def acknowledge(self, request: httpx.Request, status: int, body: bytes,
                    replayed: bool) -> None:
        self.writes += 1
        self.replays += replayed
        path = request.url.path
        if status == 201 and path == "/prescriptions":
            self.prescriptions.add(json.loads(body)["id"])
        elif status == 201 and path.startswith("/patient/prescriptions/") \
                and path.endswith("/order"):
            self.orders.add(json.loads(body)["id"])
        elif status == 201 and path.endswith("/packages"):
            self.trace_codes.append(json.loads(request.content)["code"])


@dataclass
class Recorder:
    start: float = field(default_factory=time.monotonic)
    samples: list[Sample] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    retries: int = 0  # requests sent again after their answer was lost
    journeys: list[float] = field(default_factory=list)  # when each journey completed
    failures: list[str] = field(default_factory=list)  # an actor's step refused (4xx)
    payments_sent_again: int = 0  # see Load.courier

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def by_operation(self) -> dict[str, list[float]]:
        out: dict[str, list[float]] = defaultdict(list)
        for s in self.samples:
            out[s.operation].append(s.ms)
        return dict(out)

    def percentiles(self) -> dict[str, tuple[int, float, float, float]]:
        """Per operation: count, p50, p95, p99 in ms."""
        return {op: (len(ms), percentile(ms, 0.5), percentile(ms, 0.95), percentile(ms, 0.99))
                for op, ms in sorted(self.by_operation().items())}

    def per_second(self, seconds: int) -> list[int]:
        counts = Counter(int(s.at) for s in self.samples)
        return [counts.get(i, 0) for i in range(seconds)]


class ClientSide(httpx.AsyncBaseTransport):
    """The API client's side of idempotency (keys, retries), measured."""

    def __init__(self, recorder: Recorder, ledger: Ledger, *, retry: bool) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.recorder, self.ledger, self.retry = recorder, ledger, retry

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        write = request.method in WRITE_METHODS
        if write and "idempotency-key" not in request.headers:
            request.headers["Idempotency-Key"] = str(uuid.uuid4())
        await request.aread()
        name = operation(request.method, request.url.path)
        first = time.monotonic()
        while True:
            sent = time.perf_counter()
            try:
                response = await self.inner.handle_async_request(request)
                try:
                    body = await response.aread()  # decoded: the answer passed on is plain
                finally:
                    await response.aclose()
                break
            except httpx.TransportError:
                # No answer: the change may or may not have committed. The same request with
                # the same key either makes it, or gets the stored answer of the first.
                if not self.retry or time.monotonic() - first > RETRY_WITHIN:
                    raise
                self.recorder.retries += 1
                await asyncio.sleep(RETRY_PAUSE)
        status = response.status_code
        self.recorder.samples.append(Sample(self.recorder.elapsed(), name,
                                            (time.perf_counter() - sent) * 1000, status))
        if status >= 500:
            self.recorder.server_errors.append(f"{name} -> {status} {body[:200]!r}")
        elif write and status < 300:
            self.ledger.acknowledge(request, status, body,
                                    response.headers.get("idempotent-replayed") == "true")
        headers = [(k, v) for k, v in response.headers.items()
                   if k not in ("content-encoding", "content-length")]
        return httpx.Response(status, headers=headers, content=body,
                              request=request, extensions=response.extensions)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Handoffs:
    submitted: asyncio.Queue[dict[str, Any]] = field(
        default_factory=lambda: asyncio.Queue(HANDOFF))
    approved: asyncio.Queue[tuple[str, dict[str, Any]]] = field(
        default_factory=lambda: asyncio.Queue(HANDOFF))
    paid: asyncio.Queue[tuple[dict[str, Any], dict[str, str]]] = field(
        default_factory=lambda: asyncio.Queue(HANDOFF))
    dispensed: asyncio.Queue[tuple[dict[str, Any], dict[str, str]]] = field(
        default_factory=lambda: asyncio.Queue(HANDOFF))


class Load:
    """The actors and their shared state for one run."""

    def __init__(self, env: BenchEnvironment, http: httpx.AsyncClient,
                 recorder: Recorder) -> None:
        self.env, self.http, self.recorder = env, http, recorder
        self.stop = asyncio.Event()
        self.queues = Handoffs()
        self.prescribers = [Prescriber(env, http, doctor=d, patient=p) for d, p in PRESCRIBERS]
        # One flow for the kiosks, stores and courier: its traceability-code serial is shared.
        self.flow = Circulation(env, http, prescriber=self.prescribers[0])

    async def prepare(self) -> None:
        await self.flow.prepare()
        for prescriber in self.prescribers[1:]:
            await prescriber.prepare()

    async def _take(self, queue: asyncio.Queue[Any]) -> Any:
        while not self.stop.is_set():
            try:
                return await asyncio.wait_for(queue.get(), 0.5)
            except TimeoutError:
                continue
        return None

    async def _hand_on(self, queue: asyncio.Queue[Any], item: Any) -> None:
        while not self.stop.is_set():
            try:
                await asyncio.wait_for(queue.put(item), 0.5)
                return
            except TimeoutError:
                continue

    async def _act(self, role: str, work: Callable[[], Awaitable[bool]]) -> None:
        """Repeat `work` until stopped; a refused step is recorded and the actor goes on."""
        while not self.stop.is_set():
            try:
                if not await work():
                    return
            except httpx.HTTPStatusError as exc:
                self.recorder.failures.append(
                    f"{role}: {exc.request.method} {exc.request.url.path} -> "
                    f"{exc.response.status_code} {exc.response.text[:200]}")
            except (httpx.TransportError, RuntimeError, KeyError) as exc:
                # The server away for longer than RETRY_WITHIN, or an answer without what
                # the next step needs: the drill fails on it, the other actors go on.
                self.recorder.failures.append(f"{role}: {type(exc).__name__} {exc}")

    async def doctor(self, prescriber: Prescriber, patient: str) -> bool:
        (await self.http.get("/catalogue/search", params={"q": "aldp"},
                             headers=prescriber.headers)).raise_for_status()
        created, body = await prescriber.draft()
        (await prescriber.submit(created, body)).raise_for_status()
        await self._hand_on(self.queues.submitted, {**created, "patient_name": patient})
        return True

    async def pharmacist(self) -> bool:
        created = await self._take(self.queues.submitted)
        if created is None:
            return False
        await self.flow.review(created)
        await self._hand_on(self.queues.approved, (created["patient_name"], created))
        return True

    async def kiosk(self) -> bool:
        taken = await self._take(self.queues.approved)
        if taken is None:
            return False
        patient, rx = taken
        me = await self.flow.patient_at_kiosk(patient)
        order = await self.flow.order_and_pay(rx, me, patient=patient)
        await self._hand_on(self.queues.paid, (order, me))
        return True

    async def store(self) -> bool:
        taken = await self._take(self.queues.paid)
        if taken is None:
            return False
        await self.flow.dispense(taken[0])
        await self._hand_on(self.queues.dispensed, taken)
        return True

    async def courier(self) -> bool:
        taken = await self._take(self.queues.dispensed)
        if taken is None:
            return False
        order, me = taken
        if not await self.flow.paid(order, me, within=5.0):
            # The sandbox gateway lives in the server's memory: a killed worker takes the
            # callback it was about to send along. The wallet pays again, as a real gateway
            # would send the notification again; a paid trade refuses (409) and changes nothing.
            self.recorder.payments_sent_again += 1
            await self.http.post(f"/payments/sandbox/{order['gateway_trade_no']}/pay")
            await self.flow.paid(order, me, within=10.0)
        await self.flow.deliver(order, me)
        self.recorder.journeys.append(self.recorder.elapsed())
        return True

    def actors(self) -> list[Awaitable[None]]:
        return [
            *(self._act("doctor", functools.partial(self.doctor, p, n))
              for p, (_, n) in zip(self.prescribers, PRESCRIBERS, strict=True)),
            *(self._act("pharmacist", self.pharmacist) for _ in range(PHARMACISTS)),
            *(self._act("kiosk", self.kiosk) for _ in range(KIOSKS)),
            *(self._act("store", self.store) for _ in range(STORES)),
            *(self._act("courier", self.courier) for _ in range(COURIERS)),
        ]


async def run_load(env: BenchEnvironment, base_url: str, seconds: float, *, retry: bool,
                   during: Callable[[Recorder], Awaitable[Any]] | None = None
                   ) -> tuple[Recorder, Ledger, Any]:
    """Play the actors for `seconds`, or, with `during` (the crash drill's killer), until it is
    done and `seconds` more; its result is returned. Every actor finishes the step in hand
    before the run ends."""
    recorder, ledger = Recorder(), Ledger()
    transport = ClientSide(recorder, ledger, retry=retry)
    limits = httpx.Limits(max_connections=32)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits,
                                 transport=transport) as http:
        load = Load(env, http, recorder)
        await load.prepare()
        recorder.samples.clear()  # logins and preparation are not the load
        recorder.start = time.monotonic()
        actors = [asyncio.ensure_future(a) for a in load.actors()]
        extra = asyncio.ensure_future(during(recorder)) if during else None
        try:
            outcome = await extra if extra else None
            await asyncio.sleep(seconds)
        finally:
            load.stop.set()
            if extra and not extra.done():
                extra.cancel()
            await asyncio.gather(*actors)
    return recorder, ledger, outcome
