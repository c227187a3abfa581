"""Key material kept outside the database, in the key folder (RXP_KEY_DIR).

- `data-keys.json`: versioned data keys for personal data and the blind-index key;
- `token.key`: the HMAC key that signs access tokens;
- `audit-signing.pem`: the Ed25519 key that signs audit checkpoints;
- `handover-signing.pem`: the Ed25519 key that signs data handover packages (`rxp export`);
- `payment-sandbox.pem`: the sandbox payment gateway's signing key (a stand-in for the gateway's
  own key; optional, see server/payments/sandbox.py).
Production keeps this folder on a separate, access-controlled volume (see README).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from server.personal_data.keys import KeyRing

DATA_KEYS = "data-keys.json"
TOKEN_KEY = "token.key"  # noqa: S105  (a file name)
AUDIT_KEY = "audit-signing.pem"
PAYMENT_SANDBOX_KEY = "payment-sandbox.pem"
HANDOVER_KEY = "handover-signing.pem"


@dataclass(frozen=True)
class KeyMaterial:
    keyring: KeyRing
    token_key: bytes
    audit_signing_key: Ed25519PrivateKey

    @classmethod
    def load(cls, key_dir: Path) -> KeyMaterial:
        missing = [n for n in (DATA_KEYS, TOKEN_KEY, AUDIT_KEY) if not (key_dir / n).exists()]
        if missing:
            raise RuntimeError(f"key folder {key_dir} lacks {', '.join(missing)} "
                               "(create them with `rxp keys init`)")
        audit_key = serialization.load_pem_private_key((key_dir / AUDIT_KEY).read_bytes(), None)
        if not isinstance(audit_key, Ed25519PrivateKey):
            raise RuntimeError(f"{AUDIT_KEY} is not an Ed25519 key")
        return cls(KeyRing.load(key_dir / DATA_KEYS), (key_dir / TOKEN_KEY).read_bytes(),
                   audit_key)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def init_key_dir(key_dir: Path) -> list[str]:
    """Create whichever keys are missing; never overwrite one. Returns the names created."""
    key_dir.mkdir(parents=True, exist_ok=True)
    key_dir.chmod(0o700)
    created = []
    if not (key_dir / DATA_KEYS).exists():
        KeyRing.generate(key_dir / DATA_KEYS)
        created.append(DATA_KEYS)
    if not (key_dir / TOKEN_KEY).exists():
        _write_private(key_dir / TOKEN_KEY, secrets.token_bytes(32))
        created.append(TOKEN_KEY)
    for name in (AUDIT_KEY, PAYMENT_SANDBOX_KEY, HANDOVER_KEY):
        if not (key_dir / name).exists():
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption())
            _write_private(key_dir / name, pem)
            created.append(name)
    return created
