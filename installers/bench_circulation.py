"""Circulation benchmarks (same line format as installers/bench.py):

- `tracecode_race`: 1,000 concurrent dispense attempts of one traceability code: exactly one
  may succeed;
- `journey`: whole circulation journeys through HTTP, from an approved prescription to the
  patient's confirmation (kiosk identification, choice, online payment with the gateway's
  callback, acceptance, scanning, checking, dispatch, carrier events, confirmation); journeys
  per second and p99 per step. Prescribing and review are measured by `submit`.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from common import signing
from installers.bench import BenchEnvironment, Prescriber, Result, gather_limited, login, percentile

Step = Callable[[str, Awaitable[httpx.Response]], Awaitable[httpx.Response]]


async def checked(name: str, call: Awaitable[httpx.Response]) -> httpx.Response:
    """A journey step that is not timed: it must succeed."""
    response = await call
    response.raise_for_status()
    return response


class Circulation:
    """Approved prescriptions and the actors who take them to the patient, over HTTP.

    The journey's parts are methods, so that a benchmark can time each step (`step`) and a load
    drill can play them as separate actors (the kiosk, the store, the courier)."""

    def __init__(self, env: BenchEnvironment, http: httpx.AsyncClient, *,
                 prescriber: Prescriber | None = None) -> None:
        self.env, self.http = env, http
        self.prescriber = prescriber or Prescriber(env, http)
        self.patient_headers: dict[str, str] = {}
        self.store: dict[str, str] = {}
        self.pharmacists: list[tuple[dict[str, Any], dict[str, str]]] = []
        self.prefixes: dict[str, str] = {}
        self.serial = 0
        self.kiosk_token = ""

    async def prepare(self) -> None:
        await self.prescriber.prepare()
        self.store = await login(self.http, self.env.account("store_kangning"))
        for username in ("pharm_chen", "pharm_liu"):
            account = self.env.account(username)
            self.pharmacists.append((account, await login(self.http, account)))
        self.prefixes = {str(row[0]): str(row[1]) for row in self.env.sql(
            "SELECT id, trace_prefix FROM catalogue_product WHERE trace_prefix IS NOT NULL")}
        self.patient_headers = await self.patient_at_kiosk()

    def patient(self, name: str = "李娜") -> dict[str, Any]:
        return next(p for p in self.env.demo["patients"] if p["name"] == name)

    async def patient_at_kiosk(self, name: str = "李娜") -> dict[str, str]:
        if not self.kiosk_token:  # the kiosk keeps its token, as the kiosk app does
            kiosk = next(c for c in self.env.demo["clients"] if c["kind"] == "kiosk")
            token = await self.http.post("/auth/token", json={
                "client_id": kiosk["client_id"], "client_secret": kiosk["client_secret"]})
            token.raise_for_status()
            self.kiosk_token = token.json()["access_token"]
        access = await self.http.post(
            "/patient-access/card", json={"card_type": "insurance",
                                          "card_number": self.patient(name)["insurance_card"]},
            headers={"Authorization": f"Bearer {self.kiosk_token}"})
        access.raise_for_status()
        return {"Authorization": f"Bearer {access.json()['access_token']}"}

    async def approved(self) -> dict[str, Any]:
        created, body = await self.prescriber.draft()
        (await self.prescriber.submit(created, body)).raise_for_status()
        await self.review(created)
        return created

    async def review(self, created: dict[str, Any]) -> None:
        """The pharmacist whose queue holds the prescription's task approves it, signed."""
        for account, headers in self.pharmacists:
            task = await self._queued_task(headers, created["id"])
            if task is None:
                continue
            doc = (await self.http.post(f"/review/tasks/{task['id']}/decision-document",
                                        headers=headers, json={"decision": "approved"})).json()
            (await self.http.post(f"/review/tasks/{task['id']}/approve", headers=headers, json={
                "version": task["version"], "algorithm": account["signing_algorithm"],
                "signature": signing.sign_document(account["signing_key"], doc["document"])})
             ).raise_for_status()
            return
        raise RuntimeError("review task not found")

    async def _queued_task(self, headers: dict[str, str], prescription_id: str
                           ) -> dict[str, Any] | None:
        """The task in this pharmacist's queue, paging through it: after the submit bench a
        queue holds hundreds of tasks, and the newest is due last."""
        offset = 0
        while True:
            items = (await self.http.get("/review/queue", params={"limit": 200, "offset": offset},
                                         headers=headers)).json()["items"]
            task = next((i["task"] for i in items
                         if i["task"]["prescription_id"] == prescription_id), None)
            if task is not None or len(items) < 200:
                return task
            offset += 200

    def next_code(self, product_id: str) -> str:
        self.serial += 1
        return f"{self.prefixes[product_id]}{self.serial + int(time.time()) * 1000:013d}"

    async def accepted_order(self, rx: dict[str, Any], mode: str = "courier") -> dict[str, Any]:
        body: dict[str, Any] = {"pharmacy_id": self.env.demo["organisations"]["P1"],
                                "mode": mode}
        if mode == "courier":
            body["address"] = {"region_code": "330106", "detail": "文三路 88 号",
                               "recipient": "李娜", "phone": "15067103456"}
        order = await self.http.post(f"/patient/prescriptions/{rx['id']}/order", json=body,
                                     headers=self.patient_headers)
        order.raise_for_status()
        (await self.http.post(f"/pharmacy/orders/{order.json()['id']}/accept",
                              headers=self.store)).raise_for_status()
        placed: dict[str, Any] = order.json()
        return placed

    async def order_and_pay(self, rx: dict[str, Any], me: dict[str, str], *,
                            patient: str = "李娜", step: Step = checked) -> dict[str, Any]:
        """At the kiosk: the patient sees the pharmacies, chooses courier delivery from P1 and
        pays online; the wallet app pays in the sandbox gateway (its callback follows)."""
        who = self.patient(patient)
        await step("options", self.http.get(
            f"/patient/prescriptions/{rx['id']}/pharmacies",
            params={"mode": "courier", "region_code": "330106"}, headers=me))
        order: dict[str, Any] = (await step("choose", self.http.post(
            f"/patient/prescriptions/{rx['id']}/order", headers=me, json={
                "pharmacy_id": self.env.demo["organisations"]["P1"], "mode": "courier",
                "address": {"region_code": "330106", "detail": "文三路 88 号",
                            "recipient": who["name"], "phone": who["phone"]}}))).json()
        payment = (await step("pay", self.http.post(
            f"/patient/orders/{order['id']}/payment", headers=me,
            json={"method": "online"}))).json()
        await step("paid", self.http.post(
            f"/payments/sandbox/{payment['gateway_trade_no']}/pay"))
        order["gateway_trade_no"] = payment["gateway_trade_no"]
        return order

    async def dispense(self, order: dict[str, Any], *, step: Step = checked) -> None:
        """At the store: accept, scan every package's traceability code, check."""
        url = f"/pharmacy/orders/{order['id']}"
        await step("accept", self.http.post(f"{url}/accept", headers=self.store))
        for line in order["lines"]:
            for _ in range(line["quantity"]):
                await step("scan", self.http.post(f"{url}/packages", headers=self.store, json={
                    "code": self.next_code(line["product_id"]), "line_id": line["id"],
                    "batch": "B1", "expiry": "2029-12-31"}))
        await step("complete", self.http.post(f"{url}/complete", headers=self.store,
                                              json={"checker": "store_qian"}))

    async def paid(self, order: dict[str, Any], me: dict[str, str], *,
                   within: float = 1.0) -> bool:
        """Whether the gateway's callback has marked the order paid (polled for `within` s)."""
        deadline = time.monotonic() + within
        while True:
            if (await self.http.get(f"/patient/orders/{order['id']}", headers=me)
                    ).json()["paid"]:
                return True
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.02)

    async def deliver(self, order: dict[str, Any], me: dict[str, str], *,
                      step: Step = checked) -> None:
        """Dispatch (once paid), the carrier's four events, the patient's confirmation."""
        await self.paid(order, me)  # the gateway's callback must have arrived to dispatch
        url = f"/pharmacy/orders/{order['id']}"
        tracking = (await step("dispatch", self.http.post(
            f"{url}/dispatch", headers=self.store))).json()["tracking_number"]
        for _ in range(4):
            await step("carrier", self.http.post(f"/carriers/sim/{tracking}/advance"))
        await step("confirm", self.http.post(f"/patient/orders/{order['id']}/confirm-receipt",
                                             headers=me))


