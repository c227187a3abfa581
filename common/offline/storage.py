"""The app's offline file: one small SQLite database in its data folder (outbox and cache)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

FILE_NAME = "offline.sqlite3"


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the offline file (created with its folder if missing), in autocommit
    mode: every statement is its own durable transaction."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")  # a queued write survives a power cut
    return conn
