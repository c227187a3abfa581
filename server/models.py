"""Every model, imported once so the metadata is complete (Alembic, tests)."""

from server.access.models import PrescribingRight, ReviewingRight
from server.audit.models import AuditEvent
from server.core.db import Base
from server.idempotency.models import IdempotencyRecord
from server.identity.models import AuthSession, IntegrationClient, RefreshToken, StaffUser
from server.organisations.models import Organisation
from server.patients.models import Patient

__all__ = [
    "AuditEvent", "AuthSession", "Base", "IdempotencyRecord", "IntegrationClient", "Organisation",
    "Patient", "PrescribingRight", "RefreshToken", "ReviewingRight", "StaffUser",
]
