"""The secure envelope of the medical-insurance e-prescription centre (医保电子处方中心).

Every call and every answer travels as JSON in the national insurance platform's style:

    request  {"appId", "encType": "SM4", "signType": "SM2", "version", "timestamp", "nonce",
              "encData", "signData"}
    answer   the same fields plus "code", "message" and "requestNonce"

- ``encData`` is the business data (a JSON object) encrypted with SM4 (GB/T 32907) in ECB mode
  with PKCS#7 padding, as uppercase hex. The 16-byte data key is derived from the application's
  credentials in the NHSA open-platform SDKs' style: the first block of SM4-ECB over the appId,
  keyed with the first 16 bytes of the appSecret. ECB is what the platform specifies; it hides
  the content, and integrity comes from the signature below, not from the cipher.
- ``signData`` is an SM2 signature (SM3 digest, default signer id, GB/T 35276) in base64 DER
  over the *sign string*: every top-level field except ``signData`` and ``encData``, plus
  ``data`` = the canonical JSON of the plain business data (common/signing.py's canonical
  form: sorted keys, no spaces, UTF-8), sorted by name, empty values left out, joined as
  ``name=value`` with ``&``, and ``&key=<appSecret>`` appended. The hospital signs requests with
  its own SM2 key; the platform signs answers with its key. Signing the plain data means a
  changed ``encData`` fails too: it no longer decrypts to what was signed.
- ``timestamp`` is milliseconds since the epoch; a message outside ``MAX_SKEW`` of the receiver's
  clock is refused, and so is a ``nonce`` seen before within that window (replay).
- An answer carries ``requestNonce``, the nonce of the request it answers (inside the
  signature), so an old signed answer cannot be passed off as the answer to a new request.
- A report that must take effect once (the sale write-off, the revoke) also carries the 2021
  envelope's ``infno`` (the transaction code) and ``msgid`` (发送方报文ID: the institution's
  code, the time and a sequence number, 30 characters), both signed. The nonce is new for every
  attempt (replay protection); the msgid is the same on every attempt of one message, and the
  centre answers a msgid it has already carried out with its first answer, doing nothing again.

This module is pure: sealing and opening, no network, no clock of its own (callers pass `now`).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from common import signing

ENC_TYPE: Final = "SM4"
SIGN_TYPE: Final = "SM2"
VERSION: Final = "1.0.0"
MAX_SKEW_MS: Final = 5 * 60 * 1000  # five minutes either way
MSGID_LENGTH: Final = 30  # institution code (12) + yyyyMMddHHmmss (14) + sequence number (4)
CHINA: Final = ZoneInfo("Asia/Shanghai")
# Fields never covered by the signature (the signature itself, and the ciphertext whose plain
# text is signed as `data`).
UNSIGNED: Final = frozenset({"signData", "encData", "extra"})


class EnvelopeError(ValueError):
    """A message that cannot be accepted: `code` is the platform's refusal code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# The envelope's refusal codes (business refusals are 2xxx, server/insurance/transactions.py).
MALFORMED: Final = 1000
UNKNOWN_APP: Final = 1001
BAD_SIGNATURE: Final = 1002
EXPIRED: Final = 1003
REPLAYED: Final = 1004
UNDECRYPTABLE: Final = 1005


@dataclass(frozen=True)
class AppCredentials:
    """What a calling application holds: the ids the platform issued, its own SM2 key, and the
    platform's public key to check answers with."""

    app_id: str
    app_secret: str = field(repr=False)
    private_key_pem: str = field(repr=False)
    platform_public_key_pem: str

    def as_json(self) -> dict[str, str]:
        return {"appId": self.app_id, "appSecret": self.app_secret,
                "privateKey": self.private_key_pem,
                "platformPublicKey": self.platform_public_key_pem}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AppCredentials:
        try:
            return cls(app_id=str(data["appId"]), app_secret=str(data["appSecret"]),
                       private_key_pem=str(data["privateKey"]),
                       platform_public_key_pem=str(data["platformPublicKey"]))
        except KeyError as exc:
            raise ValueError(f"医保平台凭据缺少 {exc.args[0]}") from exc


# -- SM4 ------------------------------------------------------------------------------------

def _sm4_ecb(key: bytes, data: bytes, *, encrypt: bool) -> bytes:
    cipher = Cipher(algorithms.SM4(key), modes.ECB())  # noqa: S305  (the platform's mode)
    op = cipher.encryptor() if encrypt else cipher.decryptor()
    return op.update(data) + op.finalize()


def data_key(app_id: str, app_secret: str) -> bytes:
    """The SM4 key of an application's messages (see the module docstring)."""
    secret = app_secret.encode("utf-8")[:16]
    if len(secret) < 16:
        raise ValueError("appSecret 至少 16 个字符")
    return sm4_encrypt(secret, app_id.encode("utf-8"))[:16]


def sm4_encrypt(key: bytes, plain: bytes) -> bytes:
    padder = padding.PKCS7(128).padder()
    return _sm4_ecb(key, padder.update(plain) + padder.finalize(), encrypt=True)


def sm4_decrypt(key: bytes, cipher_text: bytes) -> bytes:
    if not cipher_text or len(cipher_text) % 16:
        raise ValueError("密文长度不是分组长度的整数倍")
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(_sm4_ecb(key, cipher_text, encrypt=False)) + unpadder.finalize()


# -- the sign string ------------------------------------------------------------------------

