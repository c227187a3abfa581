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
