"""Live events from the server's `/events/stream` (server-sent events) on a background thread.

The subscriber keeps one streaming GET open. When it drops (network, server restart, the access
token ran out: the server ends the stream with a `session-expired` event) it reconnects, with
bounded exponential back-off while the server cannot be reached, sending `Last-Event-ID`: the
server replays every visible event after that id, so nothing published meanwhile is lost, and
ids at or below the last one delivered are skipped, so nothing is delivered twice.

The server keeps events for days (a week by default). A client resuming from before what it
has pruned gets a `resync` first: delivered to `on_event` as a `LiveEvent` of type RESYNC (no
organisation, no payload) whose id is where the stream goes on from, so that the next reconnect
does not resync again. The app reloads what it shows, as after a fresh start (one that ignores
unknown types just goes on with the events that follow). Through `on_event`, not a callback of
its own, so that it reaches the app by the same thread hop, in order with the events after it.

The callback runs on the subscriber's thread: it must be quick and thread-safe (the Qt layer
emits a queued signal from it). An exception in the callback is logged and the stream goes on.
Payloads are small (ids, a status); the app reads details through the API.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from common.api import errors
from common.api.client import ApiClient
from common.api.connection import RetryPolicy
from common.api.models import LiveEvent

log = logging.getLogger(__name__)

STREAM_PATH = "/events/stream"
SESSION_EXPIRED = "session-expired"
RESYNC = "resync"
# The organisation of a resync, which concerns none (LiveEvent requires one).
NO_ORGANISATION = uuid.UUID(int=0)
# The server sends a heartbeat comment every 15 s: three missed ones mean the link is dead.
READ_TIMEOUT = 45.0
RECONNECT = RetryPolicy(attempts=0, base_delay=0.5, factor=2.0, max_delay=15.0)


@dataclass(frozen=True)
class SseMessage:
    """One dispatched server-sent event, as the EventSource rules parse it."""

    event: str
    data: str
    id: str | None
    retry: int | None


def parse_sse(lines: Iterable[str]) -> Iterator[SseMessage]:
    """Server-sent events from the text lines of a stream (the WHATWG EventSource rules:
    comments start with ':', `data` lines join with newlines, a blank line dispatches)."""
    event, event_id, retry = "", None, None
    data: list[str] = []
    for line in lines:
        if line == "":
            if data or event or event_id is not None or retry is not None:
                yield SseMessage(event or "message", "\n".join(data), event_id, retry)
            event, event_id, retry = "", None, None
            data = []
            continue
        if line.startswith(":"):
            continue
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value
        elif name == "id" and "\0" not in value:
            event_id = value
        elif name == "retry" and value.isdigit():
            retry = int(value)


def resync_event(event_id: int) -> LiveEvent:
    """What `on_event` gets for the server's `resync`: reload, events were missed."""
    return LiveEvent(id=event_id, type=RESYNC, created_at=datetime.now(UTC),
                     org_id=NO_ORGANISATION, payload={})


class EventSubscriber:
    """Delivers `LiveEvent`s to `on_event` until `stop()`."""

    def __init__(self, api: ApiClient, on_event: Callable[[LiveEvent], None], *,
                 last_event_id: int | None = None,
                 transport: httpx.BaseTransport | None = None,
                 reconnect: RetryPolicy = RECONNECT, read_timeout: float = READ_TIMEOUT,
                 on_connection: Callable[[bool], None] | None = None) -> None:
        """`last_event_id`: resume after this id (an app can keep it across restarts); None
        starts with the events published from now on. `on_connection(True/False)` is told
        each time the stream is established or lost."""
        self.api = api
        self.on_event = on_event
        self.reconnect = reconnect
        self.on_connection = on_connection
        self._last_event_id = last_event_id
        self._retry_ms: int | None = None
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread: threading.Thread | None = None
        self._response: httpx.Response | None = None
        self._response_lock = threading.Lock()
        self._http = httpx.Client(
            base_url=api.base_url, transport=transport, verify=api.verify,
            headers={**api.default_headers(), "Accept": "text/event-stream"},
            timeout=httpx.Timeout(10.0, read=read_timeout))

    @property
    def last_event_id(self) -> int | None:
        """The id of the last event delivered (or the one given to start after)."""
        return self._last_event_id

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("already started")
        self._thread = threading.Thread(target=self._run, name="rxp-events", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop and wait for the thread; safe to call from any thread, more than once."""
        self._stop.set()
        self._interrupt()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self._http.close()

    def _interrupt(self) -> None:
        """Wake the thread out of a blocking read: shut the stream's socket down."""
        with self._response_lock:
            response = self._response
        if response is None:
            return
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    # -- the thread ----------------------------------------------------------------------------

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                if self._listen():
                    failures = 0  # the stream ended cleanly (token renewed): come back at once
                    continue
                failures += 1
            except (errors.NotAuthenticated, errors.ServerUnavailable) as exc:
                # Locked, logged out, or the server is away: wait, the state may change.
                log.info("event stream waiting: %s", exc.message)
                failures += 1
            except httpx.TransportError as exc:
                if self._stop.is_set():
                    break
                log.info("event stream lost: %s", exc)
                self.api.report_connectivity(errors.unreachable(exc))
                failures += 1
            except Exception:
                log.exception("event stream failed")
                failures += 1
            delay = self.reconnect.delay(min(failures, 30))
            if self._retry_ms is not None:
                delay = max(delay, self._retry_ms / 1000)  # the server's own hint
            self._stop.wait(delay)

    def _listen(self) -> bool:
        """One connection. True when the server ended it for a token renewal."""
        token, headers = self.api.authorization()
        if self._last_event_id is not None:
            headers["Last-Event-ID"] = str(self._last_event_id)
        with self._http.stream("GET", STREAM_PATH, headers=headers) as response:
            with self._response_lock:
                self._response = response
            try:
                if response.status_code != 200:
                    response.read()
                    error = errors.from_response(response)
                    if isinstance(error, errors.SessionExpired) and self.api.tokens is not None:
                        self.api.tokens.refresh_access(token)
                        return True
                    raise error
                self._set_connected(True)
                self.api.report_connectivity(None)
                for message in parse_sse(response.iter_lines()):
                    if self._stop.is_set():
                        return False
                    if message.retry is not None:
                        self._retry_ms = message.retry
                    if message.event == SESSION_EXPIRED:
                        if self.api.tokens is not None:
                            self.api.tokens.refresh_access(token)
                        return True
                    self._deliver(message)
                return False
            finally:
                with self._response_lock:
                    self._response = None
                self._set_connected(False)

    def _deliver(self, message: SseMessage) -> None:
        if not message.data or message.id is None:
            return  # the retry hint, or a message that is not a live event
        try:
            event_id = int(message.id)
        except ValueError:
            return
        if self._last_event_id is not None and event_id <= self._last_event_id:
            return  # already delivered before a reconnect
        if message.event == RESYNC:
            event = resync_event(event_id)
        else:
            try:
                event = LiveEvent.model_validate(json.loads(message.data))
            except ValueError:
                log.warning("unreadable live event %s", message.id)
                return
        self._last_event_id = event_id
        try:
            self.on_event(event)
        except Exception:
            log.exception("live event callback failed on event %s", event_id)

    def _set_connected(self, connected: bool) -> None:
        if connected == self._connected.is_set():
            return
        if connected:
            self._connected.set()
        else:
            self._connected.clear()
        if self.on_connection is not None:
            try:
                self.on_connection(connected)
            except Exception:
                log.exception("on_connection callback failed")
