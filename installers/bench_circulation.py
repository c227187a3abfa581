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
from typing import Any

import httpx

from common import signing
from installers.bench import BenchEnvironment, Prescriber, Result, gather_limited, login, percentile


class Circulation:
    """Approved prescriptions and the actors who take them to the patient, over HTTP."""

    def __init__(self, env: BenchEnvironment, http: httpx.AsyncClient) -> None:
        self.env, self.http = env, http
        self.prescriber = Prescriber(env, http)
        self.patient_headers: dict[str, str] = {}
        self.store: dict[str, str] = {}
        self.pharmacists: list[tuple[dict[str, Any], dict[str, str]]] = []
        self.prefixes: dict[str, str] = {}
        self.serial = 0

    async def prepare(self) -> None:
        await self.prescriber.prepare()
        self.store = await login(self.http, self.env.account("store_kangning"))
        for username in ("pharm_chen", "pharm_liu"):
            account = self.env.account(username)
            self.pharmacists.append((account, await login(self.http, account)))
        self.prefixes = {str(row[0]): str(row[1]) for row in self.env.sql(
            "SELECT id, trace_prefix FROM catalogue_product WHERE trace_prefix IS NOT NULL")}
        self.patient_headers = await self.patient_at_kiosk()

    async def patient_at_kiosk(self) -> dict[str, str]:
        kiosk = next(c for c in self.env.demo["clients"] if c["kind"] == "kiosk")
        token = (await self.http.post("/auth/token", json={
            "client_id": kiosk["client_id"], "client_secret": kiosk["client_secret"]})).json()
        patient = next(p for p in self.env.demo["patients"] if p["name"] == "李娜")
        access = await self.http.post(
            "/patient-access/card", json={"card_type": "insurance",
                                          "card_number": patient["insurance_card"]},
            headers={"Authorization": f"Bearer {token['access_token']}"})
        access.raise_for_status()
        return {"Authorization": f"Bearer {access.json()['access_token']}"}

    async def approved(self) -> dict[str, Any]:
        created, body = await self.prescriber.draft()
        (await self.prescriber.submit(created, body)).raise_for_status()
        for account, headers in self.pharmacists:
            queue = (await self.http.get("/review/queue", params={"limit": 200},
                                         headers=headers)).json()["items"]
            task = next((i["task"] for i in queue
                         if i["task"]["prescription_id"] == created["id"]), None)
            if task is None:
                continue
            doc = (await self.http.post(f"/review/tasks/{task['id']}/decision-document",
                                        headers=headers, json={"decision": "approved"})).json()
            (await self.http.post(f"/review/tasks/{task['id']}/approve", headers=headers, json={
                "version": task["version"], "algorithm": account["signing_algorithm"],
                "signature": signing.sign_document(account["signing_key"], doc["document"])})
             ).raise_for_status()
            return created
        raise RuntimeError("review task not found")

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
                await step("options", http.get(
                    f"/patient/prescriptions/{rx['id']}/pharmacies",
                    params={"mode": "courier", "region_code": "330106"}, headers=me))
                order = (await step("choose", http.post(
                    f"/patient/prescriptions/{rx['id']}/order", headers=me, json={
                        "pharmacy_id": env.demo["organisations"]["P1"], "mode": "courier",
                        "address": {"region_code": "330106", "detail": "文三路 88 号",
                                    "recipient": "李娜", "phone": "15067103456"}}))).json()
                url = f"/pharmacy/orders/{order['id']}"
                payment = (await step("pay", http.post(
                    f"/patient/orders/{order['id']}/payment", headers=me,
                    json={"method": "online"}))).json()
                await step("paid", http.post(
                    f"/payments/sandbox/{payment['gateway_trade_no']}/pay"))
                await step("accept", http.post(f"{url}/accept", headers=flow.store))
                for line in order["lines"]:
                    for _ in range(line["quantity"]):
                        await step("scan", http.post(f"{url}/packages", headers=flow.store, json={
                            "code": flow.next_code(line["product_id"]), "line_id": line["id"],
                            "batch": "B1", "expiry": "2029-12-31"}))
                await step("complete", http.post(f"{url}/complete", headers=flow.store,
                                                 json={"checker": "store_qian"}))
                for _ in range(50):  # the gateway's callback must have arrived to dispatch
                    if (await http.get(f"/patient/orders/{order['id']}", headers=me)
                            ).json()["paid"]:
                        break
                    await asyncio.sleep(0.02)
                tracking = (await step("dispatch", http.post(
                    f"{url}/dispatch", headers=flow.store))).json()["tracking_number"]
                for _ in range(4):
                    await step("carrier", http.post(f"/carriers/sim/{tracking}/advance"))
                await step("confirm", http.post(f"/patient/orders/{order['id']}/confirm-receipt",
                                                headers=me))
                done += 1

            queue = list(ready)

            async def worker() -> None:
                while queue:
                    await journey(queue.pop())

            start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return journeys / (time.perf_counter() - start), steps, done

    rate, steps, done = asyncio.run(run())
    detail = ", ".join(f"{name} p99 {percentile(steps[name], 0.99):.0f} ms"
                       for name in STEPS if steps.get(name) and name != "identify")
    every = [x for values in steps.values() for x in values]
    return Result("journey", rate, "journeys_per_s", ">=", 50.0,
                  f"{done} journeys from approved prescriptions; {detail}; "
                  f"median step {statistics.median(every):.0f} ms")
