"""Electronic signatures of documents, shared by the apps (which sign) and the server (which
verifies): the canonical bytes of a document, key generation, signing, public-key export and
verification, for two algorithms.

- ``sm2-sm3``: SM2 with SM3 (GB/T 32918, GB/T 35276), the national standard and the default.
  The signer's identity in Z is the standard default ``1234567812345678`` (what OpenSSL, GmSSL,
  Tongsuo and the card vendors use unless told otherwise). Backed by GmSSL through ``gmssl-pyx``.
- ``ecdsa-p256-sha256``: ECDSA over P-256 with SHA-256 (FIPS 186), through ``cryptography``.

Formats (the same for both algorithms, and the ones OpenSSL reads and writes):
- private key: PEM PKCS#8 (``-----BEGIN PRIVATE KEY-----``); SEC1 ``EC PRIVATE KEY`` is read too.
  It stays with the doctor or pharmacist (OS keyring or card) and never reaches the server.
- public key: PEM SubjectPublicKeyInfo (``-----BEGIN PUBLIC KEY-----``); also read from an X.509
  certificate PEM or from hex (uncompressed ``04||X||Y``, bare ``X||Y`` for SM2, or compressed).
- signature: ASN.1 DER ``SEQUENCE { r, s }``, sent over the API in standard base64. The raw 64-byte
  ``r||s`` form that JavaScript and card libraries often produce is accepted on verification.

Canonical form (``canonical_bytes``): what is signed is the UTF-8 JSON text of the document
written with these rules, so that any implementation that follows them produces the same bytes:

1. The document is a JSON object (a Mapping with str keys); keys of every object are sorted by
   Unicode code point (Python's ``sorted`` on str), and must be str (no int keys).
2. No insignificant whitespace: ``,`` and ``:`` separators with nothing around them.
3. Strings are written as-is in UTF-8 (no ``\\uXXXX`` escapes for non-ASCII, so 阿莫西林 is its
   12 UTF-8 bytes); only ``"`` and ``\\`` and the control characters below U+0020 are escaped:
   ``\\b \\f \\n \\r \\t`` in short form, the others as ``\\u00xx`` (lowercase hex). Text is not
   Unicode-normalised: what the signer saw is what is signed. Lone surrogates are refused.
4. Integers (and bools as ``true``/``false``, ``None`` as ``null``) are JSON literals. Binary
   floats are refused (their decimal form is not the same everywhere): use ``Decimal`` or str.
5. ``Decimal`` becomes a JSON *string* in plain notation with trailing zeros removed:
   ``Decimal("1.50")`` -> ``"1.5"``, ``Decimal("100.00")`` -> ``"100"``, ``Decimal("-0")`` ->
   ``"0"``. So a value read back from a ``NUMERIC(10,3)`` column signs the same as the one typed.
   NaN and infinities are refused.
6. ``datetime`` must carry a time zone; it is converted to UTC and written as ISO 8601 with a
   ``Z``: ``2026-05-01T08:30:00Z``, with ``.ffffff`` microseconds only when they are not zero.
   ``date`` is ``YYYY-MM-DD``; ``time`` is ISO 8601 (``HH:MM:SS[.ffffff]``).
7. ``UUID`` is its lowercase hyphenated form; an ``Enum`` is its value; ``bytes`` are standard
   base64 with padding; lists and tuples are arrays (sets are refused: they have no order).

Documents should carry their own kind and version (e.g. ``"document": "prescription/1"``), so a
signature over one kind of document cannot be replayed as another.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any, Final, Literal, cast

import gmssl_pyx
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

Algorithm = Literal["sm2-sm3", "ecdsa-p256-sha256"]
SM2_SM3: Final = "sm2-sm3"
ECDSA_P256_SHA256: Final = "ecdsa-p256-sha256"
ALGORITHMS: Final[tuple[Algorithm, ...]] = (SM2_SM3, ECDSA_P256_SHA256)
DEFAULT_ALGORITHM: Final[Algorithm] = SM2_SM3
# GB/T 35276-2017 5.3: the default signer identity when none is agreed.
SM2_DEFAULT_USER_ID: Final = b"1234567812345678"


class SigningError(ValueError):
    """A key, signature or document the signing functions cannot take."""


class InvalidKey(SigningError):
    pass


class NotCanonical(SigningError):
    """A document holding a value the canonical form does not define (float, set, naive time)."""


# -- canonical form ------------------------------------------------------------------------------

def _plain(value: Any, where: str) -> Any:
    """The value as plain JSON types (dict, list, str, int, bool, None), by the rules above."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Enum):
        return _plain(value.value, where)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NotCanonical(f"{where}: 不能签名非有限数值 {value}")
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "0") else text
    if isinstance(value, float):
        raise NotCanonical(f"{where}: 浮点数不能签名，请使用 Decimal 或字符串")
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise NotCanonical(f"{where}: 时间必须带时区")
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise NotCanonical(f"{where}: 时刻不能带时区")
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        plain: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotCanonical(f"{where}: 键必须是字符串（{key!r}）")
            plain[key] = _plain(item, f"{where}.{key}")
        return plain
    if isinstance(value, list | tuple):
        return [_plain(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise NotCanonical(f"{where}: 不支持签名的取值类型 {type(value).__name__}")


def canonical_bytes(document: Mapping[str, Any]) -> bytes:
    """The bytes a signature covers: the document's canonical JSON (see the module docstring)."""
    if not isinstance(document, Mapping):
        raise NotCanonical("签名的文档必须是 JSON 对象")
    text = json.dumps(_plain(document, "$"), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"), allow_nan=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate
        raise NotCanonical("文档含有无效的 Unicode 字符") from exc


# -- a little DER: enough for keys and certificates of the two curves ----------------------------

_OID_EC_PUBLIC_KEY = bytes.fromhex("2a8648ce3d0201")  # 1.2.840.10045.2.1
_OID_SM2 = bytes.fromhex("2a811ccf5501822d")  # 1.2.156.10197.1.301
_OID_P256 = bytes.fromhex("2a8648ce3d030107")  # 1.2.840.10045.3.1.7
_CURVE_OIDS: dict[bytes, Algorithm] = {_OID_SM2: SM2_SM3, _OID_P256: ECDSA_P256_SHA256}
_ALGORITHM_OIDS = {alg: oid for oid, alg in _CURVE_OIDS.items()}


def _der_tlv(data: bytes, offset: int = 0) -> tuple[int, bytes, int]:
    """(tag, value, offset after it) of the DER element at ``offset``."""
    try:
        tag, length = data[offset], data[offset + 1]
        offset += 2
        if length & 0x80:
            count = length & 0x7F
            if count == 0 or count > 4:
                raise InvalidKey("DER 长度编码无效")
            length = int.from_bytes(data[offset:offset + count], "big")
            offset += count
    except IndexError as exc:
        raise InvalidKey("DER 数据不完整") from exc
    end = offset + length
    if end > len(data):
        raise InvalidKey("DER 数据不完整")
    return tag, data[offset:end], end


def _der_children(value: bytes) -> list[tuple[int, bytes]]:
    children, offset = [], 0
    while offset < len(value):
        tag, child, offset = _der_tlv(value, offset)
        children.append((tag, child))
    return children


def _der(tag: int, value: bytes) -> bytes:
    n = len(value)
    if n < 0x80:
        return bytes([tag, n]) + value
    size = (n.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + n.to_bytes(size, "big") + value


def _spki_der(algorithm: Algorithm, point: bytes) -> bytes:
    alg_id = _der(0x30, _der(0x06, _OID_EC_PUBLIC_KEY) + _der(0x06, _ALGORITHM_OIDS[algorithm]))
    return _der(0x30, alg_id + _der(0x03, b"\x00" + point))


def _parse_spki(der: bytes) -> tuple[Algorithm, bytes]:
    tag, body, _ = _der_tlv(der)
    parts = _der_children(body) if tag == 0x30 else []
    if len(parts) != 2 or parts[0][0] != 0x30 or parts[1][0] != 0x03:
        raise InvalidKey("不是有效的 SubjectPublicKeyInfo 公钥")
    oids = [v for t, v in _der_children(parts[0][1]) if t == 0x06]
    if len(oids) != 2 or oids[0] != _OID_EC_PUBLIC_KEY or oids[1] not in _CURVE_OIDS:
        raise InvalidKey("只支持 SM2 或 P-256 椭圆曲线公钥")
    bits = parts[1][1]
    if not bits or bits[0] != 0:
        raise InvalidKey("公钥位串无效")
    return _CURVE_OIDS[oids[1]], bits[1:]


def _der_time(tag: int, value: bytes) -> datetime:
    text = value.decode("ascii")
    if tag == 0x17:  # UTCTime: YYMMDDHHMMSSZ; RFC 5280: 50-99 is 19xx
        year = int(text[:2])
        text = f"{1900 + year if year >= 50 else 2000 + year}{text[2:]}"
    return datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=UTC)


@dataclass(frozen=True)
class CertificateInfo:
    """What the server takes from an X.509 certificate: its key and validity. The chain is not
    checked: registration by the hospital's administrator is the trust anchor here."""

    spki_der: bytes
    not_before: datetime
    not_after: datetime
    serial_number: str


def read_certificate(pem_or_der: str | bytes) -> CertificateInfo:
    der = _pem_body(pem_or_der, "CERTIFICATE") if isinstance(pem_or_der, str) else pem_or_der
    try:
        _, cert, _ = _der_tlv(der)
        _, tbs, _ = _der_tlv(cert)
        fields = _der_children(tbs)
        if fields and fields[0][0] == 0xA0:  # [0] version
            fields = fields[1:]
        serial, validity, spki = fields[0], fields[3], fields[5]
        times = _der_children(validity[1])
        not_before, not_after = (_der_time(t, v) for t, v in times[:2])
    except (IndexError, ValueError, UnicodeDecodeError) as exc:
        raise InvalidKey("不是有效的 X.509 证书") from exc
    spki_der = _der(0x30, spki[1])
    _parse_spki(spki_der)
    return CertificateInfo(spki_der=spki_der, not_before=not_before, not_after=not_after,
                           serial_number=serial[1].hex())


_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.S)


def _pem_body(text: str, *labels: str) -> bytes:
    match = _PEM.search(text)
    if match is None or match.group(1) not in labels:
        raise InvalidKey(f"需要 PEM 格式的 {' / '.join(labels)}")
    try:
        return base64.b64decode("".join(match.group(2).split()), validate=True)
    except binascii.Error as exc:
        raise InvalidKey("PEM 内容不是有效的 base64") from exc


def _pem(label: str, der: bytes) -> str:
    body = base64.b64encode(der).decode("ascii")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"


# -- SM2 arithmetic that GmSSL's binding does not expose (Z and, rarely, d·G) ---------------------

_SM2_P = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF", 16)
_SM2_A = _SM2_P - 3
_SM2_B = int("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93", 16)
_SM2_N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)
_SM2_GX = int("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7", 16)
_SM2_GY = int("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0", 16)
_SM2_CURVE_BYTES = b"".join(v.to_bytes(32, "big") for v in (_SM2_A, _SM2_B, _SM2_GX, _SM2_GY))


def _sm2_z(point64: bytes, user_id: bytes = SM2_DEFAULT_USER_ID) -> bytes:
    """Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA), GB/T 32918.2 5.5."""
    entl = (len(user_id) * 8).to_bytes(2, "big")
    return gmssl_pyx.sm3_hash(entl + user_id + _SM2_CURVE_BYTES + point64)


def _sm2_public_from_private(d: int) -> bytes:
    """d·G by double-and-add in Jacobian coordinates: only for a private key stored without its
    public half (GmSSL's binding has no call for it). Not constant time; runs on the signer's own
    machine with its own key, once when the key is loaded."""
    p = _SM2_P

    def double(x: int, y: int, z: int) -> tuple[int, int, int]:
        if y == 0 or z == 0:
            return 0, 1, 0
        yy = y * y % p
        s = 4 * x * yy % p
        zz = z * z % p
        m = 3 * (x - zz) * (x + zz) % p  # a = -3
        x3 = (m * m - 2 * s) % p
        return x3, (m * (s - x3) - 8 * yy * yy) % p, 2 * y * z % p

    def add(x1: int, y1: int, z1: int, x2: int, y2: int) -> tuple[int, int, int]:
        if z1 == 0:
            return x2, y2, 1
        z1z1 = z1 * z1 % p
        u2, s2 = x2 * z1z1 % p, y2 * z1 * z1z1 % p
        h, r = (u2 - x1) % p, (s2 - y1) % p
        if h == 0:
            return double(x1, y1, z1) if r == 0 else (0, 1, 0)
        hh = h * h % p
        hhh = h * hh % p
        v = x1 * hh % p
        x3 = (r * r - hhh - 2 * v) % p
        return x3, (r * (v - x3) - y1 * hhh) % p, z1 * h % p

    acc = (0, 1, 0)
    for bit in bin(d)[2:]:
        acc = double(*acc)
        if bit == "1":
            acc = add(*acc, _SM2_GX, _SM2_GY)
    x, y, z = acc
    zi = pow(z, -1, p)
    return ((x * zi * zi) % p).to_bytes(32, "big") + ((y * zi * zi * zi) % p).to_bytes(32, "big")


# -- keys ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PublicKey:
    """A verifying key of one of the two algorithms, held as its SubjectPublicKeyInfo."""

    algorithm: Algorithm
    spki_der: bytes
    # The curve point 04||X||Y; the parsed objects below are built once per key.
    point: bytes
    _ecdsa: ec.EllipticCurvePublicKey | None = field(default=None, repr=False, compare=False)
    _sm2_z: bytes = field(default=b"", repr=False, compare=False)

    @property
    def pem(self) -> str:
        return _pem("PUBLIC KEY", self.spki_der)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the SubjectPublicKeyInfo DER, lowercase hex (as `openssl pkey -pubin
        -outform DER | sha256sum` prints it)."""
        return hashlib.sha256(self.spki_der).hexdigest()


def _public_from_point(algorithm: Algorithm, point: bytes) -> PublicKey:
    if algorithm == SM2_SM3:
        try:
            xy = gmssl_pyx.normalize_sm2_public_key(point)
        except gmssl_pyx.InvalidValueError as exc:
            raise InvalidKey("SM2 公钥不在曲线上或格式不正确") from exc
        point = b"\x04" + xy
        return PublicKey(SM2_SM3, _spki_der(SM2_SM3, point), point, _sm2_z=_sm2_z(xy))
    if algorithm == ECDSA_P256_SHA256:
        try:
            key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        except ValueError as exc:
            raise InvalidKey("P-256 公钥不在曲线上或格式不正确") from exc
        point = key.public_bytes(serialization.Encoding.X962,
                                 serialization.PublicFormat.UncompressedPoint)
        return PublicKey(ECDSA_P256_SHA256, _spki_der(ECDSA_P256_SHA256, point), point,
                         _ecdsa=key)
    raise InvalidKey(f"不支持的签名算法 {algorithm}")


def _check_algorithm(algorithm: str) -> Algorithm:
    if algorithm not in ALGORITHMS:
        raise SigningError(f"不支持的签名算法 {algorithm}，可选：{', '.join(ALGORITHMS)}")
    return cast(Algorithm, algorithm)


def load_public_key(text: str | bytes, algorithm: str | None = None) -> PublicKey:
    """A public key from PEM (SubjectPublicKeyInfo or an X.509 certificate), DER, or hex.

    Hex carries no curve, so it needs ``algorithm``; PEM and DER name their curve, and a given
    ``algorithm`` must agree with it.
    """
    expected = _check_algorithm(algorithm) if algorithm is not None else None
    if isinstance(text, bytes):
        found, point = _parse_spki(text)
    elif "-----BEGIN CERTIFICATE-----" in text:
        found, point = _parse_spki(read_certificate(text).spki_der)
    elif "-----BEGIN" in text:
        found, point = _parse_spki(_pem_body(text, "PUBLIC KEY"))
    else:
        if expected is None:
            raise InvalidKey("十六进制公钥须注明算法")
        try:
            raw = bytes.fromhex(text.strip().removeprefix("0x"))
        except ValueError as exc:
            raise InvalidKey("公钥不是有效的 PEM 或十六进制") from exc
        if expected == SM2_SM3 and len(raw) == 64:
            raw = b"\x04" + raw
        found, point = expected, raw
    if expected is not None and found != expected:
        raise InvalidKey(f"公钥的曲线与算法 {expected} 不符")
    return _public_from_point(found, point)


@dataclass(frozen=True)
class PrivateKey:
    algorithm: Algorithm
    # SM2: the scalar d (32 bytes); ECDSA: unused (the cryptography object holds it).
    secret: bytes = field(repr=False)
    public: PublicKey
    _ecdsa: ec.EllipticCurvePrivateKey | None = field(default=None, repr=False, compare=False)


def _sm2_private(d: bytes, point: bytes | None) -> PrivateKey:
    scalar = int.from_bytes(d, "big")
    if not 1 <= scalar < _SM2_N - 1:
        raise InvalidKey("SM2 私钥超出范围")
    d = scalar.to_bytes(32, "big")
    public = _public_from_point(SM2_SM3, point or b"\x04" + _sm2_public_from_private(scalar))
    return PrivateKey(SM2_SM3, d, public)


def load_private_key(pem: str) -> PrivateKey:
    """A private key from PEM PKCS#8 (``PRIVATE KEY``) or SEC1 (``EC PRIVATE KEY``)."""
    der = _pem_body(pem, "PRIVATE KEY", "EC PRIVATE KEY")
    try:
        _, body, _ = _der_tlv(der)
        parts = _der_children(body)
        curve: bytes | None = None
        if parts[0] == (0x02, b"\x00"):  # PKCS#8: version 0, AlgorithmIdentifier, OCTET STRING
            oids = [v for t, v in _der_children(parts[1][1]) if t == 0x06]
            curve = oids[1] if len(oids) == 2 and oids[0] == _OID_EC_PUBLIC_KEY else None
            _, body, _ = _der_tlv(parts[2][1])
            parts = _der_children(body)
        # ECPrivateKey: version 1, privateKey, [0] curve OID, [1] public key bit string
        d = parts[1][1]
        point = None
        for tag, value in parts[2:]:
            if tag == 0xA0:
                curve = _der_tlv(value)[1]
            elif tag == 0xA1:
                point = _der_tlv(value)[1][1:]
    except (IndexError, InvalidKey) as exc:
        raise InvalidKey("不是有效的 PKCS#8 或 SEC1 椭圆曲线私钥") from exc
    if curve == _OID_SM2:
        return _sm2_private(d, point)
    if curve == _OID_P256:
        try:
            key = serialization.load_der_private_key(der, password=None)
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise InvalidKey("P-256 私钥无效") from exc
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        point = key.public_key().public_bytes(serialization.Encoding.X962,
                                              serialization.PublicFormat.UncompressedPoint)
        return PrivateKey(ECDSA_P256_SHA256, b"", _public_from_point(ECDSA_P256_SHA256, point),
                          _ecdsa=key)
    raise InvalidKey("只支持 SM2 或 P-256 椭圆曲线私钥")


def generate_private_key(algorithm: str = DEFAULT_ALGORITHM) -> str:
    """A new private key as PEM PKCS#8 (unencrypted: the app stores it in the OS keyring)."""
    if _check_algorithm(algorithm) == SM2_SM3:
        xy, d = gmssl_pyx.sm2_key_generate()
        # PKCS#8 around SEC1 ECPrivateKey {1, d, [1] public key}, as OpenSSL writes SM2 keys.
        sec1 = _der(0x30, _der(0x02, b"\x01") + _der(0x04, d)
                    + _der(0xA1, _der(0x03, b"\x00\x04" + xy)))
        alg_id = _der(0x30, _der(0x06, _OID_EC_PUBLIC_KEY) + _der(0x06, _OID_SM2))
        return _pem("PRIVATE KEY", _der(0x30, _der(0x02, b"\x00") + alg_id + _der(0x04, sec1)))
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


def export_public_key(private_key_pem: str) -> str:
    """The public half of a private key, as the PEM the administrator registers."""
    return load_private_key(private_key_pem).public.pem


# -- signing and verifying -----------------------------------------------------------------------

def _key(private_key: str | PrivateKey) -> PrivateKey:
    return load_private_key(private_key) if isinstance(private_key, str) else private_key


def sign(private_key: str | PrivateKey, data: bytes) -> bytes:
    """The DER signature of ``data`` (SM2: over SM3(Z || data) with the default signer id)."""
    key = _key(private_key)
    if key.algorithm == SM2_SM3:
        # The digest entry point: GmSSL's whole-message sm2_sign re-derives the key each call
        # and is ~10x slower; the result is the same standard signature.
        digest = gmssl_pyx.sm3_hash(key.public._sm2_z + data)
        return gmssl_pyx.sm2_sign_sm3_digest(key.secret, digest)
    assert key._ecdsa is not None
    return key._ecdsa.sign(data, ec.ECDSA(hashes.SHA256()))


def sign_document(private_key: str | PrivateKey, document: Mapping[str, Any]) -> str:
    """The base64 DER signature of the document's canonical bytes: what the apps send."""
    return base64.b64encode(sign(private_key, canonical_bytes(document))).decode("ascii")


def decode_signature(signature: str | bytes) -> bytes:
    """DER bytes from the base64 text the API carries (a raw 64-byte r||s is turned into DER)."""
    if isinstance(signature, str):
        try:
            raw = base64.b64decode(signature.strip(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise SigningError("签名不是有效的 base64") from exc
    else:
        raw = signature
    if len(raw) == 64 and not _is_der_signature(raw):
        return encode_dss_signature(int.from_bytes(raw[:32], "big"),
                                    int.from_bytes(raw[32:], "big"))
    return raw


def _is_der_signature(raw: bytes) -> bool:
    try:
        decode_dss_signature(raw)
    except ValueError:
        return False
    return True


def verify(public_key: PublicKey, data: bytes, signature: bytes) -> bool:
    """Whether ``signature`` (DER, or raw r||s) is ``public_key``'s signature of ``data``."""
    signature = decode_signature(signature)
    try:
        r, s = decode_dss_signature(signature)
    except ValueError:
        return False
    if public_key.algorithm == SM2_SM3:
        if not (1 <= r < _SM2_N and 1 <= s < _SM2_N):
            return False  # refused here, before GmSSL prints its error trace for it
        try:
            return bool(gmssl_pyx.sm2_verify(public_key.point[1:], data, signature))
        except gmssl_pyx.GmsslInnerError:
            return False
    assert public_key._ecdsa is not None
    try:
        public_key._ecdsa.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def verify_document(public_key: PublicKey, document: Mapping[str, Any],
                    signature: str | bytes) -> bool:
    """Whether ``signature`` (base64 text or DER bytes) signs the document's canonical bytes."""
    try:
        raw = decode_signature(signature)
    except SigningError:
        return False
    return verify(public_key, canonical_bytes(document), raw)
