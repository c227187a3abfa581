"""Writes queued while the server is away, kept in a small SQLite file in the app's data folder
so that a restart keeps them, and sent once, in order, when the server is back.

Each entry is the request exactly as it will be sent: method, path, body bytes, and its own
`Idempotency-Key`, fixed when it is queued. If a send's answer is lost, or the app stops between
the server's commit and marking the entry sent, the next flush sends it again with the same key
and the server answers from its idempotency store: no duplicate record.

Which writes are safe to queue is the app's decision: ones that need no answer before the user
goes on and do not depend on another queued write's result (a new draft, an annotation).
Entries belong to the user who queued them (`owner`) and are sent only in that user's session:
the server records who acted, and keys are per user. An entry the server refuses (4xx) is marked
failed with the server's Chinese message for the UI to show; the later ones are still sent.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from common.api import errors
from common.api.client import ApiClient
from common.api.connection import WRITE_METHODS, encode_body, new_idempotency_key
from common.offline.monitor import Connectivity, ConnectivityMonitor
from common.offline.storage import connect

log = logging.getLogger(__name__)

PENDING, SENT, FAILED = "pending", "sent", "failed"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    body BLOB,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending',
    queued_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_at TEXT,
    status_code INTEGER,
    response BLOB
)
"""


@dataclass(frozen=True)
class QueuedWrite:
    seq: int
    idempotency_key: str
    owner: str
    method: str
    path: str
    body: bytes | None
    description: str
    status: str
    queued_at: datetime
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    status_code: int | None
    response: bytes | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> QueuedWrite:
        values = dict(row)
        for name in ("queued_at", "sent_at"):
            if values[name] is not None:
                values[name] = datetime.fromisoformat(values[name])
        return cls(**values)


@dataclass
class FlushResult:
    sent: list[QueuedWrite] = field(default_factory=list)
    failed: list[QueuedWrite] = field(default_factory=list)
    remaining: int = 0
    # Why the flush stopped early (server away again, session locked), in Chinese.
    stopped: str | None = None


