"""The doctor's signing key on this workstation, in the OS keyring (`keyring`, through
`common.auth.CredentialStore`), never on the server.

First-time set-up generates a key pair (`common.signing`, SM2 by default) and shows the public
key for the hospital's administrator to register (`POST /users/{id}/certificates`); until then
the server refuses the signature (NoCertificate). Where the workstation has no keyring backend
the store keeps the key in memory only (`persistent` False): it is lost when the app closes, so
the app warns before generating one there.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any

from common import signing
from common.api.models import Certificate
from common.auth import CredentialStore


class KeyState(enum.Enum):
    MISSING = "missing"  # no key on this workstation: set-up needed
    UNREGISTERED = "unregistered"  # a key, but the administrator has not registered it yet
    REGISTERED = "registered"


class SigningKeys:
    def __init__(self, store: CredentialStore, username: str) -> None:
        self.store = store
        self.username = username

    @property
    def _entry(self) -> str:
        return f"signing-key:{self.username}"

    @property
    def persistent(self) -> bool:
        return self.store.persistent

    def private_key(self) -> str | None:
        return self.store.get(self._entry)

    def install(self, private_key_pem: str) -> str:
        """Keep an existing key (e.g. from a card export, or the demo's); returns the public
        key PEM. Raises signing.InvalidKey for a key that is not one."""
        public = signing.export_public_key(private_key_pem)
        self.store.set(self._entry, private_key_pem)
        return public

    def generate(self, algorithm: str = signing.DEFAULT_ALGORITHM) -> str:
        """A new key pair; the private key goes to the keyring, the public PEM is returned for
        the administrator. Replaces any key kept before."""
        return self.install(signing.generate_private_key(algorithm))

    def public_key(self) -> signing.PublicKey | None:
        pem = self.private_key()
        return signing.load_private_key(pem).public if pem else None

    def state(self, certificates: Sequence[Certificate]) -> KeyState:
        public = self.public_key()
        if public is None:
            return KeyState.MISSING
        active = {c.fingerprint for c in certificates if c.status == "active"}
        return KeyState.REGISTERED if public.fingerprint in active else KeyState.UNREGISTERED

    def sign(self, document: Mapping[str, Any]) -> tuple[str, str]:
        """(base64 signature, algorithm) of the document's canonical bytes."""
        pem = self.private_key()
        if pem is None:
            raise LookupError("no signing key on this workstation")
        key = signing.load_private_key(pem)
        return signing.sign_document(key, document), key.algorithm
