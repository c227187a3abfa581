"""The hash chain of the audit log: how one event's hash is computed from its content.

Kept free of database code so the verifier (`rxp audit verify`) and the writer share exactly one
definition of the canonical form.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

GENESIS = bytes(32)

# The fields that are hashed, in this order; adding one is a chain format change.
HASHED_FIELDS = (
    "seq", "occurred_at", "actor_kind", "actor_id", "actor_name", "actor_role", "org_id", "ip",
    "workstation", "request_id", "action", "entity_type", "entity_id", "outcome", "status_code",
    "summary",
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def canonical(event: dict[str, Any]) -> bytes:
    body = {name: _plain(event.get(name)) for name in HASHED_FIELDS}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str).encode()


def event_hash(prev_hash: bytes, event: dict[str, Any]) -> bytes:
    return hashlib.sha256(prev_hash + canonical(event)).digest()


_SEQ_KEY = b'"seq":'


def canonical_around_seq(event: dict[str, Any]) -> tuple[bytes, bytes]:
    """(before, after): the canonical form of `event` is before + str(seq) + after.

    The writer hands these to the database, which picks the sequence number under the chain's
    lock and hashes prev_hash || before || seq || after there, in the same statement as the
    insert (server/audit/repository.py). The first '"seq":' is the top-level key: keys are
    sorted, every key before it holds a string, number or null, and a string spells a quote
    as \\".
    """
    whole = canonical({**event, "seq": 0})
    at = whole.index(_SEQ_KEY) + len(_SEQ_KEY)
    if whole[at:at + 2] != b"0,":  # the canonical form changed: the split must change with it
        raise RuntimeError("audit chain: the sequence number is not where it is expected")
    return whole[:at], whole[at + 1:]
