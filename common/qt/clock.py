"""The clock the widgets read, injectable so a test can move time instead of waiting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

# Returns an aware datetime; the server's timestamps are aware UTC too.
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)
