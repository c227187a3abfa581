"""Signed notifications as the sandbox gateway sends them (WeChat Pay v3's scheme, Ed25519).

The signed message is `timestamp \n nonce \n body \n` (WeChat Pay v3's 验签串): the timestamp
and nonce travel in headers, so a captured notification replayed later fails the timestamp
window, and a body changed in transit fails the signature. The serial header names the key,
so a rotated key is told apart from a forged signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from server.payments.gateway import (
    ForgedNotification,
    MalformedNotification,
    StaleNotification,
)

TIMESTAMP = "sandboxpay-timestamp"
NONCE = "sandboxpay-nonce"
SIGNATURE = "sandboxpay-signature"
SERIAL = "sandboxpay-serial"
SIGNATURE_TYPE = "sandboxpay-signature-type"
SIGNED_HEADERS = (TIMESTAMP, NONCE, SIGNATURE, SERIAL, SIGNATURE_TYPE)
ALGORITHM = "ED25519"
# WeChat Pay asks merchants to refuse notifications more than five minutes off.
MAX_SKEW_SECONDS = 300


def key_serial(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:32].upper()


def message(timestamp: str, nonce: str, body: bytes) -> bytes:
    return timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"


def sign(private_key: Ed25519PrivateKey, body: bytes, *, timestamp: int,
         serial: str | None = None) -> dict[str, str]:
    """The headers of a signed notification; `serial` defaults to the signing key's own."""
    nonce = secrets.token_hex(16)
    signature = private_key.sign(message(str(timestamp), nonce, body))
    return {"Sandboxpay-Timestamp": str(timestamp), "Sandboxpay-Nonce": nonce,
            "Sandboxpay-Signature": base64.b64encode(signature).decode(),
            "Sandboxpay-Serial": serial or key_serial(private_key.public_key()),
            "Sandboxpay-Signature-Type": ALGORITHM, "Content-Type": "application/json"}


def verify(public_key: Ed25519PublicKey, body: bytes, headers: Mapping[str, str],
           now: datetime, *, max_skew: int = MAX_SKEW_SECONDS) -> None:
    """Raise ForgedNotification (or its Stale / Malformed kinds) unless the headers sign `body`
    with `public_key` within `max_skew` seconds of `now`."""
    lower = {k.lower(): v for k, v in headers.items()}
    missing = [h for h in (TIMESTAMP, NONCE, SIGNATURE) if not lower.get(h)]
    if missing:
        raise MalformedNotification(f"缺少签名头：{', '.join(missing)}")
    algorithm = lower.get(SIGNATURE_TYPE, ALGORITHM)
    if algorithm.upper() != ALGORITHM:
        raise ForgedNotification(f"不支持的签名算法：{algorithm[:40]}")
    if lower.get(SERIAL, key_serial(public_key)) != key_serial(public_key):
        raise ForgedNotification("签名证书序列号与配置的支付平台公钥不符")
    timestamp = lower[TIMESTAMP]
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise MalformedNotification("时间戳格式不正确")
    skew = abs(now.timestamp() - int(timestamp))
    if skew > max_skew:
        raise StaleNotification(f"时间戳与当前时间相差 {int(skew)} 秒，超过 {max_skew} 秒")
    try:
        signature = base64.b64decode(lower[SIGNATURE], validate=True)
    except (binascii.Error, ValueError):
        raise MalformedNotification("签名不是有效的 Base64") from None
    try:
        public_key.verify(signature, message(timestamp, lower[NONCE], body))
    except InvalidSignature:
        raise ForgedNotification("签名验证失败") from None
