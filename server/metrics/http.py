"""Request counts and latencies, labelled by route template (`/prescriptions/{id}`), never by
raw path: one series per route, however many ids are requested.

With several uvicorn workers set PROMETHEUS_MULTIPROC_DIR (the service unit does): each worker
then writes its counts to files there and any worker's `/metrics` sums them all. Without it the
counts are the answering process's own (one worker, tests).
"""

from __future__ import annotations

import os
import time

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.core.db import count_statements

# Seconds; the API's targets sit between 5 ms (a check) and a few seconds (a PDF).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Statements one request sends to the database: the first thing to look at when a route slows.
STATEMENT_BUCKETS = (1, 3, 5, 10, 15, 20, 30, 40, 60, 100)
UNMATCHED = "unmatched"


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class RequestMetrics:
    """The request series of one app. Not registered anywhere at creation: several apps live in
    one test process, and each scrape builds its own registry (see exposition.py)."""

    def __init__(self) -> None:
        self.requests = Counter("rxp_http_requests", "HTTP requests answered, by route template",
                                ("method", "route", "status"), registry=None)
        self.latency = Histogram("rxp_http_request_duration_seconds",
                                 "Time to the response's first byte, by route template",
                                 ("method", "route"), buckets=BUCKETS, registry=None)
        self.statements = Histogram("rxp_http_request_db_statements",
                                    "SQL statements sent while answering, by route template",
                                    ("method", "route"), buckets=STATEMENT_BUCKETS,
                                    registry=None)

    def register_into(self, registry: CollectorRegistry) -> None:
        if multiprocess_dir():
            MultiProcessCollector(registry)
        else:
            registry.register(self.requests)
            registry.register(self.latency)
            registry.register(self.statements)

    def observe(self, method: str, route: str, status: int, seconds: float,
                statements: int) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)
        self.statements.labels(method, route).observe(statements)


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(path) if path else UNMATCHED


class RequestMetricsMiddleware:
    """Outermost app middleware: times every HTTP request to its response's start (an event
    stream's latency is its time to open, not its lifetime)."""

    def __init__(self, app: ASGIApp, metrics: RequestMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        statements = count_statements()
        recorded = False

        async def timed_send(message: Message) -> None:
            nonlocal recorded
            if message["type"] == "http.response.start" and not recorded:
                recorded = True
                self.metrics.observe(scope["method"], route_template(scope),
                                     int(message["status"]), time.perf_counter() - started,
                                     statements[0])
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        except Exception:
            if not recorded:
                self.metrics.observe(scope["method"], route_template(scope), 500,
                                     time.perf_counter() - started, statements[0])
            raise