def bench_tracecode_race(env: BenchEnvironment, base_url: str, attempts: int = 1000,
                         concurrency: int = 100) -> Result:
    async def run() -> tuple[dict[int, int], float]:
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as http:
            flow = Circulation(env, http)
            await flow.prepare()
            order = await flow.accepted_order(await flow.approved())
            line = order["lines"][0]
            code = flow.next_code(line["product_id"])
            body = {"code": code, "line_id": line["id"], "batch": "B1", "expiry": "2029-12-31"}
            url = f"/pharmacy/orders/{order['id']}/packages"
            start = time.perf_counter()
            answers = await gather_limited(attempts, concurrency, lambda: http.post(
                url, json=body, headers=flow.store))
            elapsed = time.perf_counter() - start
        counts: dict[int, int] = defaultdict(int)
        for answer in answers:
            counts[answer.status_code] += 1
        return counts, elapsed

    counts, elapsed = asyncio.run(run())
    successes = counts.get(201, 0)
    others = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
    result = Result("tracecode_race", successes, "successes", "<=", 1.0,
                    f"{attempts} concurrent attempts in {elapsed:.1f} s; answers {others}")
    if successes != 1:  # zero successes is as wrong as two
        result.target = 0.0
    return result


STEPS = ("identify", "options", "choose", "pay", "paid", "accept", "scan", "complete",
         "dispatch", "carrier", "confirm")


