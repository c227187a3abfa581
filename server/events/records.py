"""An event as the hub and the streams pass it around, and who may see it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.core.context import Principal


@dataclass(frozen=True)
class EventRecord:
    id: int
    created_at: datetime
    type: str
    org_id: uuid.UUID
    user_ids: frozenset[uuid.UUID]
    roles: frozenset[str]
    entity_type: str | None
    entity_id: str | None
    payload: dict[str, Any]

    def visible_to(self, principal: Principal) -> bool:
        """The API's rules: the organisation is in the principal's scope, and the principal is
        in the audience (one of its users, or holds one of its roles, or it names nobody)."""
        if not principal.sees(self.org_id):
            return False
        if not self.user_ids and not self.roles:
            return True
        return principal.id in self.user_ids or bool(self.roles & principal.roles)

    def as_json(self) -> dict[str, Any]:
        """What a client receives; the audience lists stay on the server."""
        return {"id": self.id, "type": self.type, "created_at": self.created_at.isoformat(),
                "org_id": str(self.org_id), "entity_type": self.entity_type,
                "entity_id": self.entity_id, "payload": self.payload}
