"""The `access` drill: 1,000 random attempts to read or change another organisation's records.

The real server over a seeded cluster of the drill's own. Hospital H1's records are made the
production way (a doctor of H1 prescribes for an H1 patient, a pharmacist approves, the patient
chooses store P1, which accepts). Then staff of other organisations (hospital H2, the primary-
care clinic C1, stores P2 and P3) try, at random, every read and change of those records the API
offers: the patient, their clinical data, the prescription and its trace, the review task, the
store's order, the H1 doctor's account. Each attempt carries its own request id.

PASS when none succeeds (no 2xx), the records are unchanged (digests of their tables before and
after), and every attempt is in the audit log as denied or failed, under its request id.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from installers.bench import BenchEnvironment, login
from installers.bench_circulation import Circulation
from installers.drills import DrillResult, reports_dir, workdir

ATTEMPTS = 1000
CONCURRENCY = 8
ATTACKERS = ("doctor_sun", "pharm_huang", "gp_zhou", "store_yimin", "store_baicao")
# What must not change, column lists chosen so the attackers' own logins do not count.
WATCHED = {
    "patient": "*",
    "patient_allergy": "*",
    "prescription": "*",
    "review_task": "*",
    "circulation_order": "*",
    "staff_user": "id, status, roles, display_name, org_id, department_id, version",
}


@dataclass(frozen=True)
class Attempt:
    method: str
    path: str
    body: dict[str, Any] | None = None


def _attempts(t: dict[str, str]) -> list[Attempt]:
    """Every operation tried on H1's records (ids in `t`)."""
    p, rx, order, task, user = t["patient"], t["prescription"], t["order"], t["task"], t["user"]
    return [
        Attempt("GET", f"/patients/{p}"),
        Attempt("GET", f"/patients/{p}/full"),
        Attempt("GET", f"/patients/{p}/context"),
        Attempt("GET", f"/patients/{p}/allergies"),
        Attempt("PATCH", f"/patients/{p}", {"version": 1, "phone": "13900000000"}),
        Attempt("POST", f"/patients/{p}/allergies",
                {"allergen_class": "penicillins", "allergen": "青霉素", "reaction": "皮疹"}),
        Attempt("GET", f"/prescriptions/{rx}"),
        Attempt("GET", f"/prescriptions/{rx}/trace"),
        Attempt("GET", f"/prescriptions/{rx}/verification"),
        Attempt("POST", f"/prescriptions/{rx}/void", {"version": 1, "reason": "越权尝试"}),
        Attempt("GET", f"/review/tasks/{task}"),
        Attempt("POST", f"/review/tasks/{task}/reassign", {"to_user_id": user}),
        Attempt("GET", f"/pharmacy/orders/{order}"),
        Attempt("POST", f"/pharmacy/orders/{order}/return", {"reason": "越权尝试"}),
        Attempt("POST", f"/pharmacy/orders/{order}/complete", {"checker": "store_qian"}),
        Attempt("GET", f"/users/{user}"),
        Attempt("PATCH", f"/users/{user}", {"version": 1, "display_name": "越权"}),
        Attempt("POST", f"/users/{user}/freeze", {"reason": "越权尝试"}),
    ]


def _digests(env: BenchEnvironment) -> dict[str, str]:
    return {table: str(env.sql(
        f"SELECT coalesce(md5(string_agg(h, '' ORDER BY h)), '') FROM "
        f"(SELECT md5({row}::text) AS h FROM {table} t) rows")[0][0])
        for table, columns in WATCHED.items()
        for row in ["t" if columns == "*" else f"row({columns})"]}


async def _targets(env: BenchEnvironment, http: httpx.AsyncClient) -> dict[str, str]:
    circulation = Circulation(env, http)
    await circulation.prepare()
    order = await circulation.accepted_order(await circulation.approved(), mode="store_pickup")
    task = env.sql("SELECT id FROM review_task WHERE prescription_id = %s",
                   (order["prescription_id"],))[0][0]
    return {"patient": circulation.prescriber.patient, "prescription": order["prescription_id"],
            "order": order["id"], "task": str(task), "user": env.account("doctor_wang")["id"]}


