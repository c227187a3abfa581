"""The connection to one server: TLS, headers, access tokens, retries, and errors as exceptions.

Synchronous on purpose: the apps call the API from worker threads (the Qt layer wraps calls in
a thread pool and reports through signals), so a plain `httpx.Client` is enough and keeps the
code easy to follow. The transport is injectable: tests pass a real uvicorn server's URL and,
where they need a fault, a transport that wraps the real one.

Retries. A request that got no answer, or a 500/502/503/504, is tried again with bounded exponential
back-off when repeating it cannot do harm: reads, and writes that carry an `Idempotency-Key`.
Every write gets a key unless the caller passes one, and a retry sends the same key with the
same bytes, so the server's idempotency store answers a repeat with the stored response instead
of doing the work twice (server/idempotency/). A request refused before it reached the server
(connection refused) is always safe to repeat.
"""

from __future__ import annotations

import json
import logging
import random
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, Self

import httpx
from pydantic import BaseModel

from common.api import errors
from common.api.errors import ServerUnavailable

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Answers worth another try of a repeatable request: the gateway or the server could not serve
# it now (a 500 was rolled back, often a transient database fault such as a deadlock).
RETRY_STATUSES = frozenset({500, 502, 503, 504})
UNAVAILABLE_STATUSES = frozenset({502, 503, 504})
USER_AGENT = "rxp-client/1"


class TokenSource(Protocol):
    """Where the connection gets its bearer token (`common.auth.Session` is one)."""

    def access_token(self) -> str | None:
        """The current access token, or None when logged out. May raise SessionLocked."""
        ...

    def refresh_access(self, stale: str | None) -> str:
        """A valid access token after `stale` was refused; raises NotAuthenticated if the
        session cannot be renewed (the user must log in again)."""
        ...


