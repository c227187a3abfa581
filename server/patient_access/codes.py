"""The one-time codes of patient access: making them, reading them back from what a patient
typed or a scanner read, and storing them so that a database dump does not reveal them."""

from __future__ import annotations

import hmac
import re
import secrets
import unicodedata
import uuid

from server.personal_data.cipher import FieldCipher
from server.personal_data.masking import mask_phone

SMS_CODE_DIGITS = 6
# No 0/O, 1/I/L: read off paper and typed on a kiosk's screen without confusion.
SLIP_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SLIP_CODE_LENGTH = 10  # 31^10, about 49 bits
QR_PREFIX = "RXP1:"

SMS_CODE_CONTEXT = "patient_sms_code.code"
SLIP_CODE_CONTEXT = "prescription_slip_code.code"
DECOY_CONTEXT = "patient_sms_code.decoy_phone"

_SEPARATORS = re.compile(r"[\s\-_]")
_DECOY_PREFIXES = ("133", "135", "136", "137", "138", "139", "150", "151", "152", "157",
                   "158", "159", "177", "180", "182", "186", "187", "188", "189", "199")


def new_sms_code() -> str:
    return f"{secrets.randbelow(10 ** SMS_CODE_DIGITS):0{SMS_CODE_DIGITS}d}"


def sms_code_digest(cipher: FieldCipher, row_id: uuid.UUID, code: str) -> bytes:
    """A keyed hash of the code, salted by its row: a million possible codes are no secret to
    a plain hash, but without the index key (outside the database) this one cannot be tried."""
    return cipher.blind_index(f"{row_id}:{code.strip()}", context=SMS_CODE_CONTEXT)


def same_digest(a: bytes | None, b: bytes) -> bool:
    return a is not None and hmac.compare_digest(bytes(a), b)


def decoy_masked_phone(cipher: FieldCipher, id_number: str) -> str:
    """The masked phone shown for an ID number that has no patient (or no phone) behind it:
    always the same one for the same number, so that asking twice does not tell the two
    cases apart."""
    digest = cipher.blind_index(id_number, context=DECOY_CONTEXT)
    prefix = _DECOY_PREFIXES[digest[0] % len(_DECOY_PREFIXES)]
    rest = int.from_bytes(digest[1:6], "big") % 10 ** 8
    return mask_phone(f"{prefix}{rest:08d}")


def new_slip_code() -> str:
    return "".join(secrets.choice(SLIP_ALPHABET) for _ in range(SLIP_CODE_LENGTH))


def qr_payload(code: str) -> str:
    return QR_PREFIX + code


def read_slip_code(value: str) -> str | None:
    """The code in what was typed or scanned (the code itself, or the QR payload), or None
    when it cannot be one. Case, spaces and dashes do not matter."""
    text = unicodedata.normalize("NFKC", value).strip()
    if text.upper().startswith(QR_PREFIX):
        text = text[len(QR_PREFIX):]
    text = _SEPARATORS.sub("", text).upper()
    if len(text) != SLIP_CODE_LENGTH or any(ch not in SLIP_ALPHABET for ch in text):
        return None
    return text


def slip_code_index(cipher: FieldCipher, code: str) -> bytes:
    return cipher.blind_index(code, context=SLIP_CODE_CONTEXT)
