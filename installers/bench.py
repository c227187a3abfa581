"""`rxp bench`: the performance targets, measured on this machine, one line each:

    BENCH <name> <value> <unit> target <op> <value> PASS|FAIL

The server benchmarks run against a real server (uvicorn, two worker processes) over a real
PostgreSQL cluster of their own in `.rxp/bench` (durable settings: fsync on), seeded with the
demo group; the load comes from a separate process over loopback.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pyotp

from common import signing
from installers import database
from installers.cpu_meter import CpuMeter
from installers.demo import stop_server, wait_ready
from installers.local import state_dir
from installers.pgcluster import PgCluster, free_port


@dataclass
class Result:
    name: str
    value: float
    unit: str
    op: str  # ">=" or "<="
    target: float
    note: str = ""

    @property
    def passed(self) -> bool:
        return self.value >= self.target if self.op == ">=" else self.value <= self.target

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return (f"BENCH {self.name} {self.value:.2f} {self.unit} target {self.op} "
                f"{self.target:g} {verdict}" + (f"  ({self.note})" if self.note else ""))


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# -- in-process -------------------------------------------------------------------------------

def bench_check() -> Result:
    from server.checks.bench import bench_check as run

    result = run()
    return Result("check", result.p99_ms, "ms_p99", "<=", 5.0,
                  f"p50 {result.p50_ms:.3f} ms, cold p99 {result.cold_p99_ms:.3f} ms, "
                  f"{result.pairs} pairs, 20 current medications")


def bench_signatures() -> list[str]:
    from server.signatures.bench import bench_lines

    return bench_lines(seconds=1.0)


# -- the server under load ------------------------------------------------------------------------

class BenchEnvironment:
    """A cluster, a migrated and seeded database, and a server, all of the benchmarks' own."""

    def __init__(self, base: Path | None = None, *, cluster_settings: Sequence[str] = ()) -> None:
        self.base = base or state_dir() / "bench"
        self.cluster_settings = cluster_settings
        self.owner_password = uuid.uuid4().hex
        self.app_password = uuid.uuid4().hex
        self.cluster = PgCluster(self.base / "pg", free_port())
        self.server: subprocess.Popen[bytes] | None = None
        self.demo: dict[str, Any] = {}

    @property
    def urls(self) -> database.DatabaseUrls:
        return database.urls(self.cluster, "rxp", self.owner_password, self.app_password)

    def start(self) -> None:
        from server.core.keys import KeyMaterial, init_key_dir
        from server.core.migrations import upgrade
        from server.personal_data.cipher import FieldCipher
        from server.seed.runner import seed

        shutil.rmtree(self.base, ignore_errors=True)
        self.base.mkdir(parents=True)
        self.base.chmod(0o711)
        self.base.parent.chmod(0o711)
        self.cluster.init(settings=self.cluster_settings)
        self.cluster.start()
        database.ensure_roles(self.cluster, self.owner_password, self.app_password)
        database.ensure_database(self.cluster, "rxp")
        upgrade(self.urls.owner, app_role=database.APP_ROLE)
        init_key_dir(self.base / "keys")
        cipher = FieldCipher(KeyMaterial.load(self.base / "keys").keyring)
        self.demo = asyncio.run(seed(self.urls.owner, cipher)).as_json()

    def serve(self, workers: int = 2, *, access_log: bool = False, port: int | None = None,
              ready_within: float = 60, extra_env: dict[str, str] | None = None) -> str:
        """Start the server (its own session: stopped, or killed, as one process group);
        `port` again to restart it where its clients expect it."""
        port = port or free_port()
        env = {"RXP_ENV": "demo", "DATABASE_URL": self.urls.app,
               "RXP_KEY_DIR": str(self.base / "keys"),
               "RXP_AUDIT_CHECKPOINT_DIR": str(self.base / "checkpoints"),
               "RXP_DB_POOL_SIZE": "20",
               # The sandbox gateway's callbacks come back to this server.
               "RXP_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
        log = self.base / "server.log"
        cmd_env = {**os.environ, **env, **(extra_env or {})}
        with open(log, "ab") as out:  # the child keeps its own descriptor
            self.server = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--factory", "server.asgi:app_from_env",
                 "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                 *([] if access_log else ["--no-access-log"]), "--log-level",
                 "info" if access_log else "warning", "--timeout-graceful-shutdown", "5"],
                env=cmd_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        base_url = f"http://127.0.0.1:{port}"
        wait_ready(base_url, self.server, timeout=ready_within)
        return base_url

    def sql(self, statement: str, params: Any = None) -> list[tuple[Any, ...]]:
        url = self.urls.owner.replace("+psycopg", "")
        with psycopg.connect(url, autocommit=True) as conn:
            cur = conn.execute(statement, params)
            return cur.fetchall() if cur.description else []

    def stop(self) -> None:
        if self.server is not None:
            stop_server(self.server)
        self.cluster.stop()

    def cpu_meter(self) -> CpuMeter:
        assert self.server is not None, "serve() first"
        return CpuMeter(self.server.pid, self.cluster.datadir)

    def account(self, username: str) -> dict[str, Any]:
        return next(a for a in self.demo["accounts"] if a["username"] == username)


