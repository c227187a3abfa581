"""A staff member's session on a workstation: login, tokens, idle lock, logout.

- `login(username, password, totp)` gets an access token (minutes) and a refresh token (hours).
  The refresh token goes to the credential store (OS keyring, or memory where there is none:
  see `common.auth.credentials`); the access token stays in memory only.
- The access token is renewed without the user noticing: shortly before it expires (by this
  workstation's clock) and whenever the server answers 401 SessionExpired. Refresh tokens
  rotate, each used once: the new one replaces the old in the store every time, and renewals
  are serialised, because presenting a spent token makes the server revoke the whole session.
- After `idle_minutes` without `touch()` the session locks: no request goes out on the user's
  behalf (SessionLocked) until `unlock(password)`. The password is checked on the workstation
  against a salted scrypt hash made at login, so unlocking also works while the server is away.
- `resume(username)` after a restart, where the keyring kept the refresh token: the session
  starts locked and the password unlocks it (no TOTP). Memory-only stores cannot resume.
- `logout()` revokes the session on the server (when reachable) and forgets it locally.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable

from common.api import errors
from common.api.client import ApiClient
from common.api.connection import new_idempotency_key
from common.api.models import Me, TokenResponse
from common.auth.credentials import CredentialStore
from common.auth.idle import IdleLock

log = logging.getLogger(__name__)

MAX_UNLOCK_FAILURES = 5
# scrypt cost: ~50 ms on a workstation, enough to make guessing a stolen verifier slow.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


class SessionState(enum.Enum):
    LOGGED_OUT = "logged_out"
    ACTIVE = "active"
    LOCKED = "locked"


def make_verifier(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P)
    return f"scrypt${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def check_verifier(verifier: str, password: str) -> bool:
    try:
        scheme, salt_b64, digest_b64 = verifier.split("$")
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P)
    return hmac.compare_digest(digest, expected)


class Session:
    """The logged-in user of one app. Thread-safe; becomes `api.tokens`."""

    def __init__(self, api: ApiClient, *, store: CredentialStore | None = None,
                 idle_minutes: float = 10.0, clock: Callable[[], float] = time.monotonic,
                 refresh_margin_seconds: float = 30.0) -> None:
        """`clock` (seconds, monotonic) drives both the idle lock and the early renewal."""
        self.api = api
        self.store = store if store is not None else CredentialStore(api.base_url)
        self.idle = IdleLock(idle_minutes * 60, clock=clock)
        self._clock = clock
        self._margin = refresh_margin_seconds
        self._lock = threading.RLock()
        self._username: str | None = None
        self._access: str | None = None
        self._access_expires = 0.0
        self._user: Me | None = None
        self._unlock_failures = 0
        self._closing = False
        self._listeners: list[Callable[[SessionState], None]] = []
        self.ended_reason: str | None = None
        self.idle.add_listener(lambda: self._notify(SessionState.LOCKED))
        api.tokens = self

    # -- state ---------------------------------------------------------------------------------

    @property
    def username(self) -> str | None:
        return self._username

    @property
    def user(self) -> Me | None:
        """Who is logged in (from /auth/me at login; None after a resume until unlocked)."""
        return self._user

    @property
    def state(self) -> SessionState:
        with self._lock:
            if self._username is None:
                return SessionState.LOGGED_OUT
            return SessionState.LOCKED if self.idle.check() else SessionState.ACTIVE

    def add_listener(self, on_change: Callable[[SessionState], None]) -> None:
        """Told when the session becomes locked, or ends (logout, or the server ended it:
        `ended_reason` then says why, in Chinese)."""
        self._listeners.append(on_change)

    def _notify(self, state: SessionState) -> None:
        for listener in list(self._listeners):
            try:
                listener(state)
            except Exception:
                log.exception("session listener failed")

    def touch(self) -> None:
        """User activity (the UI forwards key presses and clicks)."""
        self.idle.touch()

    # -- login, resume, unlock, logout ---------------------------------------------------------

    def login(self, username: str, password: str, totp_code: str | None) -> Me:
        """Raises InvalidCredentials, SecondFactorRequired, AccountLocked, AccountFrozen or
        ServerUnavailable; on success the session is ACTIVE and the user is returned."""
        tokens = self.api.login(username, password, totp_code,
                                idempotency_key=new_idempotency_key())
        with self._lock:
            self._username = username
            self.ended_reason = None
            self._adopt(tokens)
            self.store.set_unlock_verifier(username, make_verifier(password))
            self.idle.release()
            self._unlock_failures = 0
        self._user = self.api.me()
        return self._user

    def launch(self, launch_token: str) -> tuple[Me, uuid.UUID]:
        """Start from the HIS with its single-use launch token: the user the HIS vouched for,
        and the patient to open. No password was typed on this workstation, so there is no
        unlock verifier: `can_unlock` is False and an idle lock means logging in again (or
        launching again from the HIS)."""
        answer = self.api.launch(launch_token, idempotency_key=new_idempotency_key())
        with self._lock:
            self._username = answer.username
            self.ended_reason = None
            # A verifier of an earlier login must not unlock a session it did not start.
            self.store.delete(f"unlock:{answer.username}")
            self._adopt(answer)
            self.idle.release()
            self._unlock_failures = 0
        self._user = self.api.me()
        return self._user, answer.patient_id

    @property
    def can_unlock(self) -> bool:
        """Whether a password typed here can unlock this session (False for a launch)."""
        username = self._username
        return username is not None and self.store.unlock_verifier(username) is not None

    def can_resume(self, username: str) -> bool:
        return bool(self.store.refresh_token(username) and self.store.unlock_verifier(username))

    def resume(self, username: str) -> bool:
        """Take up the session the keyring kept from an earlier run: it starts LOCKED, and
        `unlock(password)` renews the tokens. False when there is nothing to resume."""
        if not self.can_resume(username):
            return False
        with self._lock:
            self._username = username
            self._access = None
            self._user = None
            self.ended_reason = None
            self.idle.lock()
        return True

    def unlock(self, password: str) -> None:
        """Raises InvalidCredentials on a wrong password; after MAX_UNLOCK_FAILURES the
        session ends (SessionExpired) and a full login is needed."""
        with self._lock:
            username = self._username
            verifier = self.store.unlock_verifier(username) if username else None
            if username is None or verifier is None:
                raise errors.NotAuthenticated()
            if not check_verifier(verifier, password):
                self._unlock_failures += 1
                if self._unlock_failures >= MAX_UNLOCK_FAILURES:
                    self._end("解锁失败次数过多，请重新登录")
                    raise errors.SessionExpired("解锁失败次数过多，请重新登录")
                raise errors.InvalidCredentials("密码错误")
            self._unlock_failures = 0
            self.idle.release()
            resumed = self._access is None
        if resumed:
            try:
                self.refresh_access(None)
                self._user = self.api.me()
            except errors.ServerUnavailable:
                pass  # unlocked all the same: the next request renews the tokens
        self._notify(SessionState.ACTIVE)

    def logout(self) -> None:
        """Revoke on the server when it can be reached; forget locally in any case."""
        if self._username is not None:
            self._closing = True  # "switch user" from the lock screen revokes too
            try:
                self.api.logout()
            except (errors.ServerUnavailable, errors.NotAuthenticated) as exc:
                log.info("logout not confirmed by the server: %s", exc.message)
            finally:
                self._closing = False
        self._end(None)

    def lock(self) -> None:
        """Lock now (the user steps away and presses the lock button)."""
        if self._username is not None:
            self.idle.lock()

    def _end(self, reason: str | None) -> None:
        with self._lock:
            if self._username is not None:
                self.store.forget_session(self._username)
            self._username = None
            self._access = None
            self._user = None
            self.ended_reason = reason
            self.idle.release()
        self._notify(SessionState.LOGGED_OUT)

    # -- tokens (the TokenSource the API client asks) ------------------------------------------

    def _adopt(self, tokens: TokenResponse) -> None:
        assert self._username is not None
        self._access = tokens.access_token
        self._access_expires = self._clock() + tokens.expires_in
        if tokens.refresh_token:
            self.store.set_refresh_token(self._username, tokens.refresh_token)

    def access_token(self) -> str | None:
        with self._lock:
            if self._username is None:
                return None
            if not self._closing and self.idle.check():
                raise errors.SessionLocked()
            access = self._access
            due = access is None or self._clock() >= self._access_expires - self._margin
        if due:
            return self.refresh_access(access)
        return access

    def refresh_access(self, stale: str | None) -> str:
        """Renew the access token after `stale` was refused (or ran out). Another thread that
        renewed in the meantime is trusted: its token is returned without a second rotation."""
        with self._lock:
            if self._username is None:
                raise errors.NotAuthenticated()
            fresh = self._access is not None and self._access != stale \
                and self._clock() < self._access_expires - self._margin
            if fresh:
                assert self._access is not None
                return self._access
            refresh_token = self.store.refresh_token(self._username)
            if not refresh_token:
                self._end("会话已过期，请重新登录")
                raise errors.SessionExpired()
            try:
                # One key for this rotation: if its answer is lost, the retry is answered with
                # the same new pair instead of presenting a spent token.
                tokens = self.api.refresh(refresh_token, idempotency_key=new_idempotency_key())
            except errors.NotAuthenticated as exc:
                self._end(exc.message)
                raise
            self._adopt(tokens)
            assert self._access is not None
            return self._access
