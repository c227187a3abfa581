"""The `fuzz` drill: schemathesis against the server's own OpenAPI description.

The real server (uvicorn) over a seeded cluster of the drill's own. Every operation of
`/openapi.json` gets EXAMPLES generated requests that fit its schema (positive) and EXAMPLES
that do not (negative), each with the bearer token of a demo account that holds the permission
the route requires (read from the routes' `require(...)` dependencies, so an operation is
exercised past its permission check), a verified patient's token for the patient routes.

Each answer goes through schemathesis's checks: no 5xx (not_a_server_error), the status code
and content type are documented, the body fits the declared response schema, invalid input is
refused with a 4xx (negative_data_rejection), and an operation that answers 2xx also refuses
the same request without or with a wrong token (ignored_auth).

PASS when no check failed on any operation. A few operations are not fuzzed, each for a stated
reason (EXCLUDED).
"""

from __future__ import annotations

import asyncio
import inspect
import multiprocessing
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from installers.bench import BenchEnvironment, login
from installers.drills import DrillResult, reports_dir, workdir
from installers.drills.charts import line_chart

EXAMPLES = 100  # per operation and per mode (positive, negative)
FUZZERS = 2  # processes sending examples (the server has two workers)
ONLY: tuple[str, ...] = ()  # operation labels ("GET /users"); empty: all (the test narrows it)
EXCLUDED = {
    "GET /events/stream": "server-sent events: the answer never ends, no schema to check",
    "POST /auth/logout": "ends the session whose token the other examples use",
    "POST /patient-access/logout": "ends the patient session whose token the patient routes use",
    "POST /auth/password": "a wrong current password counts as a failed login: the fuzzed "
                           "account would be locked out, and every later example with it",
}
# Who calls an operation that requires a permission: the first of these accounts that holds it.
STAFF = ("doctor_wang", "pharm_chen", "store_kangning", "admin_h1", "admin_group", "sysadmin",
         "secadmin", "auditor")
CLIENTS = ("his-h1", "kiosk-h1-01")
# Operations open to any staff principal whose service checks the role itself.
BY_PREFIX = (("/pharmacies/", "store_kangning"), ("/tariffs", "admin_group"))
DEFAULT_ACCOUNT = "doctor_wang"
PATIENT = "李娜"
# The tokens must outlive the drill (a full run takes minutes; a login's TOTP code is single-use).
SESSION_MINUTES = "240"


@dataclass
class OperationResult:
    label: str
    caller: str
    examples: Counter[str] = field(default_factory=Counter)  # by mode
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)  # check title -> first example
    seconds: float = 0.0
    finished: float = 0.0  # time.time()


def _flat_routes(routes: list[Any]) -> Iterator[Any]:
    from fastapi.routing import APIRoute

    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # an included router (FastAPI ≥ 0.160)
            yield from _flat_routes(route.original_router.routes)