def drill_access() -> DrillResult:
    base = workdir("access")
    env = BenchEnvironment(base)
    try:
        env.start()
        base_url = env.serve()
        before: dict[str, str] = {}
        targets, results = asyncio.run(_attack(env, base_url, before))
        after = _digests(env)
        succeeded = [r for r in results if 200 <= r[3] < 300]
        changed = sorted(t for t in WATCHED if before.get(t) != after.get(t))
        audited = {row[0]: row[1] for row in env.sql(
            "SELECT request_id, outcome FROM audit_event WHERE request_id LIKE 'drill-access-%'")}
        unaudited = [r for r in results if audited.get(r[0]) not in ("denied", "failure")]
        statuses = Counter(r[3] for r in results)
        passed = not succeeded and not changed and not unaudited and len(results) == ATTEMPTS
        figures = (f"{len(results)} attempts by {len(ATTACKERS)} accounts of 4 other "
                   f"organisations on {len(_attempts(targets))} operations: {len(succeeded)} "
                   f"succeeded, {len(changed)} tables changed, {len(unaudited)} not audited; "
                   "answers " + ", ".join(f"{s}×{n}" for s, n in sorted(statuses.items())))
        details = [f"SUCCEEDED: {r[1]} {r[2].method} {r[2].path} -> {r[3]}"
                   for r in succeeded[:10]]
        details += [f"changed: {t}" for t in changed]
        details += [f"not audited: {r[1]} {r[2].method} {r[2].path} -> {r[3]}"
                    for r in unaudited[:10]]
        report = _report(results, figures, passed, details)
        return DrillResult("access", passed, figures, report, details)
    finally:
        env.stop()
        shutil.rmtree(base, ignore_errors=True)


async def _attack(env: BenchEnvironment, base_url: str, before: dict[str, str]
                  ) -> tuple[dict[str, str], list[tuple[str, str, Attempt, int]]]:
    """Make H1's records, record the watched tables' digests into `before`, then attack."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        targets = await _targets(env, http)
        attackers = {name: await login(http, env.account(name)) for name in ATTACKERS}
    before.update(_digests(env))
    rng = random.Random()
    operations = _attempts(targets)
    plan = [(rng.choice(ATTACKERS), rng.choice(operations)) for _ in range(ATTEMPTS)]
    semaphore = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:

        async def one(attacker: str, attempt: Attempt) -> tuple[str, str, Attempt, int]:
            request_id = f"drill-access-{uuid.uuid4().hex}"
            async with semaphore:
                response = await http.request(
                    attempt.method, attempt.path, json=attempt.body,
                    headers={**attackers[attacker], "X-Request-Id": request_id})
            return request_id, attacker, attempt, response.status_code

        results = await asyncio.gather(*(one(a, op) for a, op in plan))
    return targets, list(results)


def _report(results: list[tuple[str, str, Attempt, int]], figures: str, passed: bool,
            details: list[str]) -> Path:
    by_operation: dict[str, Counter[int]] = {}
    for _, _, attempt, status in results:
        words = ["{id}" if len(w) == 36 and w.count("-") == 4 else w
                 for w in attempt.path.split("/")]
        key = f"{attempt.method} {'/'.join(words)}"
        by_operation.setdefault(key, Counter())[status] += 1
    lines = [f"# Drill access: {'PASS' if passed else 'FAIL'}", "", figures, "",
             "| operation | answers |", "|---|---|",
             *(f"| {op} | {', '.join(f'{s}×{n}' for s, n in sorted(c.items()))} |"
               for op, c in sorted(by_operation.items())), "", *details, ""]
    path = reports_dir() / "drill-access.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