def sign_string(fields: Mapping[str, Any], data: Mapping[str, Any], app_secret: str) -> bytes:
    parts: dict[str, str] = {}
    for name, value in fields.items():
        if name in UNSIGNED or value is None or value == "":
            continue
        parts[name] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    parts["data"] = signing.canonical_bytes(data).decode("utf-8")
    text = "&".join(f"{name}={parts[name]}" for name in sorted(parts))
    return f"{text}&key={app_secret}".encode()


# -- sealing and opening --------------------------------------------------------------------

def now_ms() -> int:
    return int(time.time() * 1000)


def message_id(fixmedins_code: str, at: datetime, seq: int) -> str:
    """The sender's message id (`msgid`) of the 2021 envelope for a message queued at `at` with
    sequence number `seq`: 定点医药机构编号(12) + yyyyMMddHHmmss (China time) + 顺序号(4).
    Codes shorter than 12 characters are padded with leading zeros. Two messages of one
    institution share a msgid only if queued in the same second with sequence numbers 10,000
    apart, which needs more than 10,000 messages in that second."""
    code = fixmedins_code.strip()[:12].rjust(12, "0")
    return f"{code}{at.astimezone(CHINA):%Y%m%d%H%M%S}{seq % 10_000:04d}"


def new_nonce() -> str:
    return secrets.token_hex(16)


def seal(data: Mapping[str, Any], *, app_id: str, app_secret: str,
         signer: signing.PrivateKey, now: int, nonce: str | None = None,
         extra_fields: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The envelope of `data`, encrypted for the application and signed by `signer`."""
    fields: dict[str, Any] = {"appId": app_id, "encType": ENC_TYPE, "signType": SIGN_TYPE,
                              "version": VERSION, "timestamp": str(now),
                              "nonce": nonce or new_nonce(), **(extra_fields or {})}
    plain = signing.canonical_bytes(data)
    fields["encData"] = sm4_encrypt(data_key(app_id, app_secret), plain).hex().upper()
    signature = signing.sign(signer, sign_string(fields, data, app_secret))
    fields["signData"] = base64.b64encode(signature).decode("ascii")
    return fields


@dataclass(frozen=True)
class Opened:
    fields: dict[str, Any]
    data: dict[str, Any]

    @property
    def nonce(self) -> str:
        return str(self.fields["nonce"])

    @property
    def timestamp(self) -> int:
        return int(self.fields["timestamp"])


def envelope_fields(body: Any) -> dict[str, Any]:
    """The checked outer fields of a message (before any key is known)."""
    if not isinstance(body, dict):
        raise EnvelopeError(MALFORMED, "报文必须是 JSON 对象")
    for name in ("appId", "timestamp", "nonce", "signData"):
        if not isinstance(body.get(name), str) or not body[name]:
            raise EnvelopeError(MALFORMED, f"报文缺少 {name}")
    if body.get("encType") != ENC_TYPE or body.get("signType") != SIGN_TYPE:
        raise EnvelopeError(MALFORMED, "encType 须为 SM4，signType 须为 SM2")
    if not body["timestamp"].isdigit():
        raise EnvelopeError(MALFORMED, "timestamp 须为毫秒时间戳")
    if "encData" in body and not isinstance(body["encData"], str):
        raise EnvelopeError(MALFORMED, "encData 格式不正确")
    msgid = body.get("msgid")
    if msgid is not None and (not isinstance(msgid, str) or not 0 < len(msgid) <= MSGID_LENGTH):
        raise EnvelopeError(MALFORMED, f"msgid 须为不超过 {MSGID_LENGTH} 个字符的报文编号")
    return dict(body)


def open_sealed(body: Any, *, app_secret: str, verifier: signing.PublicKey,
                now: int, max_skew_ms: int = MAX_SKEW_MS) -> Opened:
    """Decrypt and verify a message; EnvelopeError when it cannot be trusted. The caller checks
    the nonce against the ones it has seen (replay) and, for answers, `requestNonce`."""
    fields = envelope_fields(body)
    if abs(now - int(fields["timestamp"])) > max_skew_ms:
        raise EnvelopeError(EXPIRED, "报文时间戳超出允许范围（请核对时钟）")
    enc = fields.get("encData") or ""
    try:
        plain = sm4_decrypt(data_key(fields["appId"], app_secret), bytes.fromhex(enc))
        data = json.loads(plain.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise EnvelopeError(UNDECRYPTABLE, "encData 无法解密") from exc
    if not isinstance(data, dict):
        raise EnvelopeError(UNDECRYPTABLE, "encData 解密后不是 JSON 对象")
    try:
        signature = base64.b64decode(fields["signData"], validate=True)
        message = sign_string(fields, data, app_secret)
    except (binascii.Error, ValueError) as exc:
        raise EnvelopeError(BAD_SIGNATURE, "signData 验签失败") from exc
    if not signing.verify(verifier, message, signature):
        raise EnvelopeError(BAD_SIGNATURE, "signData 验签失败")
    return Opened(fields, data)


class NonceBook:
    """Nonces seen within the skew window: a second use is a replay. Old entries are dropped as
    new ones arrive (anything older is refused by its timestamp anyway)."""

    def __init__(self, window_ms: int = MAX_SKEW_MS) -> None:
        self.window_ms = window_ms
        self._seen: dict[str, int] = {}

    def check_and_add(self, key: str, now: int) -> None:
        if len(self._seen) > 1000:
            horizon = now - 2 * self.window_ms
            self._seen = {k: at for k, at in self._seen.items() if at >= horizon}
        if key in self._seen:
            raise EnvelopeError(REPLAYED, "nonce 重复（疑似重放）")
        self._seen[key] = now
