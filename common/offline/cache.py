"""The last known answer of each read, so the apps keep showing data while the server is away.

Kept per user (a shared workstation must not show one user's patients to the next) in the same
SQLite file as the outbox. `read(key, fetch, model)` asks the server and remembers the answer;
when the server cannot be reached it returns the remembered one, marked `stale` with its time,
for the UI to say "离线数据，更新于 14:05". Other errors (403, 404) are not hidden by the cache.

Given `online` (the connectivity monitor's), a read while the monitor knows the server is away
is answered from the cache at once: asking first would make the user wait through the
connection's retries (about 1.7 s) on every screen for an answer known in advance. The monitor
notices the server's return within a probe interval; until then the data shown is marked stale.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from common.api.errors import ServerUnavailable
from common.offline.storage import connect

M = TypeVar("M", bound=BaseModel)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS read_cache (
    owner TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    stored_at TEXT NOT NULL,
    PRIMARY KEY (owner, key)
)
"""


@dataclass(frozen=True)
class Cached(Generic[M]):
    value: M
    fetched_at: datetime  # when the server gave this answer
    stale: bool  # True: served from the cache because the server could not be reached

    def label(self) -> str:
        return f"离线数据，更新于 {self.fetched_at.astimezone():%m-%d %H:%M}" if self.stale else ""


class ReadCache:
    """One user's cache in `path`. Thread-safe; each operation opens its own connection."""

    def __init__(self, path: Path, *, owner: str,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 online: Callable[[], bool] | None = None) -> None:
        """`online`: whether the server is thought reachable (`ConnectivityMonitor.online`)."""
        self.path = path
        self.owner = owner
        self._now = now
        self._online = online
        with self._db() as conn:
            conn.execute(_SCHEMA)

    @contextlib.contextmanager
    def _db(self) -> Iterator[Any]:
        conn = connect(self.path)
        try:
            yield conn
        finally:
            conn.close()

    def put(self, key: str, value: BaseModel) -> datetime:
        stored_at = self._now()
        with self._db() as conn:
            conn.execute(
                "INSERT INTO read_cache (owner, key, value, stored_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (owner, key) DO UPDATE SET value = excluded.value,"
                " stored_at = excluded.stored_at",
                (self.owner, key, value.model_dump_json(), stored_at.isoformat()))
        return stored_at

    def get(self, key: str, model: type[M]) -> Cached[M] | None:
        with self._db() as conn:
            row = conn.execute("SELECT value, stored_at FROM read_cache WHERE owner = ? AND"
                               " key = ?", (self.owner, key)).fetchone()
        if row is None:
            return None
        return Cached(model.model_validate(json.loads(row["value"])),
                      datetime.fromisoformat(row["stored_at"]), stale=True)

    def read(self, key: str, fetch: Callable[[], M], model: type[M]) -> Cached[M]:
        """Fresh from the server when it answers; else the last known value (stale). Raises
        ServerUnavailable only when there is nothing remembered either. Known offline: the
        last known value without asking, when there is one."""
        if self._online is not None and not self._online():
            remembered = self.get(key, model)
            if remembered is not None:
                return remembered
        try:
            value = fetch()
        except ServerUnavailable:
            remembered = self.get(key, model)
            if remembered is None:
                raise
            return remembered
        return Cached(value, self.put(key, value), stale=False)

    def forget(self, key: str) -> None:
        with self._db() as conn:
            conn.execute("DELETE FROM read_cache WHERE owner = ? AND key = ?", (self.owner, key))

    def clear(self) -> None:
        """Everything of this user (e.g. on logout from a shared workstation)."""
        with self._db() as conn:
            conn.execute("DELETE FROM read_cache WHERE owner = ?", (self.owner,))
