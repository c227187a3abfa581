"""The idle lock: after N minutes without user activity the workstation locks.

Qt-free and threadless: the UI calls `touch()` on user input and `check()` from a timer (it can
wait `seconds_left()`); the clock is injectable so tests move time by hand.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class IdleLock:
    def __init__(self, timeout_seconds: float, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if timeout_seconds <= 0:
            raise ValueError("锁定时间须大于 0")
        self.timeout = timeout_seconds
        self._clock = clock
        self._last_activity = clock()
        self._locked = False
        self._listeners: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def add_listener(self, on_locked: Callable[[], None]) -> None:
        """Called (on the thread that noticed) each time the lock engages."""
        self._listeners.append(on_locked)

    def touch(self) -> None:
        """User activity: restarts the countdown (no effect while locked)."""
        with self._lock:
            if not self._locked:
                self._last_activity = self._clock()

    def seconds_left(self) -> float:
        with self._lock:
            if self._locked:
                return 0.0
            return max(0.0, self._last_activity + self.timeout - self._clock())

    def check(self) -> bool:
        """Lock if the time is up; returns whether it is locked."""
        with self._lock:
            due = not self._locked and self._clock() - self._last_activity >= self.timeout
        if due:
            self.lock()
        return self.locked

    @property
    def locked(self) -> bool:
        with self._lock:
            return self._locked

    def lock(self) -> None:
        with self._lock:
            if self._locked:
                return
            self._locked = True
        for listener in list(self._listeners):
            listener()

    def release(self) -> None:
        """Unlocked (the caller checked the password) or a fresh session: count from now."""
        with self._lock:
            self._locked = False
            self._last_activity = self._clock()