class Outbox:
    """The queue in `path` (the app's offline file, e.g. `app_data_dir("doctor") /
    storage.FILE_NAME`). Thread-safe; each operation opens its own connection."""

    def __init__(self, path: Path, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)
                 ) -> None:
        self.path = path
        self._now = now
        self._flushing = threading.Lock()
        with self._db() as conn:
            conn.execute(_SCHEMA)

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        conn = connect(self.path)
        try:
            yield conn
        finally:
            conn.close()

    def enqueue(self, method: str, path: str,
                body: BaseModel | Mapping[str, Any] | list[Any] | None = None, *, owner: str,
                idempotency_key: str | None = None, description: str = "") -> QueuedWrite:
        """Queue one write for `owner` (the username). `description` is what the UI lists."""
        method = method.upper()
        if method not in WRITE_METHODS:
            raise ValueError(f"只有写操作可以排队：{method}")
        key = idempotency_key or new_idempotency_key()
        with self._db() as conn:
            cur = conn.execute(
                "INSERT INTO outbox (idempotency_key, owner, method, path, body, description,"
                " queued_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key, owner, method, path, encode_body(body), description,
                 self._now().isoformat()))
            row = conn.execute("SELECT * FROM outbox WHERE seq = ?", (cur.lastrowid,)).fetchone()
        return QueuedWrite.from_row(row)

    def entries(self, *, status: str | None = PENDING, owner: str | None = None
                ) -> list[QueuedWrite]:
        """Entries in queue order, of one status (None: all) and owner (None: everyone's)."""
        query, params = "SELECT * FROM outbox WHERE 1=1", []
        if status is not None:
            query += " AND status = ?"
            params.append(status)
        if owner is not None:
            query += " AND owner = ?"
            params.append(owner)
        with self._db() as conn:
            rows = conn.execute(query + " ORDER BY seq", params).fetchall()
        return [QueuedWrite.from_row(r) for r in rows]

    def pending(self, owner: str | None = None) -> list[QueuedWrite]:
        return self.entries(status=PENDING, owner=owner)

    def failed(self, owner: str | None = None) -> list[QueuedWrite]:
        return self.entries(status=FAILED, owner=owner)

    def discard(self, seq: int) -> None:
        """Drop an entry (the user gave up on a failed one, or cancels a pending one)."""
        with self._db() as conn:
            conn.execute("DELETE FROM outbox WHERE seq = ?", (seq,))

    def purge_sent(self, before: datetime) -> int:
        with self._db() as conn:
            cur = conn.execute("DELETE FROM outbox WHERE status = ? AND sent_at < ?",
                               (SENT, before.isoformat()))
            return cur.rowcount

    def _mark(self, seq: int, **values: Any) -> QueuedWrite:
        names = ", ".join(f"{name} = ?" for name in values)
        with self._db() as conn:
            # Column names come from this module's own calls, never from outside.
            conn.execute(f"UPDATE outbox SET {names} WHERE seq = ?",  # noqa: S608
                         (*values.values(), seq))
            row = conn.execute("SELECT * FROM outbox WHERE seq = ?", (seq,)).fetchone()
        return QueuedWrite.from_row(row)

    def flush(self, api: ApiClient, *, owner: str) -> FlushResult:
        """Send `owner`'s pending entries in order through `api` (logged in as `owner`).
        Stops at the first entry the server cannot be reached for, or when the session cannot
        send (locked, expired); a flush already running elsewhere makes this one a no-op."""
        result = FlushResult()
        if not self._flushing.acquire(blocking=False):
            result.stopped = "正在发送"
            result.remaining = len(self.pending(owner))
            return result
        try:
            for entry in self.pending(owner):
                attempts = entry.attempts + 1
                try:
                    response = api.request(entry.method, entry.path, content=entry.body,
                                           idempotency_key=entry.idempotency_key)
                except (errors.ServerUnavailable, errors.NotAuthenticated) as exc:
                    self._mark(entry.seq, attempts=attempts, last_error=exc.message)
                    result.stopped = exc.message
                    break
                except errors.ApiError as exc:
                    log.warning("queued %s %s refused: %s", entry.method, entry.path,
                                exc.message)
                    result.failed.append(self._mark(
                        entry.seq, status=FAILED, attempts=attempts, last_error=exc.message,
                        status_code=exc.status))
                    continue
                result.sent.append(self._mark(
                    entry.seq, status=SENT, attempts=attempts, last_error=None,
                    sent_at=self._now().isoformat(), status_code=response.status_code,
                    response=response.content))
        finally:
            self._flushing.release()
        result.remaining = len(self.pending(owner))
        return result


class OutboxSender:
    """Flushes the outbox on its own thread whenever the monitor sees the server come back
    (and on `trigger()`, e.g. after login), for whoever `owner()` says is logged in."""

    def __init__(self, outbox: Outbox, api: ApiClient, monitor: ConnectivityMonitor, *,
                 owner: Callable[[], str | None],
                 on_flushed: Callable[[FlushResult], None] | None = None) -> None:
        self.outbox = outbox
        self.api = api
        self.monitor = monitor
        self.owner = owner
        self.on_flushed = on_flushed
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        monitor.add_listener(self._on_connectivity)

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("already started")
        self._thread = threading.Thread(target=self._run, name="rxp-outbox", daemon=True)
        self._thread.start()
        self.trigger()  # entries left from the last run

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def trigger(self) -> None:
        self._wake.set()

    def _on_connectivity(self, state: Connectivity) -> None:
        if state.online:
            self.trigger()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stop.is_set():
                return
            owner = self.owner()
            if owner is None or not self.monitor.online:
                continue
            try:
                result = self.outbox.flush(self.api, owner=owner)
            except Exception:
                log.exception("outbox flush failed")
                continue
            if self.on_flushed is not None and (result.sent or result.failed):
                try:
                    self.on_flushed(result)
                except Exception:
                    log.exception("on_flushed callback failed")
