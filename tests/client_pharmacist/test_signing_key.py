"""The pharmacist's signing key in the keyring: made once, signs what the server verifies."""

from __future__ import annotations

import pytest

from client_pharmacist.signing_key import ENTRY_PREFIX, SigningKeyStore
from common import signing
from common.auth import CredentialStore
from tests.clients import MemoryKeyring


class TestSigningKeyStore:
    def test_a_new_key_is_kept_in_the_keyring_and_signs(self, memory_keyring: MemoryKeyring):
        keys = SigningKeyStore(CredentialStore("https://rxp.h1.local"), "pharm_liu")
        assert not keys.has_key() and keys.public_key() is None
        made = keys.create()
        assert made.public_key_pem.startswith("-----BEGIN PUBLIC KEY-----")
        assert made.algorithm == signing.DEFAULT_ALGORITHM
        (service, name), = memory_keyring.entries
        assert service == "rxp:https://rxp.h1.local" and name == f"{ENTRY_PREFIX}pharm_liu"
        # Another run of the app on this workstation finds the same key.
        again = SigningKeyStore(CredentialStore("https://rxp.h1.local"), "pharm_liu")
        assert again.public_key() == made
        document = {"type": "rxp.review/1", "decision": "approved", "number": "RX1"}
        signature, algorithm = again.sign(document)
        public = signing.load_public_key(made.public_key_pem)
        assert algorithm == made.algorithm
        assert signing.verify_document(public, document, signature)
        assert not signing.verify_document(public, {**document, "decision": "rejected"},
                                           signature)

    def test_keys_are_per_user(self, memory_keyring: MemoryKeyring):
        store = CredentialStore("https://rxp.h1.local")
        SigningKeyStore(store, "pharm_liu").create()
        other = SigningKeyStore(store, "pharm_chen")
        assert not other.has_key()
        with pytest.raises(KeyError):
            other.sign({"a": 1})
