"""Bad input is a 422 that names the offending field, never a server error.

The targeted tests show the shape of the answer; the last class walks the app's own OpenAPI
document and throws garbage at every operation, so a new route is covered the day it is added.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from server.seed.demo import DemoGroup
from tests.helpers import login


def _fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] in ("ValidationFailed", "PayloadTooLarge") or body.get("fields")
    return [f["field"] for f in body["fields"]]


@pytest.fixture
async def admin(client, demo, clock) -> dict[str, str]:
    return await login(client, demo.account("admin_group"), clock)


def user_body(demo: DemoGroup, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "org_id": demo.organisations["H1"], "username": f"u_{uuid.uuid4().hex[:8]}",
        "display_name": "钱多多", "roles": ["pharmacist"], "pharmacist_level": "pharmacist",
        "password": "Ward-7#Night-Shift"}
    body.update(overrides)
    return body


class TestMalformedBodies:
    async def test_malformed_json(self, client, admin):
        r = await client.post("/users", content=b'{"username": "x",', headers=admin | {
            "Content-Type": "application/json"})
        assert r.status_code == 422
        assert r.json()["fields"][0]["type"] == "json_invalid"

    async def test_malformed_json_on_an_anonymous_route(self, client):
        r = await client.post("/auth/login", content=b"\xff\xfe not json",
                              headers={"Content-Type": "application/json"})
        assert r.status_code == 422
        assert r.json()["error"] == "ValidationFailed"

    async def test_body_that_is_not_an_object(self, client, admin):
        r = await client.post("/users", json=["a", "b"], headers=admin)
        assert r.status_code == 422
        assert r.json()["fields"]

    async def test_missing_fields_are_each_named(self, client, admin):
        r = await client.post("/users", json={"display_name": "钱多多"}, headers=admin)
        assert set(_fields(r)) >= {"body.org_id", "body.username", "body.roles",
                                   "body.password"}
        assert all(f["message"] == "必填项缺失" for f in r.json()["fields"])

    async def test_wrong_types(self, client, admin, demo):
        r = await client.post("/users", headers=admin, json=user_body(
            demo, org_id=12345, roles="doctor", display_name=["x"]))
        assert set(_fields(r)) >= {"body.org_id", "body.roles", "body.display_name"}

    async def test_wrong_enum_value(self, client, admin, demo):
        r = await client.post("/users", headers=admin,
                              json=user_body(demo, roles=["chief_of_everything"]))
        assert _fields(r) == ["body.roles.0"]
        r = await client.get("/organisations", params={"kind": "spaceport"}, headers=admin)
        assert _fields(r) == ["query.kind"]

    async def test_unknown_field_is_refused(self, client, admin, demo):
        r = await client.post("/users", headers=admin, json=user_body(demo, is_superuser=True))
        assert _fields(r) == ["body.is_superuser"]
        assert r.json()["fields"][0]["type"] == "extra_forbidden"

    async def test_huge_strings(self, client, admin, demo):
        r = await client.post("/users", headers=admin,
                              json=user_body(demo, display_name="王" * 100_000))
        assert _fields(r) == ["body.display_name"]
        r = await client.post("/auth/login", json={"username": "a" * 1_000_000, "password": "x"})
        assert _fields(r) == ["body.username"]
        r = await client.get("/users", params={"q": "x" * 10_000}, headers=admin)
        assert _fields(r) == ["query.q"]

    async def test_body_over_the_limit_is_refused_before_parsing(self, client, admin):
        r = await client.post("/users", content=b"x" * (10 * 1024 * 1024 + 1),
                              headers=admin | {"Content-Type": "application/json"})
        assert r.status_code == 413
        assert r.json()["error"] == "PayloadTooLarge"

    async def test_deeply_nested_json(self, client, admin):
        depth = 100_000
        r = await client.post("/users", content=b"[" * depth + b"]" * depth,
                              headers=admin | {"Content-Type": "application/json"})
        assert r.status_code == 422, r.text

    async def test_nul_characters(self, client, admin, demo):
        r = await client.post("/users", headers=admin,
                              json=user_body(demo, display_name="王\u0000建国"))
        assert r.status_code == 422, r.text
        r = await client.post("/auth/login", json={"username": "doctor\u0000wang",
                                                   "password": "x"})
        assert r.status_code in (401, 422), r.text
        r = await client.get("/users", params={"q": "wang\x00"}, headers=admin)
        assert r.status_code == 422, r.text


class TestBadParameters:
    @pytest.mark.parametrize("path", ["/users/not-a-uuid", "/users/1", "/organisations/x' OR 1=1",
                                      "/users/00000000-0000-0000-0000-00000000000Z"])
    async def test_bad_uuid_in_path(self, client, admin, path):
        r = await client.get(path, headers=admin)
        assert r.status_code == 422
        [field] = _fields(r)
        assert field.startswith("path.")
        assert r.json()["fields"][0]["message"] == "不是有效的标识"

    async def test_bad_uuid_in_a_write_path(self, client, admin):
        r = await client.patch("/users/nope", json={"version": 1}, headers=admin)
        assert _fields(r) == ["path.user_id"]

    @pytest.mark.parametrize(("params", "field"), [
        ({"limit": 0}, "query.limit"), ({"limit": 100_000}, "query.limit"),
        ({"limit": "ten"}, "query.limit"), ({"offset": -1}, "query.offset"),
        ({"offset": 10**30}, "query.offset"), ({"org_id": "H1"}, "query.org_id"),
    ])
    async def test_bad_query_parameters(self, client, admin, params, field):
        r = await client.get("/users", params=params, headers=admin)
        assert field in _fields(r)

    @pytest.mark.parametrize("offset", [2**31, 2**63 - 1, 2**63, 10**19])
    async def test_large_offsets_never_fail(self, client, admin, offset):
        for path in ("/users", "/organisations"):
            r = await client.get(path, params={"offset": offset}, headers=admin)
            assert r.status_code in (200, 422), r.text
            if r.status_code == 200:
                assert r.json()["items"] == []

    async def test_bad_dates_in_audit_search(self, client, demo, clock):
        headers = await login(client, demo.account("auditor"), clock)
        r = await client.get("/audit/events", params={"since": "2026-13-45"}, headers=headers)
        assert _fields(r) == ["query.since"]


# -- walking the OpenAPI document ---------------------------------------------------------------
GARBAGE_VALUES: list[Any] = [None, True, -1, 2**70, 1.5e308, "", "x" * 20_000, "\u0000",
                             "' OR '1'='1", "王" * 300, [], [None], {}, {"$ne": 1}]
GARBAGE_TEXT = ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000", "-1", "1e999",
                "9" * 40, "x" * 5_000, "\x00", "%", "' OR '1'='1", "2026-13-45T25:61:00",
                "../../etc/passwd", "王建国"]
GARBAGE_BODIES: list[bytes] = [b"", b"{", b"null", b"[]", b"123", b'"text"', b"{}",
                               b'{"a":' * 5_000 + b"1" + b"}" * 5_000, b"\xff\xfe\x00",
                               json.dumps({"x" * 1000: "y"}).encode()]


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def _plausible(spec: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A value of roughly the right shape, so a mutation of one field gets past the others."""
    schema = _resolve(spec, schema)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(spec, s).get("type") != "null"]
            return _plausible(spec, options[0]) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {name: _plausible(spec, sub) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [_plausible(spec, schema.get("items", {}))]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if schema.get("format") == "uuid":
        return str(uuid.uuid4())
    if schema.get("format") in ("date-time", "date"):
        return "2026-01-01"
    return "测试值abc1"


def _bodies(spec: dict[str, Any], schema: dict[str, Any]) -> Iterator[bytes]:
    yield from GARBAGE_BODIES
    base = _plausible(spec, schema)
    if not isinstance(base, dict):
        return
    yield json.dumps(base).encode()
    for name in base:
        for value in GARBAGE_VALUES:
            mutated = copy.deepcopy(base)
            mutated[name] = value
            yield json.dumps(mutated).encode()


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            yield method.upper(), path, op


def _streams(op: dict[str, Any]) -> bool:
    return "text/event-stream" in op.get("responses", {}).get("200", {}).get("content", {})


def _operation_ids(app_spec: dict[str, Any]) -> list[str]:
    # An event stream never ends by itself: tests/server/events drives it over a real server.
    return [op["operationId"] for _, _, op in _operations(app_spec) if not _streams(op)]


def _spec_for_collection() -> dict[str, Any]:
    """The OpenAPI document without a database: routes are known before any test runs."""
    import tempfile
    from pathlib import Path

    from server.app import create_app
    from server.core.keys import init_key_dir
    from server.settings import Settings

    folder = Path(tempfile.mkdtemp(prefix="rxp-openapi-"))
    init_key_dir(folder / "keys")
    app = create_app(Settings(RXP_ENV="test", DATABASE_URL="postgresql+psycopg://u:p@127.0.0.1:9/x",
                              RXP_KEY_DIR=folder / "keys",
                              RXP_AUDIT_CHECKPOINT_DIR=folder / "checkpoints"))
    return app.openapi()


# Built once: FastAPI builds the document anew for each app instance, and doing so in every
# test below cost more than all of its requests (a second each, 342 times).
SPEC = _spec_for_collection()
OPERATIONS = _operation_ids(SPEC)


@pytest.fixture
async def raw_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client that shows a crash as the 500 a caller would get, not as a test exception."""
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 5555),
                                    raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://rxp.test",
                                 timeout=60) as http:
        yield http


def _path_values(demo: DemoGroup, name: str) -> list[str]:
    """The first value reaches the handler (a real row where the demo has one, else an id of
    the right shape that matches nothing); the rest are garbage of their own."""
    real = {"user_id": demo.account("doctor_wang").id, "org_id": demo.organisations["H1"],
            "patient_id": demo.patients[0]["id"]}.get(name)
    return ([real] if real else []) + [str(uuid.uuid4()), "not-a-uuid", "%00", "x" * 3000]


class TestNoServerErrors:
    @pytest.mark.parametrize("actor", ["auditor", "admin_group"])
    @pytest.mark.parametrize("operation_id", OPERATIONS)
    async def test_garbage_never_gets_a_server_error(self, raw_client, demo, clock, actor,
                                                     operation_id):
        method, path, op = next(o for o in _operations(SPEC) if o[2]["operationId"] ==
                                operation_id)
        headers = await login(raw_client, demo.account(actor), clock)
        path_params = [p for p in op.get("parameters", []) if p["in"] == "path"]
        query_params = [p for p in op.get("parameters", []) if p["in"] == "query"]
        body_schema = (op.get("requestBody", {}).get("content", {})
                       .get("application/json", {}).get("schema"))

        def urls() -> Iterator[str]:
            if not path_params:
                yield path
                return
            for value in _path_values(demo, path_params[0]["name"]):
                yield path.replace("{" + path_params[0]["name"] + "}", value)

        failures: list[str] = []

        async def send(url: str, **kw: Any) -> None:
            r = await raw_client.request(method, url, headers=headers | kw.pop("headers", {}),
                                         **kw)
            if r.status_code >= 500:
                failures.append(f"{method} {url[:80]} {kw!r:.200} -> {r.status_code} {r.text}")
            elif r.status_code >= 400:
                assert "error" in r.json(), r.text

        json_content = {"Content-Type": "application/json"}
        bodies = list(_bodies(SPEC, body_schema)) if body_schema is not None else []
        plausible = _plausible(SPEC, body_schema) if body_schema is not None else None
        # An operation's body (an object) with nothing wrong in it, beside a garbage path.
        beside = ({"json": plausible, "headers": json_content} if isinstance(plausible, dict)
                  else {})
        # Garbage in one place at a time: each path value with nothing else wrong (the
        # plausible body when there is one), then garbage queries and bodies on the first
        # path. Every combination of the two cost five times the requests (a third of the
        # suite's time) and reached no handler the single ones do not.
        first, *others = urls()
        for url in others:
            await send(url, **beside)
        await send(first)
        for param in query_params:
            for value in GARBAGE_TEXT:
                await send(first, params={param["name"]: value})
        for body in bodies:
            await send(first, content=body, headers=json_content)
        assert not failures, "\n".join(failures[:10])
