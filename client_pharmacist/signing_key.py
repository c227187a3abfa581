"""The pharmacist's private signing key, kept in the OS keyring of the workstation.

The key never leaves the workstation: the first time a pharmacist signs here the app makes a
key pair, keeps the private key in the keyring (`CredentialStore`, entry `signing-key:<user>`)
and shows the public key for the hospital administrator to register. Until it is registered the
server refuses the signature (`NoCertificate`) and says so.

Without a usable keyring backend the key is kept in memory for the run only (the store's own
fallback): the pharmacist then needs a new key, registered again, after every restart, which
`persistent` lets the UI say.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from common import signing
from common.auth import CredentialStore

ENTRY_PREFIX = "signing-key:"


@dataclass(frozen=True)
class NewKey:
    public_key_pem: str
    algorithm: str
    fingerprint: str


class SigningKeyStore:
    def __init__(self, store: CredentialStore, username: str) -> None:
        self._store = store
        self.username = username

    @property
    def _entry(self) -> str:
        return f"{ENTRY_PREFIX}{self.username}"

    @property
    def persistent(self) -> bool:
        return self._store.persistent

    def private_key(self) -> str | None:
        return self._store.get(self._entry)

    def has_key(self) -> bool:
        return self.private_key() is not None

    def create(self, algorithm: str = signing.DEFAULT_ALGORITHM) -> NewKey:
        """A new key pair; the private half replaces any earlier one in the keyring."""
        pem = signing.generate_private_key(algorithm)
        self._store.set(self._entry, pem)
        return self.describe(pem)

    def public_key(self) -> NewKey | None:
        pem = self.private_key()
        return self.describe(pem) if pem else None

    @staticmethod
    def describe(private_pem: str) -> NewKey:
        public = signing.load_private_key(private_pem).public
        return NewKey(public_key_pem=public.pem, algorithm=public.algorithm,
                      fingerprint=public.fingerprint)

    def sign(self, document: Mapping[str, Any]) -> tuple[str, str]:
        """(signature base64, algorithm); KeyError when there is no key yet."""
        pem = self.private_key()
        if pem is None:
            raise KeyError(self._entry)
        key = signing.load_private_key(pem)
        return signing.sign_document(key, document), key.algorithm
