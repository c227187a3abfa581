"""Every model, imported once so the metadata is complete (Alembic, tests)."""

from server.access.models import PrescribingRight, ReviewingRight
from server.audit.models import AuditEvent
from server.catalogue.models import CatalogueProduct, CatalogueProductPrice, CatalogueStatusChange
from server.circulation.models import (
    CirculationOrder,
    DeliveryEvent,
    DispensedPackage,
    OrderLine,
    QueueCounter,
)
from server.clinical.models import PatientAllergy, PatientDiagnosis, PatientMedication
from server.core.db import Base
from server.delivery.models import CourierTariff, CourierTariffRule
from server.events.models import LiveEvent, LiveEventHorizon
from server.fhir.models import FhirIdentifier
from server.hl7.models import Hl7InboundMessage, Hl7Order
from server.idempotency.models import IdempotencyRecord
from server.identity.models import (
    AuthSession,
    IntegrationClient,
    LaunchToken,
    RefreshToken,
    StaffUser,
)
from server.incidents.models import Incident, IncidentEvent
from server.insurance.models import InsuranceClaim
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
from server.notifications.models import Notification
from server.ops.devices.models import DeviceStatus
from server.organisations.models import Organisation
from server.outbox.models import OutboxMessage
from server.patient_access.models import (
    PatientAccessSession,
    PatientSmsCode,
    PrescriptionSlipCode,
)
from server.patients.models import Patient
from server.payments.models import Payment, PaymentNotification, Refund
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
    "CirculationOrder",
    "CourierTariff",
    "CourierTariffRule",
    "DeliveryEvent",
    "DeviceStatus",
    "DispensedPackage",
    "FhirIdentifier",
    "Hl7InboundMessage",
    "Hl7Order",
    "IdempotencyRecord",
    "Incident",
    "IncidentEvent",
    "InsuranceClaim",
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
    "LiveEventHorizon",
    "Notification",
    "OrderLine",
    "Organisation",
    "OutboxMessage",
    "Patient",
    "PatientAccessSession",
    "PatientAllergy",
    "PatientDiagnosis",
    "PatientMedication",
    "PatientSmsCode",
    "Payment",
    "PaymentNotification",
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
    "PrescriptionSlipCode",
    "PrescriptionTemplate",
    "PrescriptionTransition",
    "QueueCounter",
    "RefreshToken",
    "Refund",
    "ReviewAnnotation",
    "ReviewTask",
    "ReviewingRight",
    "SigningCertificate",
    "StaffUser",
]