def bench_journey(env: BenchEnvironment, base_url: str, journeys: int = 200,
                  concurrency: int = 16) -> Result:
    async def run() -> tuple[float, dict[str, list[float]], int]:
        limits = httpx.Limits(max_connections=concurrency * 2)
        async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as http:
            flow = Circulation(env, http)
            await flow.prepare()
            ready = await gather_limited(journeys, 8, flow.approved)
            steps: dict[str, list[float]] = defaultdict(list)
            done = 0

            async def step(name: str, call: Any) -> httpx.Response:
                start = time.perf_counter()
                response: httpx.Response = await call
                steps[name].append((time.perf_counter() - start) * 1000)
                response.raise_for_status()
                return response

            async def journey(rx: dict[str, Any]) -> None:
                nonlocal done
                me = await flow.patient_at_kiosk()
                steps["identify"].append(0.0)
                order = await flow.order_and_pay(rx, me, step=step)
                await flow.dispense(order, step=step)
                await flow.deliver(order, me, step=step)
                done += 1

            queue = list(ready)

            async def worker() -> None:
                while queue:
                    await journey(queue.pop())

            meter.start()
            start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return journeys / (time.perf_counter() - start), steps, done

    meter = env.cpu_meter()
    rate, steps, done = asyncio.run(run())
    cpu = meter.stop()
    detail = ", ".join(f"{name} p99 {percentile(steps[name], 0.99):.0f} ms"
                       for name in STEPS if steps.get(name) and name != "identify")
    every = [x for values in steps.values() for x in values]
    return Result("journey", rate, "journeys_per_s", ">=", 50.0,
                  f"{done} journeys from approved prescriptions; {detail}; "
                  f"median step {statistics.median(every):.0f} ms; "
                  + cpu.note(journeys, "journey"))
