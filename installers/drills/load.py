"""Writers through the real server and the ledger of what it acknowledged.

The load under which the `crash_db` and `failover` drills break PostgreSQL: writers save
prescription drafts through the API as the doctor's app does, each with an idempotency key,
retrying the same key until the server acknowledges it (so a retry can never write twice). The
ledger afterwards compares the acknowledged drafts with what the database holds: none lost,
none twice.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx

from installers.bench import BenchEnvironment, Prescriber, login
from installers.drills.charts import line_chart

WRITERS = 6
T = TypeVar("T")


@dataclass
class Load:
    acked: dict[str, str] = field(default_factory=dict)  # idempotency key -> prescription id
    ack_times: list[float] = field(default_factory=list)
    retries: int = 0
    replays: int = 0  # acknowledgements answered from the idempotency store
    start: float = field(default_factory=time.monotonic)

    def since_start(self) -> float:
        return time.monotonic() - self.start

    async def next_ack(self, since: float, within: float = 60) -> float:
        """Seconds from `since` (monotonic) until the first write acknowledged after it."""
        acked_before = len(self.ack_times)
        async with asyncio.timeout(within):
            while len(self.ack_times) == acked_before:  # noqa: ASYNC110 (polls a list)
                await asyncio.sleep(0.05)
        return time.monotonic() - since


async def _writer(http: httpx.AsyncClient, prescriber: Prescriber, load: Load,
                  stop: asyncio.Event) -> None:
    while not stop.is_set():
        key = str(uuid.uuid4())
        while True:  # the same key until acknowledged: a retry can never write twice
            try:
                response = await http.post("/prescriptions", json=prescriber.body,
                                           headers={**prescriber.headers, "Idempotency-Key": key})
                if response.status_code == 201:
                    load.acked[key] = response.json()["id"]
                    load.ack_times.append(time.monotonic() - load.start)
                    load.replays += response.headers.get("idempotent-replayed") == "true"
                    break
                if response.status_code < 500:
                    raise RuntimeError(f"refused: {response.status_code} {response.text[:200]}")
            except httpx.TransportError:
                pass
            load.retries += 1
            await asyncio.sleep(0.2)


async def wait_ready(http: httpx.AsyncClient, since: float, within: float) -> float:
    """Seconds from `since` until the server answers /ready (inf when it does not in time)."""
    while time.monotonic() - since < within:
        try:
            if (await http.get("/ready", timeout=2)).status_code == 200:
                return time.monotonic() - since
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    return float("inf")


async def under_load(env: BenchEnvironment, base_url: str,
                     disrupt: Callable[[httpx.AsyncClient, Load], Awaitable[T]],
                     *, writers: int = WRITERS) -> tuple[Load, T]:
    """Run `disrupt(http, load)` while `writers` save drafts; stop them once it returns."""
    load = Load()
    stop = asyncio.Event()
    limits = httpx.Limits(max_connections=writers + 2)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as http:
        prescriber = Prescriber(env, http)
        prescriber.headers = await login(http, env.account("doctor_wang"))
        await prescriber.prepare()
        load.start = time.monotonic()
        tasks = [asyncio.create_task(_writer(http, prescriber, load, stop))
                 for _ in range(writers)]
        try:
            outcome = await disrupt(http, load)
        finally:
            stop.set()
            # Each writer finishes the write in hand (retrying it until acknowledged).
            done, late = await asyncio.wait(tasks, timeout=60)
            for task in late:
                task.cancel()
        for task in done:
            task.result()  # a writer's refusal (4xx) is the drill's failure, not silence
    return load, outcome


def prescriber_patient(env: BenchEnvironment) -> str:
    return str(next(p["id"] for p in env.demo["patients"] if p["name"] == "李娜"))


@dataclass(frozen=True)
class Ledger:
    acked: int
    lost: int  # acknowledged but not in the database
    extra: int  # in the database but never acknowledged (a write done twice)


def ledger(load: Load, stored_ids: set[str]) -> Ledger:
    acked = set(load.acked.values())
    return Ledger(len(acked), len(acked - stored_ids), len(stored_ids - acked))


def stored_ids(env: BenchEnvironment) -> set[str]:
    """The drafts the writers' patient has, read from the (current) primary."""
    rows = env.sql("SELECT id::text FROM prescription WHERE patient_id = %s",
                   (prescriber_patient(env),))
    return {r[0] for r in rows}


def writes_chart(path: Path, load: Load, markers: list[tuple[float, str]], what: str) -> Path:
    seconds = int(max(load.ack_times, default=0)) + 1
    per_second = [0] * seconds
    for t in load.ack_times:
        per_second[int(t)] += 1
    return line_chart(path, f"acknowledged writes per second; red: {what}",
                      [s + 0.5 for s in range(seconds)], per_second, x_label="seconds",
                      y_label="writes/s", markers=markers)