_TOKENS: dict[tuple[str, str], dict[str, str]] = {}


async def login(http: httpx.AsyncClient, account: dict[str, Any]) -> dict[str, str]:
    """Once per account and server: the server accepts each TOTP code only once. Keyed by the
    server too: drills run one after another in a process, each with a server (and keys) of
    its own."""
    key = (str(http.base_url), account["username"])
    if key not in _TOKENS:
        response = await http.post("/auth/login", json={
            "username": account["username"], "password": account["password"],
            "totp_code": pyotp.TOTP(account["totp_secret"]).now()})
        response.raise_for_status()
        _TOKENS[key] = {"Authorization": f"Bearer {response.json()['access_token']}"}
    return _TOKENS[key]


async def timed(samples: list[float], call: Awaitable[httpx.Response]) -> None:
    """Await `call` (a coroutine not started yet) and record how long it took."""
    start = time.perf_counter()
    response = await call
    samples.append((time.perf_counter() - start) * 1000)
    if response.status_code >= 400:
        raise RuntimeError(f"{response.status_code} {response.text[:300]}")


def bench_search(env: BenchEnvironment, base_url: str) -> Result:
    """As-you-type search over 100,000 products: p99 per request, one typist at a time."""
    existing = env.sql("SELECT count(*) FROM catalogue_product")[0][0]
    copies = max(0, -(-(100_000 - existing) // existing))
    # Variants of the seeded products (as many as 100,000 in all): the same names with a
    # distinguishing suffix, their own codes, so the indexes hold realistic text.
    env.sql(f"""
        INSERT INTO catalogue_product (id, created_at, updated_at, version, item_type,
            generic_name, brand_name, specification, dosage_form, package, unit, manufacturer,
            approval_number, registration_number, insurance_code, standard_code, atc_code,
            drug_class, chronic_list, herbal_pieces, insurance_restriction, status,
            search_primary, search_secondary, search_text, name_length)
        SELECT gen_random_uuid(), now(), now(), 1, item_type, generic_name || '（' || n || '）',
            brand_name, specification, dosage_form, package, unit, manufacturer || n,
            approval_number, registration_number, NULL, NULL, atc_code, drug_class,
            chronic_list, herbal_pieces, insurance_restriction, status,
            search_primary, search_secondary, search_text || ' v' || n, name_length + 3
        FROM catalogue_product, generate_series(1, {copies}) AS n
        WHERE status = 'active'""")
    env.sql("ANALYZE catalogue_product")
    total = env.sql("SELECT count(*) FROM catalogue_product")[0][0]
    queries = ["a", "am", "amx", "amxl", "阿", "阿莫", "阿莫西", "xl", "头孢", "tb", "布洛",
               "bl", "氨氯", "anl", "二甲", "ejsg", "硝苯", "奥美", "omlz", "XJ01", "869"]

    by_query: dict[str, list[float]] = {q: [] for q in queries}

    async def run() -> list[float]:
        samples: list[float] = []
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
            headers = await login(http, env.account("doctor_wang"))
            for round_ in range(15):
                for q in queries:
                    mine: list[float] = []
                    await timed(mine, http.get(
                        "/catalogue/search", params={"q": q, "limit": 20}, headers=headers))
                    if round_:  # the first round warms caches
                        samples += mine
                        by_query[q] += mine
        return samples

    samples = asyncio.run(run())
    slowest = sorted(by_query, key=lambda q: -statistics.median(by_query[q]))[:3]
    return Result("search", percentile(samples, 0.99), "ms_p99", "<=", 20.0,
                  f"{total} products, p50 {statistics.median(samples):.1f} ms, "
                  f"{len(samples)} requests; slowest: " + ", ".join(
                      f"{q!r} {statistics.median(by_query[q]):.0f} ms" for q in slowest))


class Prescriber:
    """Drafts, signs and submits prescriptions through the HTTP API, like the doctor's app."""

    def __init__(self, env: BenchEnvironment, http: httpx.AsyncClient, *,
                 doctor: str = "doctor_wang", patient: str = "李娜") -> None:
        self.env, self.http = env, http
        self.doctor = env.account(doctor)
        self.patient = next(p["id"] for p in env.demo["patients"] if p["name"] == patient)
        self.headers: dict[str, str] = {}
        self.body: dict[str, Any] = {}
        self.overrides: list[dict[str, str]] = []

    async def prepare(self) -> None:
        self.headers = await login(self.http, self.doctor)
        found = (await self.http.get("/catalogue/search", params={"q": "氨氯地平"},
                                     headers=self.headers)).json()["items"][0]
        unit = found["package"].split("/")[0].lstrip("0123456789.")
        self.body = {"patient_id": self.patient, "visit_type": "outpatient",
                     "diagnoses": [{"code": "I10", "name": "原发性高血压"}],
                     "lines": [{"product_id": found["id"], "dose": "1", "dose_unit": unit,
                                "route": "口服", "frequency": "qd", "days": 7}]}
        check = (await self.http.post("/prescriptions/check", json=self.body,
                                      headers=self.headers)).json()
        self.overrides = [{"key": i["key"], "reason": "基准测试"} for i in check["issues"]
                          if i["needs_override"]]

    async def draft(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """A saved draft and the submit body, signed (not what is timed)."""
        created = (await self.http.post("/prescriptions", json=self.body,
                                        headers=self.headers)).json()
        doc = (await self.http.get(f"/prescriptions/{created['id']}/signing-document",
                                   headers=self.headers)).json()
        signature = signing.sign_document(self.doctor["signing_key"], doc["document"])
        return created, {"version": created["version"], "signature": signature,
                         "algorithm": self.doctor["signing_algorithm"],
                         "overrides": self.overrides}

    async def submit(self, created: dict[str, Any], body: dict[str, Any]) -> httpx.Response:
        return await self.http.post(f"/prescriptions/{created['id']}/submit", json=body,
                                    headers=self.headers)


async def gather_limited(count: int, limit: int, make: Callable[[], Awaitable[Any]]) -> list[Any]:
    semaphore = asyncio.Semaphore(limit)

    async def one() -> Any:
        async with semaphore:
            return await make()

    return await asyncio.gather(*(one() for _ in range(count)))


def bench_submit(env: BenchEnvironment, base_url: str, count: int = 1500,
                 concurrency: int = 24) -> Result:
    """Submits per second through HTTP (signature verification, checks, the rational-use
    simulator, audit, task assignment, events), and the same writes by psycopg alone."""

    async def run() -> tuple[float, list[float]]:
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as http:
            prescriber = Prescriber(env, http)
            await prescriber.prepare()
            drafts = await gather_limited(count, concurrency, prescriber.draft)
            samples: list[float] = []
            queue = list(drafts)

            async def worker() -> None:
                while queue:
                    created, body = queue.pop()
                    await timed(samples, prescriber.submit(created, body))

            meter.start()
            start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return count / (time.perf_counter() - start), samples

    meter = env.cpu_meter()
    rate, samples = asyncio.run(run())
    cpu = meter.stop()
    ceiling = raw_database_ceiling(env, count, concurrency)
    return Result("submit", rate, "rx_per_s", ">=", 200.0,
                  f"p50 {statistics.median(samples):.1f} ms, p99 {percentile(samples, 0.99):.1f}"
                  f" ms; psycopg-alone ceiling {ceiling:.0f}/s, ratio {rate / ceiling:.2f}; "
                  + cpu.note(count, "submit"))


def raw_database_ceiling(env: BenchEnvironment, count: int, concurrency: int) -> float:
    """The rows one submit writes (status update, three transitions, issue, task, event with
    NOTIFY, chained audit event), written by psycopg alone with the same concurrency."""
    rows = env.sql("SELECT id, org_id FROM prescription WHERE status = 'under_review' LIMIT %s",
                   (count,))
    url = env.urls.owner.replace("+psycopg", "")

    async def one(conn: psycopg.AsyncConnection[Any], rx_id: Any, org_id: Any) -> None:
        async with conn.transaction():
            await conn.execute("UPDATE prescription SET version = version + 1 WHERE id = %s",
                               (rx_id,))
            for target in ("submitted", "auto_checked", "under_review"):
                await conn.execute(
                    "INSERT INTO prescription_transition (prescription_id, org_id, to_status)"
                    " VALUES (%s, %s, %s)", (rx_id, org_id, target))
            await conn.execute(
                "INSERT INTO prescription_issue (id, prescription_id, org_id, revision, source,"
                " kind, level, line_numbers, message) VALUES (gen_random_uuid(), %s, %s, 9,"
                " 'engine', 'dose', 1, '{1}', 'x')", (rx_id, org_id))
            await conn.execute(
                "INSERT INTO review_task (id, created_at, updated_at, version, prescription_id,"
                " org_id, revision, status, drug_classes, due_at) VALUES (gen_random_uuid(),"
                " now(), now(), 1, %s, %s, 9, 'cancelled', '{ordinary}', now())",
                (rx_id, org_id))
            event = await conn.execute(
                "INSERT INTO live_event (type, org_id, payload, user_ids, roles) VALUES"
                " ('bench', %s, '{}', '{}', '{}') RETURNING id", (org_id,))
            event_id = (await event.fetchone())[0]  # type: ignore[index]
            await conn.execute("SELECT pg_notify('rxp_live_events', %s)", (str(event_id),))
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (0x52585041,))
            await conn.execute(
                "INSERT INTO audit_event (seq, occurred_at, action, outcome, summary, prev_hash,"
                " hash) SELECT COALESCE(max(seq), 0) + 1, now(), 'bench', 'success', '{}',"
                " '\\x00', '\\x00' FROM audit_event")

    async def run() -> float:
        conns = [await psycopg.AsyncConnection.connect(url) for _ in range(concurrency)]
        work = list(rows)

        async def worker(conn: psycopg.AsyncConnection[Any]) -> None:
            while work:
                rx_id, org_id = work.pop()
                await one(conn, rx_id, org_id)

        start = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in conns))
        elapsed = time.perf_counter() - start
        for conn in conns:
            await conn.close()
        return len(rows) / elapsed

    return asyncio.run(run())


