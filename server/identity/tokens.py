"""Short-lived access tokens (JWT, HS256). Whether the session behind one still stands (frozen
user, logout, revoked family, idle timeout) is checked against the database on every request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from server.core.errors import SessionExpired

ALGORITHM = "HS256"
AUDIENCE = "rxp-api"


@dataclass(frozen=True)
class AccessClaims:
    subject: uuid.UUID
    kind: str  # "user", "client" or "patient" (server/patient_access/principal.py)
    session_id: uuid.UUID | None
    expires_at: datetime


def issue_access_token(key: bytes, *, subject: uuid.UUID, kind: str,
                       session_id: uuid.UUID | None, now: datetime, lifetime: timedelta) -> str:
    claims = {"sub": str(subject), "knd": kind, "iat": int(now.timestamp()),
              "exp": int((now + lifetime).timestamp()), "aud": AUDIENCE,
              "jti": uuid.uuid4().hex}
    if session_id:
        claims["sid"] = str(session_id)
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def read_access_token(key: bytes, token: str, *, now: datetime) -> AccessClaims:
    try:
        # Time claims are checked against our clock (which tests can move), not the wall clock:
        # PyJWT would refuse an `iat` a moment ahead of this machine's clock (another server's
        # skew, or a moved test clock).
        claims = jwt.decode(token, key, algorithms=[ALGORITHM], audience=AUDIENCE,
                            options={"verify_exp": False, "verify_iat": False,
                                     "require": ["sub", "exp", "knd"]})
        if claims["exp"] <= now.timestamp():
            raise SessionExpired("访问令牌已过期，请刷新或重新登录")
        return AccessClaims(
            subject=uuid.UUID(claims["sub"]), kind=claims["knd"],
            session_id=uuid.UUID(claims["sid"]) if "sid" in claims else None,
            expires_at=datetime.fromtimestamp(claims["exp"], tz=now.tzinfo),
        )
    except (jwt.PyJWTError, ValueError, KeyError) as exc:
        raise SessionExpired("访问令牌无效") from exc
