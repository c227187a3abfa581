"""Field-level encryption of personal data and blind indexes for searching it.

Each encrypted column value is a self-describing blob::

    +--------+-------------+-----------+-------------------------+
    | format | key version |   nonce   |  ciphertext + GCM tag   |
    | 1 byte | 2 bytes, BE |  12 bytes |  len(plaintext) + 16    |
    +--------+-------------+-----------+-------------------------+

The format byte names the algorithm (AES-256-GCM or SM4-GCM), the key version names the data
key in the :class:`~server.personal_data.keys.KeyRing`. So values written before a key
rotation, or before a switch of algorithm, stay readable, and can be found and re-encrypted
later.

The associated data of GCM is the header followed by the *context*, a column name such as
``"patient.id_number"``: a ciphertext copied into another column (say, a patient's ID number
pasted over another patient's phone number field) fails to decrypt instead of being shown.

Encrypted values cannot be searched, so a column that needs exact search also stores a blind
index: a keyed HMAC of the normalised value, equal for equal values, useless without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from typing import Literal, get_args

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from server.personal_data.keys import KeyRing, UnknownKeyVersion

Algorithm = Literal["aes-256-gcm", "sm4-gcm"]

FORMAT_AES_256_GCM = 0x01
FORMAT_SM4_GCM = 0x02
_FORMAT_OF: dict[Algorithm, int] = {
    "aes-256-gcm": FORMAT_AES_256_GCM,
    "sm4-gcm": FORMAT_SM4_GCM,
}
_ALGORITHM_OF: dict[int, Algorithm] = {fmt: name for name, fmt in _FORMAT_OF.items()}

HEADER_BYTES = 3
NONCE_BYTES = 12  # the GCM standard nonce; random nonces are safe far beyond our volumes
TAG_BYTES = 16
MIN_BLOB_BYTES = HEADER_BYTES + NONCE_BYTES + TAG_BYTES
BLIND_INDEX_BYTES = 16  # 128 bits: no accidental collisions, half the space of the full MAC
SM4_KEY_BYTES = 16

# A context is a column name. Restricting the characters keeps it from containing the NUL
# that separates it from the value in the blind-index input, so the input is unambiguous.
_CONTEXT = re.compile(r"[A-Za-z0-9_.:-]+")

# Fields whose letters carry no case: the check character X of a resident ID number is
# written x as often as X, and both must find the same person.
_CASE_INSENSITIVE_FIELDS = ("id_number",)


class UndecryptableValue(ValueError):
    """A blob cannot be decrypted: wrong context, tampered, malformed, or unknown key.

    The message never contains the plaintext or key material.
    """


def sm4_gcm_available() -> bool:
    """Whether the installed cryptography/OpenSSL can do SM4 in GCM mode."""
    try:
        Cipher(algorithms.SM4(bytes(SM4_KEY_BYTES)), modes.GCM(bytes(NONCE_BYTES))).encryptor()
    except (UnsupportedAlgorithm, AttributeError):
        return False
    return True


def normalise(value: str, *, context: str) -> str:
    """The form of ``value`` that the blind index is computed over.

    NFKC turns full-width digits and letters (common with Chinese input methods) into their
    ASCII forms; surrounding whitespace is dropped; ID numbers are upper-cased.
    """
    text = unicodedata.normalize("NFKC", value).strip()
    field = context.rsplit(".", 1)[-1]
    if field.endswith(_CASE_INSENSITIVE_FIELDS):
        text = text.upper()
    return text


class FieldCipher:
    """Encrypts and decrypts column values with the keys of a :class:`KeyRing`."""

    def __init__(self, keyring: KeyRing, algorithm: Algorithm = "aes-256-gcm") -> None:
        if algorithm not in get_args(Algorithm):
            raise ValueError(f"unknown algorithm {algorithm!r}; use one of {get_args(Algorithm)}")
        self._sm4_supported = sm4_gcm_available()
        if algorithm == "sm4-gcm" and not self._sm4_supported:
            raise ValueError("SM4-GCM is not supported by the installed cryptography/OpenSSL")
        self._keyring = keyring
        self._algorithm: Algorithm = algorithm
        # Derived SM4 keys by data-key version: HKDF per value would be wasted work.
        self._sm4_keys: dict[int, bytes] = {}

    @property
    def keyring(self) -> KeyRing:
        return self._keyring

    @property
    def algorithm(self) -> Algorithm:
        return self._algorithm

    # -- encryption --------------------------------------------------------------------------

    def encrypt(self, plaintext: str, *, context: str) -> bytes:
        _check_context(context)
        version = self._keyring.active_version
        header = bytes([_FORMAT_OF[self._algorithm]]) + version.to_bytes(2, "big")
        nonce = secrets.token_bytes(NONCE_BYTES)
        aad = header + context.encode("utf-8")
        data = plaintext.encode("utf-8")
        if self._algorithm == "aes-256-gcm":
            sealed = AESGCM(self._keyring.data_key(version)).encrypt(nonce, data, aad)
        else:
            encryptor = Cipher(algorithms.SM4(self._sm4_key(version)), modes.GCM(nonce)).encryptor()
            encryptor.authenticate_additional_data(aad)
            sealed = encryptor.update(data) + encryptor.finalize() + encryptor.tag
        return header + nonce + sealed

    def decrypt(self, blob: bytes, *, context: str) -> str:
        _check_context(context)
        blob = bytes(blob)  # a driver may hand over a memoryview
        algorithm, version = self._parse_header(blob)
        nonce = blob[HEADER_BYTES : HEADER_BYTES + NONCE_BYTES]
        sealed = blob[HEADER_BYTES + NONCE_BYTES :]
        aad = blob[:HEADER_BYTES] + context.encode("utf-8")
        try:
            if algorithm == "aes-256-gcm":
                data = AESGCM(self._keyring.data_key(version)).decrypt(nonce, sealed, aad)
            else:
                if not self._sm4_supported:
                    raise UndecryptableValue(
                        "the value is SM4-GCM encrypted, which this installation cannot decrypt"
                    )
                decryptor = Cipher(
                    algorithms.SM4(self._sm4_key(version)),
                    modes.GCM(nonce, sealed[-TAG_BYTES:]),
                ).decryptor()
                decryptor.authenticate_additional_data(aad)
                data = decryptor.update(sealed[:-TAG_BYTES]) + decryptor.finalize()
        except UnknownKeyVersion:
            raise UndecryptableValue(
                f"the value was encrypted with key version {version}, which the key ring "
                f"does not hold"
            ) from None
        except InvalidTag:
            raise UndecryptableValue(
                f"the value does not authenticate for context {context!r}: it belongs to "
                f"another column, or was altered"
            ) from None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            # Only reachable with a valid tag over non-UTF-8 data: not written by encrypt().
            raise UndecryptableValue("the decrypted value is not UTF-8 text") from None

    # -- key versions ------------------------------------------------------------------------

    def key_version(self, blob: bytes) -> int:
        return self._parse_header(blob)[1]

    def needs_reencryption(self, blob: bytes) -> bool:
        """True if ``blob`` uses an older key version or another algorithm than configured."""
        algorithm, version = self._parse_header(blob)
        return version != self._keyring.active_version or algorithm != self._algorithm

    def reencrypt(self, blob: bytes, *, context: str) -> bytes:
        """``blob`` under the active key version and the configured algorithm."""
        return self.encrypt(self.decrypt(blob, context=context), context=context)

    # -- blind index -------------------------------------------------------------------------

    def blind_index(self, value: str, *, context: str) -> bytes:
        """A deterministic, keyed digest of ``value`` for exact search of an encrypted column.

        The context is part of the input, so the same ID number in two columns gives two
        unrelated digests and the columns cannot be joined on their indexes.
        """
        _check_context(context)
        message = (
            context.encode("utf-8") + b"\x00" + normalise(value, context=context).encode("utf-8")
        )
        digest = hmac.new(self._keyring.index_key, message, hashlib.sha256).digest()
        return digest[:BLIND_INDEX_BYTES]

    # -- helpers -----------------------------------------------------------------------------

    def _parse_header(self, blob: bytes) -> tuple[Algorithm, int]:
        if len(blob) < MIN_BLOB_BYTES:
            raise UndecryptableValue(
                f"the value has {len(blob)} bytes, too short to be an encrypted field"
            )
        algorithm = _ALGORITHM_OF.get(blob[0])
        if algorithm is None:
            raise UndecryptableValue(f"unknown encryption format byte 0x{blob[0]:02x}")
        return algorithm, int.from_bytes(blob[1:HEADER_BYTES], "big")

    def _sm4_key(self, version: int) -> bytes:
        key = self._sm4_keys.get(version)
        if key is None:
            # SM4 takes 128-bit keys; HKDF derives one from the 256-bit data key rather than
            # truncating it, and the info label keeps it unrelated to the AES use of that key.
            key = HKDF(
                algorithm=hashes.SHA256(), length=SM4_KEY_BYTES, salt=None, info=b"sm4"
            ).derive(self._keyring.data_key(version))
            self._sm4_keys[version] = key
        return key


def _check_context(context: str) -> None:
    if not _CONTEXT.fullmatch(context):
        raise ValueError(
            f"context {context!r} must be a non-empty column name of letters, digits and _.:-"
        )