def bench_events(env: BenchEnvironment, base_url: str, count: int = 250,
                 per_second: float = 50.0) -> Result:
    """Submit -> the doctor's subscribed app receives the status event, at 50 submits/s."""

    async def run() -> list[float]:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            prescriber = Prescriber(env, http)
            await prescriber.prepare()
            drafts = await gather_limited(count, 16, prescriber.draft)
            sent: dict[str, float] = {}
            received: dict[str, float] = {}
            done = asyncio.Event()

            async def listen() -> None:
                async with http.stream("GET", "/events/stream",
                                       headers=prescriber.headers) as stream:
                    async for text in stream.aiter_lines():
                        if text.startswith("data:"):
                            payload = json.loads(text[5:]).get("payload", {})
                            if payload.get("status") == "under_review":
                                received.setdefault(payload["id"], time.perf_counter())
                                if len(received) >= count:
                                    done.set()
                                    return

            listener = asyncio.create_task(listen())
            await asyncio.sleep(0.5)
            pending = []
            for created, body in drafts:
                sent[created["id"]] = time.perf_counter()
                pending.append(asyncio.create_task(prescriber.submit(created, body)))
                await asyncio.sleep(1 / per_second)
            await asyncio.gather(*pending)
            try:
                await asyncio.wait_for(done.wait(), 30)
            finally:
                listener.cancel()
            return [(received[k] - sent[k]) * 1000 for k in sent if k in received]

    latencies = asyncio.run(run())
    return Result("events", percentile(latencies, 0.99), "ms_p99", "<=", 100.0,
                  f"{len(latencies)}/{count} events, p50 {statistics.median(latencies):.1f} ms,"
                  f" {per_second:g} submits/s")


