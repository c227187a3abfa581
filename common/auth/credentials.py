"""Secrets a workstation keeps between runs: refresh tokens, the unlock verifier, device
credentials, in the OS credential store through `keyring`.

One keyring service per server URL (`rxp:https://rxp.h1.local`), so a workstation that talks
to a test and a production server keeps their secrets apart. Entries: `refresh:<username>`
(the current refresh token; rotated on every refresh, so the newest one is written each time),
`unlock:<username>` (a salted scrypt hash of the password, to unlock an idle-locked or resumed
session without the server), `device:<name>` (a device's credential, e.g. a printer's or a
payment terminal's key).

Without a usable backend (keyring's `fail` or `null` backend, or the chainer with no backend,
as on a headless Linux without a Secret Service) the store keeps everything in memory only: it
works for the run, and after a restart the user logs in again with password and TOTP.
`persistent` tells which case applies. The same happens, with a warning in the log, if the
backend fails at run time (a locked keyring). `keyrings.alt`'s plaintext file backend is usable
but stores secrets readably on disk: development only, never on a production workstation.
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import urlsplit

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringError, PasswordDeleteError

log = logging.getLogger(__name__)

SERVICE_PREFIX = "rxp"


def service_name(server_url: str) -> str:
    """The keyring service for one server: scheme, host and port, and path, normalised."""
    parts = urlsplit(server_url.strip())
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port else ""
    path = parts.path.rstrip("/")
    return f"{SERVICE_PREFIX}:{parts.scheme.lower()}://{host}{port}{path}"


def usable(backend: KeyringBackend) -> bool:
    """Whether `backend` really stores secrets (not keyring's fail or null stand-ins)."""
    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return bool(backend.backends)
    return True


class CredentialStore:
    """The secrets of one server's sessions and devices on this workstation. Thread-safe."""

    def __init__(self, server_url: str, *, backend: KeyringBackend | None = None) -> None:
        self.service = service_name(server_url)
        self._backend = backend if backend is not None else keyring.get_keyring()
        self.persistent = usable(self._backend)
        if not self.persistent:
            log.warning("no usable keyring backend (%s): credentials are kept in memory only; "
                        "users log in again after a restart", type(self._backend).__name__)
        self._memory: dict[str, str] = {}
        self._lock = threading.Lock()

    def _fall_back(self, exc: KeyringError) -> None:
        log.warning("keyring failed (%s): credentials are kept in memory from now on", exc)
        self.persistent = False

    def get(self, name: str) -> str | None:
        with self._lock:
            if self.persistent:
                try:
                    return self._backend.get_password(self.service, name)
                except KeyringError as exc:
                    self._fall_back(exc)
            return self._memory.get(name)

    def set(self, name: str, value: str) -> None:
        with self._lock:
            if self.persistent:
                try:
                    self._backend.set_password(self.service, name, value)
                    return
                except KeyringError as exc:
                    self._fall_back(exc)
            self._memory[name] = value

    def delete(self, name: str) -> None:
        with self._lock:
            self._memory.pop(name, None)
            if self.persistent:
                try:
                    self._backend.delete_password(self.service, name)
                except PasswordDeleteError:
                    pass  # nothing stored under that name
                except KeyringError as exc:
                    self._fall_back(exc)

    # -- named entries -------------------------------------------------------------------------

    def refresh_token(self, username: str) -> str | None:
        return self.get(f"refresh:{username}")

    def set_refresh_token(self, username: str, token: str) -> None:
        self.set(f"refresh:{username}", token)

    def unlock_verifier(self, username: str) -> str | None:
        return self.get(f"unlock:{username}")

    def set_unlock_verifier(self, username: str, verifier: str) -> None:
        self.set(f"unlock:{username}", verifier)

    def forget_session(self, username: str) -> None:
        """Logout or a session the server ended: nothing of it stays on the workstation."""
        self.delete(f"refresh:{username}")
        self.delete(f"unlock:{username}")

    def device_credential(self, device: str) -> str | None:
        return self.get(f"device:{device}")

    def set_device_credential(self, device: str, secret: str) -> None:
        self.set(f"device:{device}", secret)

    def delete_device_credential(self, device: str) -> None:
        self.delete(f"device:{device}")