def _dependencies(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub
        yield from _dependencies(sub)


def route_requirements(database_url: str, key_dir: Path) -> dict[str, str]:
    """"METHOD /path" -> what the route requires: a permission, "patient", "staff" or ""."""
    from server.app import create_app
    from server.settings import Settings

    app = create_app(Settings(  # built to be read, never started: no connection is made
        RXP_ENV="demo", DATABASE_URL=database_url, RXP_KEY_DIR=key_dir,
        RXP_AUDIT_CHECKPOINT_DIR=key_dir.parent / "checkpoints"))
    found: dict[str, str] = {}
    for route in _flat_routes(app.routes):
        need = ""
        for sub in _dependencies(route.dependant):
            name = getattr(sub.call, "__qualname__", "")
            if name == "require.<locals>.check":  # server/identity/dependencies.py
                need = str(inspect.getclosurevars(sub.call).nonlocals["permission"])
                break
            if name == "current_patient":
                need = "patient"
            elif name == "current_principal" and not need:
                need = "staff"
        for method in route.methods:
            found[f"{method} {route.path}"] = need
    return found


def choose_callers(requirements: dict[str, str], roles: dict[str, list[str]],
                   client_kinds: dict[str, str]) -> dict[str, str]:
    """Operation label -> the account (or client, or "patient") whose token it is called with;
    `roles`: username -> roles, `client_kinds`: client id -> kind, of the demo group."""
    from server.access.roles import client_permissions, permissions_for

    holders: list[tuple[str, frozenset[str]]] = [
        (name, permissions_for(roles[name])) for name in STAFF]
    holders += [(client, client_permissions(client_kinds[client])) for client in CLIENTS]
    callers: dict[str, str] = {}
    for label, need in requirements.items():
        path = label.split(" ", 1)[1]
        if need == "patient":
            callers[label] = "patient"
        elif need == "staff":
            callers[label] = next((who for prefix, who in BY_PREFIX if path.startswith(prefix)),
                                  DEFAULT_ACCOUNT)
        elif need:
            callers[label] = next((who for who, granted in holders if need in granted),
                                  DEFAULT_ACCOUNT)
        else:
            callers[label] = ""  # open: login, health, callbacks signed in their body
    return callers


async def _tokens(env: BenchEnvironment, base_url: str, callers: set[str]
                  ) -> dict[str, dict[str, str]]:
    clients = {c["client_id"]: c for c in env.demo["clients"]}
    headers: dict[str, dict[str, str]] = {"": {}}
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:

        async def client_token(client_id: str) -> dict[str, str]:
            answer = await http.post("/auth/token", json={
                "client_id": client_id, "client_secret": clients[client_id]["client_secret"]})
            answer.raise_for_status()
            return {"Authorization": f"Bearer {answer.json()['access_token']}"}

        for who in sorted(callers - {""}):
            if who == "patient":
                kiosk = await client_token("kiosk-h1-01")
                patient = next(p for p in env.demo["patients"] if p["name"] == PATIENT)
                answer = await http.post("/patient-access/card", headers=kiosk, json={
                    "card_type": "insurance", "card_number": patient["insurance_card"]})
                answer.raise_for_status()
                headers[who] = {"Authorization": f"Bearer {answer.json()['access_token']}"}
            elif who in clients:
                headers[who] = await client_token(who)
            else:
                headers[who] = await login(http, env.account(who))
    return headers


def _checks() -> list[Any]:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        ignored_auth,
        negative_data_rejection,
        response_schema_conformance,
        status_code_conformance,
    )

    return [not_a_server_error, status_code_conformance, content_type_conformance,
            response_schema_conformance, negative_data_rejection, ignored_auth]


def operations(schema: Any) -> dict[str, Any]:
    """Label -> operation; a part of the description schemathesis cannot read fails the drill."""
    from schemathesis.core.result import Ok

    found = {}
    for loaded in schema.get_all_operations():
        if not isinstance(loaded, Ok):
            raise RuntimeError(f"the OpenAPI description cannot be fuzzed: {loaded.err()}")
        found[label_of(loaded.ok())] = loaded.ok()
    return found


def label_of(operation: Any) -> str:
    return f"{operation.method.upper()} {operation.path}"


