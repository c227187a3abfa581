"""What tests of the client base and of the apps share: the real server in uvicorn on a daemon
thread (stoppable and restartable on the same port), on the test's database with a FakeClock; an
in-memory keyring backend; a transport that loses answers; demo users acting through
`ApiClient`. A test folder's conftest.py imports the fixtures it uses from here."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import keyring
import pytest
import uvicorn
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from common import signing
from common.api import ApiClient, RetryPolicy
from common.api.models import DraftIn, Override, Prescription, SearchHit
from common.auth import CredentialStore, Session
from installers.database import DatabaseUrls
from installers.pgcluster import free_port
from server.app import create_app
from server.core.clock import FakeClock
from server.seed.demo import DemoAccount, DemoGroup
from server.settings import Settings
from tests.helpers import daytime_clock, fresh_totp

# Short waits between retries, so tests that exercise them stay quick.
FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.05, max_delay=0.2)


def wait_for(condition: Callable[[], bool], *, within: float = 15.0,
             what: str = "condition") -> None:
    """Poll `condition` until it holds (qtbot.waitUntil's idea); never a fixed sleep."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.01)


class ManualClock:
    """A monotonic clock (seconds) for the client side, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, *, minutes: float = 0, seconds: float = 0) -> None:
        self.now += minutes * 60 + seconds


@pytest.fixture
def settings(db: DatabaseUrls, key_dir: Path, checkpoint_dir: Path) -> Settings:
    return Settings(RXP_ENV="test", DATABASE_URL=db.app, RXP_KEY_DIR=key_dir,
                    RXP_AUDIT_CHECKPOINT_DIR=checkpoint_dir, RXP_DB_POOL_SIZE=5)


@pytest.fixture
def clock() -> FakeClock:
    return daytime_clock()


class ServerThread:
    """The real app under uvicorn in a daemon thread with its own event loop. `stop()` and
    `start()` again on the same port: a server that goes away and comes back."""

    def __init__(self, settings: Settings, clock: FakeClock, port: int | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.port = port or free_port()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        app = create_app(self.settings, clock=self.clock)
        # Quiet streams notice an expired token (and a stop) within half a second.
        app.state.event_hub.heartbeat_seconds = 0.5
        server = uvicorn.Server(uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", ws="none",
            lifespan="on", timeout_graceful_shutdown=1))
        # uvicorn installs no signal handlers outside the main thread.
        thread = threading.Thread(target=server.run, name=f"uvicorn-{self.port}", daemon=True)
        thread.start()
        self._server, self._thread = server, thread

        def up() -> bool:
            if not thread.is_alive():
                raise RuntimeError("uvicorn stopped while starting")
            return server.started

        wait_for(up, what="uvicorn to start")

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(20)
        assert not self._thread.is_alive(), "uvicorn did not stop"
        self._server = self._thread = None


@pytest.fixture
def live_server(settings: Settings, clock: FakeClock) -> Iterator[ServerThread]:
    server = ServerThread(settings, clock)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def make_api(live_server: ServerThread) -> Iterator[Callable[..., ApiClient]]:
    made: list[ApiClient] = []

    def make(base_url: str | None = None, **kw: Any) -> ApiClient:
        kw.setdefault("retry", FAST_RETRY)
        kw.setdefault("workstation", "TEST-CLIENT-01")
        api = ApiClient(base_url or live_server.url, **kw)
        made.append(api)
        return api

    yield make
    for api in made:
        api.close()


@pytest.fixture
def api(make_api: Callable[..., ApiClient]) -> ApiClient:
    return make_api()


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps its entries in a dict (the test's OS keyring)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@dataclass
class Staff:
    """A demo user logged in through the client base, as an app would be."""

    api: ApiClient
    session: Session
    account: DemoAccount

    def sign(self, document: dict[str, Any]) -> tuple[str, str]:
        assert self.account.signing_key and self.account.signing_algorithm
        return (signing.sign_document(self.account.signing_key, document),
                self.account.signing_algorithm)


@pytest.fixture
def staff(make_api: Callable[..., ApiClient], demo: DemoGroup, clock: FakeClock,
          memory_keyring: MemoryKeyring) -> Callable[..., Staff]:
    """Log a demo account in through `Session`; `api` kwargs (e.g. a transport) pass through."""

    def log_in(username: str, *, session_kw: dict[str, Any] | None = None,
               **api_kw: Any) -> Staff:
        api = make_api(**api_kw)
        account = demo.account(username)
        session = Session(api, store=CredentialStore(api.base_url), **(session_kw or {}))
        session.login(account.username, account.password, fresh_totp(account, clock))
        return Staff(api, session, account)

    return log_in


# -- prescribing through the client ------------------------------------------------------------

def patient_id(demo: DemoGroup, name: str) -> str:
    return next(p["id"] for p in demo.patients if p["name"] == name)


def product(api: ApiClient, query: str) -> SearchHit:
    found = api.search_catalogue(query, limit=5).items
    assert found, f"no product for {query}"
    return found[0]


def draft(demo: DemoGroup, api: ApiClient, *, patient: str = "李娜", query: str = "布洛芬",
          notes: str | None = None) -> DraftIn:
    item = product(api, query)
    unit = item.package.split("/")[0].lstrip("0123456789.")
    return DraftIn.model_validate({
        "patient_id": patient_id(demo, patient), "visit_type": "outpatient",
        "diagnoses": [{"code": "J02.9", "name": "急性咽炎"}], "notes": notes,
        "lines": [{"product_id": item.id, "dose": "1", "dose_unit": unit, "route": "口服",
                   "frequency": "tid", "days": 5}]})


def sign_and_submit(doctor: Staff, body: DraftIn, created: Prescription, *,
                    idempotency_key: str | None = None) -> Prescription:
    check = doctor.api.check_prescription(body)
    document = doctor.api.signing_document(created.id)
    signature, algorithm = doctor.sign(document.document)
    return doctor.api.submit_prescription(
        created.id, version=created.version, signature=signature, algorithm=algorithm,
        overrides=[Override(key=i.key, reason="已评估，获益大于风险")
                   for i in check.issues if i.needs_override],
        idempotency_key=idempotency_key)


class LosingTransport(httpx.BaseTransport):
    """The real network to the real server, except that the answers to the first `drops`
    requests matching `lose` are thrown away after the server sent them: the server did the
    work, the client sees a connection reset."""

    def __init__(self, lose: Callable[[httpx.Request], bool], drops: int = 1) -> None:
        self.inner = httpx.HTTPTransport()
        self.lose = lose
        self.drops = drops
        self.requests: list[httpx.Request] = []
        self.responses: list[httpx.Response] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = self.inner.handle_request(request)
        if self.drops > 0 and self.lose(request):
            self.drops -= 1
            response.read()
            response.close()
            raise httpx.ReadError("connection reset by peer (test)", request=request)
        self.responses.append(response)
        return response

    def close(self) -> None:
        self.inner.close()
