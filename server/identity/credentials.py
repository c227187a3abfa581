"""Passwords (argon2id, policy) and the second factor (TOTP, RFC 6238)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.core.errors import WeakPassword

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verifying against this keeps a login for an unknown user as slow as for a known one.
_DUMMY_HASH = _hasher.hash("rxp-timing-equaliser")

COMMON_PASSWORDS = frozenset({
    "password", "password1", "password123", "12345678", "123456789", "1234567890", "qwerty123",
    "admin123", "abc12345", "11111111", "88888888", "iloveyou", "p@ssw0rd", "woaini1314",
})


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def check_password_policy(password: str, *, username: str, min_length: int) -> None:
    """Raise WeakPassword with every reason in Chinese."""
    reasons = []
    if len(password) < min_length:
        reasons.append(f"长度至少{min_length}位")
    classes = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^\w\s]"))
    if classes < 3:
        reasons.append("须包含大写字母、小写字母、数字、符号中的至少三类")
    if username and username.lower() in password.lower():
        reasons.append("不得包含用户名")
    if password.lower() in COMMON_PASSWORDS:
        reasons.append("过于常见")
    if reasons:
        raise WeakPassword("密码不符合安全策略：" + "；".join(reasons), field="password")


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, *, username: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def totp_step(secret: str, code: str, *, at: float) -> int | None:
    """The time step `code` belongs to, or None. One step of drift either way is accepted, as
    authenticator apps drift; the caller refuses a step already used (RFC 6238 section 5.2)."""
    code = (code or "").strip()
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(datetime.fromtimestamp(at, UTC))
    for step in (now_step, now_step - 1, now_step + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


async def verify_password_off_loop(stored_hash: str | None, password: str) -> bool:
    """argon2 takes tens of milliseconds of CPU on purpose: not on the event loop."""
    return await asyncio.to_thread(verify_password, stored_hash, password)


async def hash_password_off_loop(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def same_secret(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