def bench_worklist(env: BenchEnvironment, base_url: str, total: int = 1_000_000) -> Result:
    """A pharmacist's queue and a doctor's list with 1,000,000 prescriptions stored."""
    doctor = env.account("doctor_wang")
    others = [a for a in env.demo["accounts"] if "doctor" in a["roles"]]
    patient = env.demo["patients"][0]["id"]
    env.sql(f"""
        WITH d AS (SELECT id, org_id, department_id FROM staff_user
                   WHERE username = ANY(%s))
        INSERT INTO prescription (id, created_at, updated_at, version, number, org_id,
            department_id, doctor_id, patient_id, visit_type, diagnoses, validity_days, herbal,
            status, status_changed_at, total_amount, revision)
        SELECT gen_random_uuid(), now() - (n || ' seconds')::interval, now(), 1,
               'RXB' || lpad(n::text, 12, '0'), d.org_id, d.department_id, d.id, %s,
               'outpatient', '[]', 1, false,
               (ARRAY['settled','delivered','collected','awaiting_patient_choice'])[n %% 4 + 1],
               now(), 10, 1
        FROM generate_series(1, {total}) AS n
        JOIN LATERAL (SELECT * FROM d OFFSET n %% (SELECT count(*) FROM d) LIMIT 1) d ON true""",
        ([a["username"] for a in others], patient))
    env.sql("""INSERT INTO review_task (id, created_at, updated_at, version, prescription_id,
                   org_id, revision, status, drug_classes, due_at, decision, decided_at,
                   assigned_to_id)
               SELECT gen_random_uuid(), p.created_at, now(), 2, p.id, p.org_id, 1, 'decided',
                      '{ordinary}', p.created_at + interval '15 minutes', 'approved',
                      p.created_at + interval '3 minutes', u.id
               FROM prescription p, staff_user u
               WHERE u.username = 'pharm_chen' AND p.org_id = u.org_id
                 AND p.number LIKE 'RXB%' AND random() < 0.2""")
    # What an operator does after a bulk load (and autovacuum does, in time, after steady
    # growth): statistics, and the visibility map, so that the first reads are not the ones
    # that set the hint bits of a million fresh rows.
    env.sql("VACUUM (ANALYZE) prescription, review_task")
    env.sql("ANALYZE")
    # And the load's dirty pages written out now, not by the checkpointer while the reads are
    # timed (after the journey benchmark's writes, that made this p99 twice the one measured
    # on its own).
    env.cluster.psql("CHECKPOINT")  # a superuser's (or pg_checkpoint's) statement
    stored = env.sql("SELECT count(*) FROM prescription")[0][0]

    async def run() -> tuple[list[float], list[float]]:
        queue: list[float] = []
        mine: list[float] = []
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            prescriber = Prescriber(env, http)
            await prescriber.prepare()
            for _ in range(60):  # open tasks in the queues
                created, body = await prescriber.draft()
                await prescriber.submit(created, body)
            pharmacist = await login(http, env.account("pharm_chen"))
            doctor_headers = await login(http, doctor)
            for round_ in range(220):
                await timed(queue, http.get("/review/queue", headers=pharmacist))
                await timed(mine, http.get(
                    "/prescriptions", params={"limit": 50, "offset": (round_ % 5) * 50},
                    headers=doctor_headers))
        return queue[20:], mine[20:]

    queue, mine = asyncio.run(run())
    worst = max(percentile(queue, 0.99), percentile(mine, 0.99))
    return Result("worklist", worst, "ms_p99", "<=", 20.0,
                  f"{stored} prescriptions; queue p99 {percentile(queue, 0.99):.1f} ms, "
                  f"doctor list p99 {percentile(mine, 0.99):.1f} ms")


