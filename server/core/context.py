"""Who is asking, from where, and what the request did: the request context.

The unit-of-work middleware creates one `RequestContext` per HTTP request; authentication fills in
the principal; services note the audit facts of what they changed (`ctx.note(...)`), and the
middleware writes the single audit event of the request from them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

PrincipalKind = Literal["user", "client", "patient"]


@dataclass(frozen=True)
class Principal:
    """An authenticated actor: a staff user, an integration client or a verified patient."""

    kind: PrincipalKind
    id: uuid.UUID
    name: str
    roles: frozenset[str] = frozenset()
    permissions: frozenset[str] = frozenset()
    org_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    # Organisations whose records this actor may see; None means every organisation.
    visible_org_ids: frozenset[uuid.UUID] | None = frozenset()
    session_id: uuid.UUID | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def sees(self, org_id: uuid.UUID | None) -> bool:
        if self.visible_org_ids is None:
            return True
        return org_id is not None and org_id in self.visible_org_ids

    @property
    def primary_role(self) -> str:
        return sorted(self.roles)[0] if self.roles else self.kind


@dataclass
class AuditNote:
    action: str
    entity_type: str | None = None
    entity_id: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass
class RequestContext:
    session: AsyncSession
    method: str
    path: str
    ip: str | None
    workstation: str | None
    request_id: str
    principal: Principal | None = None
    # Set by a service for the audit event; routes that change nothing but must be audited
    # (reading a full personal record) set it too.
    audit: AuditNote | None = None
    # A failure that must still persist (a failed-login counter, a revoked token family).
    commit_on_error: bool = False
    idempotency_key: str | None = None
    # Whose key it is, fixed when the stored answer is first looked up (see idempotency.store).
    idempotency_owner: str | None = None
    request_hash: str | None = None
    replayed: bool = False

    def note(self, action: str, entity_type: str | None = None, entity_id: object = None,
             **summary: Any) -> None:
        # Ids come from requests too (a path segment): they are cut to what the log's columns
        # hold, so recording a refused request can never fail.
        self.audit = AuditNote(action[:100], entity_type,
                               None if entity_id is None else str(entity_id)[:64], summary)
