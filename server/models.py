"""Every model, imported once so the metadata is complete (Alembic, tests)."""

from server.access.models import PrescribingRight, ReviewingRight
from server.audit.models import AuditEvent
from server.catalogue.models import CatalogueProduct, CatalogueProductPrice, CatalogueStatusChange
from server.clinical.models import PatientAllergy, PatientDiagnosis, PatientMedication
from server.core.db import Base
from server.delivery.models import CourierTariff, CourierTariffRule
from server.events.models import LiveEvent
from server.idempotency.models import IdempotencyRecord
from server.identity.models import (
    AuthSession,
    IntegrationClient,
    LaunchToken,
    RefreshToken,
    StaffUser,
)
from server.knowledge.models import (
    KnowledgeAllergyClass,
    KnowledgeAllergyCross,
    KnowledgeContraindication,
    KnowledgeDoseRule,
    KnowledgeDuplicateClass,
    KnowledgeIncompatibility,
    KnowledgeInsuranceRule,
    KnowledgeInteractionPair,
    KnowledgeSet,
)
from server.organisations.models import Organisation
from server.patients.models import Patient
from server.pharmacies.models import (
    PharmacyClosure,
    PharmacyProfile,
    PharmacyStatusChange,
    PharmacyStock,
)
from server.platform_settings.models import PlatformSetting
from server.prescriptions.models import (
    PharmacistDuty,
    Prescription,
    PrescriptionIssue,
    PrescriptionLine,
    PrescriptionTemplate,
    PrescriptionTransition,
    ReviewAnnotation,
    ReviewTask,
)
from server.signatures.models import SigningCertificate

__all__ = [
    "AuditEvent",
    "AuthSession",
    "Base",
    "CatalogueProduct",
    "CatalogueProductPrice",
    "CatalogueStatusChange",
    "CourierTariff",
    "CourierTariffRule",
    "IdempotencyRecord",
    "IntegrationClient",
    "KnowledgeAllergyClass",
    "KnowledgeAllergyCross",
    "KnowledgeContraindication",
    "KnowledgeDoseRule",
    "KnowledgeDuplicateClass",
    "KnowledgeIncompatibility",
    "KnowledgeInsuranceRule",
    "KnowledgeInteractionPair",
    "KnowledgeSet",
    "LaunchToken",
    "LiveEvent",
    "Organisation",
    "Patient",
    "PatientAllergy",
    "PatientDiagnosis",
    "PatientMedication",
    "PharmacistDuty",
    "PharmacyClosure",
    "PharmacyProfile",
    "PharmacyStatusChange",
    "PharmacyStock",
    "PlatformSetting",
    "PrescribingRight",
    "Prescription",
    "PrescriptionIssue",
    "PrescriptionLine",
    "PrescriptionTemplate",
    "PrescriptionTransition",
    "RefreshToken",
    "ReviewAnnotation",
    "ReviewTask",
    "ReviewingRight",
    "SigningCertificate",
    "StaffUser",
]