def install_tokens(schema: Any, tokens: dict[str, str]) -> None:
    """Each generated request carries the token of its operation's caller (`tokens`: label ->
    "Bearer ..."), through schemathesis's auth providers: a negative example that leaves the
    token out on purpose ("missing Authorization") stays without one."""

    class OperationToken:
        def get(self, case: Any, context: Any) -> str | None:
            return tokens.get(label_of(case.operation))

        def set(self, case: Any, data: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": data}

    schema.auth(refresh_interval=None)(OperationToken)


def fuzz_operation(operation: Any, base_url: str, result: OperationResult,
                   examples: int) -> None:
    """`examples` positive and `examples` negative examples of one operation; every failed
    check is kept (the first example of each), none stops the run."""
    import hypothesis
    import requests
    from schemathesis import GenerationMode

    session = requests.Session()
    started = time.monotonic()
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        try:
            _examples(operation, mode, base_url, session, result, examples)()
        except hypothesis.errors.Unsatisfiable:
            pass  # no negative example exists (an operation without parameters or body)
    result.seconds = time.monotonic() - started


def _examples(operation: Any, mode: Any, base_url: str, session: Any,
              result: OperationResult, examples: int) -> Any:
    """The hypothesis test of one operation in one mode: it records, and never fails."""
    import hypothesis
    from hypothesis import HealthCheck, Phase
    from schemathesis.core.failures import FailureGroup

    checks = _checks()

    @hypothesis.settings(max_examples=examples, deadline=None, database=None,
                         phases=[Phase.generate], derandomize=True,
                         suppress_health_check=list(HealthCheck))
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = case.call(base_url=base_url, session=session, timeout=30)
        result.examples[mode.value] += 1
        result.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=checks,
                                   transport_kwargs={"base_url": base_url, "session": session})
        except FailureGroup as group:
            for failure in group.exceptions:
                result.failures.setdefault(
                    f"{mode.value}: {failure.title}",
                    f"{response.status_code} {case.as_curl_command()}\n"
                    f"{failure.message}"[:1500])

    return run


def fuzz_share(base_url: str, tokens: dict[str, str], callers: dict[str, str],
               labels: list[str], examples: int) -> list[OperationResult]:
    """One fuzzing process: these operations, one after another."""
    import schemathesis

    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json",
                                           config=schemathesis.Config())
    install_tokens(schema, tokens)
    found = operations(schema)
    results = []
    for label in labels:
        result = OperationResult(label, callers.get(label) or "anonymous")
        fuzz_operation(found[label], base_url, result, examples)
        result.finished = time.time()
        results.append(result)
    return results


def drill_fuzz() -> DrillResult:
    import schemathesis

    base = workdir("fuzz")
    env = BenchEnvironment(base)
    started = time.time()
    try:
        env.start()
        base_url = env.serve(extra_env={
            "RXP_ACCESS_TOKEN_MINUTES": SESSION_MINUTES,
            "RXP_IDLE_TIMEOUT_MINUTES": SESSION_MINUTES,
            "RXP_PATIENT_TOKEN_MINUTES": SESSION_MINUTES})
        callers = choose_callers(
            route_requirements(env.urls.app, env.base / "keys"),
            {a["username"]: a["roles"] for a in env.demo["accounts"]},
            {c["client_id"]: c["kind"] for c in env.demo["clients"]})
        headers = asyncio.run(_tokens(env, base_url, set(callers.values())))
        tokens = {label: headers[caller]["Authorization"]
                  for label, caller in callers.items() if caller}
        schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json",
                                               config=schemathesis.Config())
        labels = [label for label in operations(schema)
                  if label not in EXCLUDED and (not ONLY or label in ONLY)]
        fuzzing = time.time()  # the server is up, seeded, and the callers logged in
        if FUZZERS == 1:
            results = fuzz_share(base_url, tokens, callers, labels, EXAMPLES)
        else:
            # Separate processes (hypothesis runs one test at a time per process), each with
            # an even share of the operations, the slow ones spread by taking every n-th.
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(FUZZERS, mp_context=context) as pool:
                shares = [pool.submit(fuzz_share, base_url, tokens, callers,
                                      labels[i::FUZZERS], EXAMPLES) for i in range(FUZZERS)]
                results = [r for share in shares for r in share.result()]
        return _verdict(results, fuzzing, time.time() - fuzzing, fuzzing - started)
    finally:
        env.stop()
        shutil.rmtree(base, ignore_errors=True)