SERVER_BENCHES = ("search", "submit", "events", "worklist", "tracecode_race", "journey")


def main(names: list[str]) -> int:
    from installers.bench_apps import APP_BENCHES, run_app_benches
    from installers.bench_circulation import bench_journey, bench_tracecode_race
    from installers.bench_kiosk import KIOSK_BENCHES, run_kiosk_benches

    wanted = set(names) or {"check", "signatures", *SERVER_BENCHES, *APP_BENCHES,
                            *KIOSK_BENCHES}
    results: list[Result] = run_app_benches(wanted)
    results += run_kiosk_benches(wanted)
    if "check" in wanted:
        results.append(bench_check())
        print(results[-1].line(), flush=True)
    if "signatures" in wanted:
        for line in bench_signatures():
            print(line, flush=True)
    if wanted & set(SERVER_BENCHES):
        env = BenchEnvironment()
        try:
            env.start()
            base_url = env.serve()
            # In this order: each later one also measures with the earlier ones' data stored.
            benches: tuple[tuple[str, Callable[[BenchEnvironment, str], Result]], ...] = (
                ("search", bench_search), ("submit", bench_submit), ("events", bench_events),
                ("tracecode_race", bench_tracecode_race), ("journey", bench_journey),
                ("worklist", bench_worklist))
            for name, bench in benches:
                if name in wanted:
                    results.append(bench(env, base_url))
                    print(results[-1].line(), flush=True)
        finally:
            env.stop()
    (state_dir() / "bench-results.json").write_text(json.dumps(
        [r.__dict__ | {"passed": r.passed} for r in results], ensure_ascii=False, indent=2))
    return 0 if all(r.passed for r in results) else 1
