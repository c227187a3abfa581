"""Is the server there? A cheap `/health` probe every couple of seconds, plus what the API client
itself sees, give a state the UI shows: online, or offline since a time.

With the defaults (a probe every 2 s, 1.5 s timeout) a server that goes away is noticed within
about 3.5 s; a request of the app that fails to reach it triggers a probe at once. A real answer
to any request proves the server is back immediately.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from common.api.client import ApiClient
from common.api.errors import ServerUnavailable

log = logging.getLogger(__name__)

PROBE_INTERVAL = 2.0
PROBE_TIMEOUT = 1.5


@dataclass(frozen=True)
class Connectivity:
    online: bool
    since: datetime  # when this state began (UTC)
    reason: str | None = None  # why offline, in Chinese

    def label(self) -> str:
        """What the status bar says, e.g. 离线（自 14:05 起）."""
        if self.online:
            return "在线"
        return f"离线（自 {self.since.astimezone():%H:%M} 起）"


class ConnectivityMonitor:
    """Watches one server. Listeners are called on each change, on the thread that noticed it
    (the monitor's own, or an API worker's): they must be quick and thread-safe."""

    def __init__(self, api: ApiClient, *, interval: float = PROBE_INTERVAL,
                 timeout: float = PROBE_TIMEOUT,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.api = api
        self.interval = interval
        self.timeout = timeout
        self._now = now
        # Optimistic until the first probe says otherwise: the app was just started against a
        # server it expects to be there.
        self._state = Connectivity(online=True, since=now())
        self._lock = threading.Lock()
        self._listeners: list[Callable[[Connectivity], None]] = []
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        api.add_observer(self)

    @property
    def state(self) -> Connectivity:
        with self._lock:
            return self._state

    @property
    def online(self) -> bool:
        return self.state.online

    def add_listener(self, on_change: Callable[[Connectivity], None]) -> None:
        self._listeners.append(on_change)

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("already started")
        self._thread = threading.Thread(target=self._run, name="rxp-connectivity", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self.api.remove_observer(self)

    def probe(self) -> bool:
        """Probe once now; returns whether the server answered."""
        try:
            self.api.health(timeout=self.timeout)
        except ServerUnavailable as exc:
            self._set(False, exc.message)
            return False
        except Exception as exc:  # any answer, even an odd one, means it is reachable
            log.info("health probe answered with %s", exc)
        self._set(True, None)
        return True

    # -- what the API client reports (ConnectivityObserver) ------------------------------------

    def report_success(self) -> None:
        if not self.online:
            self._set(True, None)

    def report_failure(self, error: ServerUnavailable) -> None:
        # One failed request may be a blip: let a probe decide, now rather than in 2 s.
        self._wake.set()

    # -- internals -----------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            self.probe()
            self._wake.clear()  # the probe's own failure report must not wake us at once
            self._wake.wait(self.interval)

    def _set(self, online: bool, reason: str | None) -> None:
        with self._lock:
            if self._state.online == online:
                return
            self._state = Connectivity(online=online, since=self._now(), reason=reason)
            state = self._state
        log.info("server %s: %s", self.api.base_url, state.label())
        for listener in list(self._listeners):
            try:
                listener(state)
            except Exception:
                log.exception("connectivity listener failed")