def _verdict(results: list[OperationResult], started: float, seconds: float,
             setup: float) -> DrillResult:
    examples = sum(sum(r.examples.values()) for r in results)
    failed = [r for r in results if r.failures]
    server_errors = sum(n for r in results for s, n in r.statuses.items() if s >= 500)
    # Answers that break their declared schema (not requests that broke theirs).
    schema_breaks = sum(1 for r in results for title in r.failures
                        if "Response violates schema" in title)
    few = [r for r in results
           if min(r.examples["positive"], r.examples["negative"]) < EXAMPLES]
    passed = bool(results) and not failed
    figures = (f"{len(results)} operations, {examples} examples "
               f"(≥{EXAMPLES} positive and negative per operation where the input space "
               f"allows; {len(few)} with fewer), {server_errors} server errors, "
               f"{schema_breaks} schema violations, {len(failed)} operations failing a check, "
               f"{len(EXCLUDED)} excluded; fuzzing {seconds:.0f} s after {setup:.0f} s of "
               "set-up")
    details = [f"{r.label} as {r.caller}: {title}" for r in failed
               for title in r.failures]
    timeline, examples_so_far, failures_so_far = [], 0, 0
    for r in sorted(results, key=lambda r: r.finished):
        examples_so_far += sum(r.examples.values())
        failures_so_far += len(r.failures)
        timeline.append((r.finished - started, examples_so_far, failures_so_far))
    report = _report(sorted(results, key=lambda r: r.label), timeline, figures, passed)
    return DrillResult("fuzz", passed, figures, report, details[:40])


def _report(results: list[OperationResult], timeline: list[tuple[float, int, int]],
            figures: str, passed: bool) -> Path:
    out = reports_dir()
    xs = [0.0, *(t[0] for t in timeline)]
    line_chart(out / "drill-fuzz-examples.png", "examples sent (cumulative)", xs,
               [0, *(t[1] for t in timeline)], x_label="seconds", y_label="examples")
    line_chart(out / "drill-fuzz-failures.png", "failed checks found (cumulative)", xs,
               [0, *(t[2] for t in timeline)], x_label="seconds", y_label="failures")
    lines = [f"# Drill fuzz: {'PASS' if passed else 'FAIL'}", "", figures, "",
             "Checks on every answer: not_a_server_error, status_code_conformance, "
             "content_type_conformance, response_schema_conformance, negative_data_rejection "
             "(invalid input refused with 4xx), ignored_auth (a 2xx operation refuses the "
             "request without or with a wrong token).", "",
             f"Depth: {sum(1 for r in results if any(200 <= s < 300 for s in r.statuses))} "
             "operations answered 2xx at least once; the others were exercised up to their "
             "validation, rules and lookups (generated ids name no record: 404).", "",
             f"Fewer than {EXAMPLES} examples in a mode: "
             + (", ".join(f"{r.label} ({r.examples['positive']}/{r.examples['negative']})"
                          for r in results
                          if min(r.examples["positive"], r.examples["negative"]) < EXAMPLES)
                or "none")
             + " — hypothesis stops when an input space is exhausted (no parameters, or none "
               "that can be made invalid).", "",
             "![examples](drill-fuzz-examples.png)", "", "![failures](drill-fuzz-failures.png)",
             "", "## Not fuzzed", "", "| operation | why |", "|---|---|",
             *(f"| {label} | {why} |" for label, why in sorted(EXCLUDED.items())), "",
             "## Operations", "",
             "| operation | called as | positive | negative | answers | failed checks | s |",
             "|---|---|---|---|---|---|---|",
             *(f"| {r.label} | {r.caller} | {r.examples['positive']} | "
               f"{r.examples['negative']} | "
               f"{', '.join(f'{s}×{n}' for s, n in sorted(r.statuses.items()))} | "
               f"{len(r.failures)} | {r.seconds:.1f} |" for r in results), ""]
    for r in results:
        for title, example in r.failures.items():
            lines += [f"### {r.label}: {title}", "", "```", example, "```", ""]
    path = out / "drill-fuzz.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
