"""Signed checkpoints of the audit chain's head, written outside the database.

The hash chain shows an edited or removed event; it cannot show that the newest events were cut
off, since the remaining chain is still consistent. A checkpoint (seq, hash, time), signed with
an Ed25519 key kept outside the database and stored outside it, can: a database whose chain no
longer reaches a checkpoint, or reaches it with another hash, was cut or rewritten.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: bytes
    at: str
    path: Path


def _signed_bytes(seq: int, digest: bytes, at: str) -> bytes:
    return f"rxp-audit-checkpoint\n{seq}\n{digest.hex()}\n{at}".encode()


def write_checkpoint(folder: Path, key: Ed25519PrivateKey, seq: int, digest: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    at = datetime.now(UTC).isoformat()
    document = {"seq": seq, "hash": digest.hex(), "at": at,
                "signature": base64.b64encode(key.sign(_signed_bytes(seq, digest, at))).decode()}
    path = folder / f"{seq:015d}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(document))
    os.replace(tmp, path)
    return path


def load_checkpoints(folder: Path, public_key: Ed25519PublicKey
                     ) -> tuple[list[Checkpoint], list[str]]:
    """(valid checkpoints by seq, problems with the others)."""
    valid: list[Checkpoint] = []
    problems: list[str] = []
    if not folder.is_dir():
        return valid, problems
    for path in sorted(folder.glob("*.json")):
        try:
            doc = json.loads(path.read_text())
            seq, digest, at = int(doc["seq"]), bytes.fromhex(doc["hash"]), str(doc["at"])
            public_key.verify(base64.b64decode(doc["signature"]), _signed_bytes(seq, digest, at))
        except (ValueError, KeyError, TypeError, InvalidSignature):
            problems.append(f"检查点 {path.name} 签名无效或格式错误")
            continue
        valid.append(Checkpoint(seq, digest, at, path))
    return sorted(valid, key=lambda c: c.seq), problems


class CheckpointWriter:
    """Writes a checkpoint every `every` events, after the event's transaction committed."""

    def __init__(self, folder: Path, key: Ed25519PrivateKey, *, every: int) -> None:
        self.folder = folder
        self.key = key
        self.every = max(1, every)

    def on_appended(self, seq: int, digest: bytes) -> None:
        if seq % self.every == 0:
            try:
                write_checkpoint(self.folder, self.key, seq, digest)
            except OSError:  # the event is committed; a missed checkpoint is not fatal
                log.exception("could not write audit checkpoint %s", seq)
