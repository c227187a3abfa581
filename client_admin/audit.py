"""The audit screen's logic: what a search asks for, what the user typed to trace (a
prescription's id or a traceability code), and the chain verification's outcome."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# 20 digits, or a GS1 element string (AI 01 first, with or without parentheses).
_TRACE_CODE = re.compile(r"\d{20}|\(?01\)?\d{14}.*")


@dataclass
class AuditSearch:
    action: str = ""
    entity_type: str = ""
    entity_id: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def params(self) -> dict[str, Any]:
        return {"action": self.action.strip() or None,
                "entity_type": self.entity_type.strip() or None,
                "entity_id": self.entity_id.strip() or None,
                "since": self.since, "until": self.until}


@dataclass(frozen=True)
class TraceTarget:
    kind: str  # "prescription" or "code"
    value: str


def trace_target(text: str) -> TraceTarget | None:
    """What to trace: a prescription id (UUID) or a traceability code; None if neither."""
    value = "".join(text.split())
    try:
        return TraceTarget("prescription", str(uuid.UUID(value)))
    except ValueError:
        pass
    if _TRACE_CODE.fullmatch(value):
        return TraceTarget("code", value)
    return None


@dataclass(frozen=True)
class Verification:
    ok: bool
    message: str  # the server's own sentence, in Chinese
    events_checked: int
    head_seq: int
    first_broken_seq: int | None
    checkpoints_checked: int
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, answer: dict[str, Any]) -> Verification:
        return cls(ok=bool(answer["ok"]), message=str(answer["message"]),
                   events_checked=int(answer["events_checked"]),
                   head_seq=int(answer["head_seq"]),
                   first_broken_seq=answer.get("first_broken_seq"),
                   checkpoints_checked=int(answer["checkpoints_checked"]),
                   warnings=list(answer.get("warnings") or []))
