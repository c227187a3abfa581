"""The demo group as the apps see it: `.rxp/demo.json` written by `rxp demo` (server URL,
accounts with password, TOTP secret and signing key). For the demo launcher, the screenshots
and the benchmarks; never used against a production server."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp

from common.api import ApiClient, errors
from common.auth import CredentialStore, Session

TOTP_STEP = 30


@dataclass(frozen=True)
class DemoDirectory:
    base_url: str
    data: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> DemoDirectory:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["base_url"], data)

    def account(self, username: str) -> dict[str, Any]:
        return next(a for a in self.data["accounts"] if a["username"] == username)

    def patient_id(self, name: str) -> str:
        return str(next(p["id"] for p in self.data["patients"] if p["name"] == name))

    def totp(self, username: str) -> str:
        return str(pyotp.TOTP(self.account(username)["totp_secret"]).now())

    def signing_keys(self) -> dict[str, str]:
        return {a["username"]: a["signing_key"] for a in self.data["accounts"]
                if a.get("signing_key")}

    def api(self, **kw: Any) -> ApiClient:
        kw.setdefault("workstation", "DEMO")
        return ApiClient(self.base_url, **kw)

    def login(self, username: str, api: ApiClient | None = None,
              store: CredentialStore | None = None) -> Session:
        """A logged-in session. The server takes each TOTP code once: when this account's
        current code was used already (a run a moment ago), wait for the next one."""
        session = Session(api or self.api(), store=store)
        self.log_in(session, username)
        return session

    def log_in(self, session: Session, username: str) -> None:
        password = self.account(username)["password"]
        try:
            session.login(username, password, self.totp(username))
        except errors.InvalidCredentials:
            time.sleep(TOTP_STEP - time.time() % TOTP_STEP + 0.5)
            session.login(username, password, self.totp(username))