class ConnectivityObserver(Protocol):
    """Told about every answer and every failure to reach the server (the offline monitor)."""

    def report_success(self) -> None: ...

    def report_failure(self, error: ServerUnavailable) -> None: ...


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential back-off: `attempts` tries in all, waits base·factor^n up to
    `max_delay`, each shortened by up to `jitter` (a fraction) so that workstations that lost
    the server together do not come back in lockstep."""

    attempts: int = 4
    base_delay: float = 0.25
    factor: float = 2.0
    max_delay: float = 4.0
    jitter: float = 0.2

    def delay(self, retry: int) -> float:
        """The wait before retry number `retry` (1 for the first retry)."""
        full = min(self.max_delay, self.base_delay * self.factor ** (retry - 1))
        return full * (1 - self.jitter * random.random())


NO_RETRY = RetryPolicy(attempts=1)


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


def encode_body(body: BaseModel | Mapping[str, Any] | list[Any] | None) -> bytes | None:
    """The request body as the exact bytes sent (and re-sent, on a retry)."""
    if body is None:
        return None
    data = body.model_dump(mode="json", exclude_unset=True) if isinstance(body, BaseModel) \
        else body
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


class Connection:
    """HTTP to one server. Thread-safe: one instance serves every worker thread of an app."""

    def __init__(self, base_url: str, *, transport: httpx.BaseTransport | None = None,
                 verify: bool | str = True, timeout: float = 10.0,
                 workstation: str | None = None, retry: RetryPolicy = RetryPolicy(),
                 sleep: Callable[[float], None] = time.sleep) -> None:
        """`verify` is True (system CAs), a CA bundle path (the hospital's own CA, from the
        workstation file) or False (never in production). `workstation` goes out as
        X-Workstation on every request: the server's audit log records it."""
        self.base_url = base_url.rstrip("/")
        # httpx takes a CA file as an SSL context (a path is deprecated and warns); the event
        # stream's own client uses the same.
        self.verify: bool | ssl.SSLContext = (
            ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify)
        self.workstation = workstation
        self.retry = retry
        self.tokens: TokenSource | None = None
        self._sleep = sleep
        self._observers: list[ConnectivityObserver] = []
        self._observers_lock = threading.Lock()
        self._http = httpx.Client(base_url=self.base_url, transport=transport, verify=self.verify,
                                  timeout=timeout, headers=self.default_headers())

    def default_headers(self) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self.workstation:
            headers["X-Workstation"] = self.workstation
        return headers

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- observers -----------------------------------------------------------------------------

    def add_observer(self, observer: ConnectivityObserver) -> None:
        with self._observers_lock:
            self._observers.append(observer)

    def remove_observer(self, observer: ConnectivityObserver) -> None:
        with self._observers_lock:
            if observer in self._observers:
                self._observers.remove(observer)

    def report_connectivity(self, error: ServerUnavailable | None) -> None:
        """Tell the observers the server answered (None) or could not be reached."""
        with self._observers_lock:
            observers = list(self._observers)
        for observer in observers:
            try:
                if error is None:
                    observer.report_success()
                else:
                    observer.report_failure(error)
            except Exception:  # an observer's bug must not fail the request
                log.exception("connectivity observer failed")

    # -- requests ------------------------------------------------------------------------------

    def authorization(self) -> tuple[str | None, dict[str, str]]:
        """The current token and its header; NotAuthenticated when there is none."""
        if self.tokens is None:
            raise errors.NotAuthenticated()
        token = self.tokens.access_token()
        if not token:
            raise errors.NotAuthenticated()
        return token, {"Authorization": f"Bearer {token}"}

    def request(self, method: str, path: str, *,
                body: BaseModel | Mapping[str, Any] | list[Any] | None = None,
                content: bytes | None = None, params: Mapping[str, Any] | None = None,
                idempotency_key: str | None = None, auth: bool = True,
                retry: RetryPolicy | None = None,
                timeout: float | None = None, bearer: str | None = None) -> httpx.Response:
        """Send one request (with its retries) and return the successful response; raise the
        `common.api.errors` class of an error answer, or ServerUnavailable if none came.

        `body` is encoded once (`content` gives the bytes directly, e.g. from the outbox).
        Writes get a fresh Idempotency-Key unless `idempotency_key` is given. `bearer`: a token
        of the caller's own for this request instead of `tokens` (never renewed), for a worker
        that must not touch the token the rest of the app is using.
        """
        method = method.upper()
        data = content if content is not None else encode_body(body)
        if method in WRITE_METHODS and idempotency_key is None:
            idempotency_key = new_idempotency_key()
        repeatable = method not in WRITE_METHODS or idempotency_key is not None
        policy = retry or self.retry
        headers: dict[str, str] = {}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        params = {k: v for k, v in (params or {}).items() if v is not None}
        attempt = 0
        renewed = False
        while True:
            attempt += 1
            token: str | None = None
            if auth and bearer is not None:
                headers["Authorization"] = f"Bearer {bearer}"
            elif auth:
                token, authorization = self.authorization()
                headers.update(authorization)
            try:
                response = self._http.request(
                    method, path, content=data, params=params, headers=headers,
                    timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT)
            except httpx.TransportError as exc:
                failure = errors.unreachable(exc)
                self.report_connectivity(failure)
                # Refused before anything was sent: repeating is harmless even without a key.
                never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                if (repeatable or never_sent) and attempt < policy.attempts:
                    log.info("%s %s: %s, retry %d", method, path, type(exc).__name__, attempt)
                    self._sleep(policy.delay(attempt))
                    continue
                raise failure from exc
            status = response.status_code
            self.report_connectivity(ServerUnavailable(status=status)
                                     if status in UNAVAILABLE_STATUSES else None)
            worth_another_try = status in RETRY_STATUSES or _in_progress(response)
            if worth_another_try and repeatable and attempt < policy.attempts:
                log.info("%s %s: HTTP %d, retry %d", method, path, status, attempt)
                self._sleep(policy.delay(attempt))
                continue
            if (status == 401 and auth and bearer is None and not renewed
                    and self.tokens is not None and _error_name(response) == "SessionExpired"):
                # The access token ran out (or was cut short): renew it once and resend.
                renewed = True
                self.tokens.refresh_access(token)
                continue
            if response.is_error:
                raise errors.from_response(response)
            return response

    def get_json(self, path: str, *, params: Mapping[str, Any] | None = None,
                 auth: bool = True) -> Any:
        return self.request("GET", path, params=params, auth=auth).json()

    def send_json(self, method: str, path: str,
                  body: BaseModel | Mapping[str, Any] | list[Any] | None = None, *,
                  idempotency_key: str | None = None, auth: bool = True) -> Any:
        response = self.request(method, path, body=body, idempotency_key=idempotency_key,
                                auth=auth)
        return response.json() if response.content else None


def _error_name(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    name = body.get("error") if isinstance(body, dict) else None
    return name if isinstance(name, str) else None


def _in_progress(response: httpx.Response) -> bool:
    """A twin request with the same key is still being processed: wait and ask again."""
    return response.status_code == 409 and _error_name(response) == "IdempotencyKeyInProgress"
