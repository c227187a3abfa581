"""Roles, their permissions, and the vocabularies the rights matrices are built from.

Permissions are fixed by role in code (they describe what the software lets a role do); who may
prescribe or review which drug class is data the hospital edits (server/access/models.py).
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    DOCTOR = "doctor"
    PHARMACIST = "pharmacist"
    PHARMACY_STAFF = "pharmacy_staff"
    HOSPITAL_ADMIN = "hospital_admin"
    SYSTEM_ADMIN = "system_admin"
    SECURITY_ADMIN = "security_admin"
    AUDITOR = "auditor"


ROLE_LABELS = {
    Role.DOCTOR: "医生",
    Role.PHARMACIST: "药师",
    Role.PHARMACY_STAFF: "药店人员",
    Role.HOSPITAL_ADMIN: "医院管理员",
    Role.SYSTEM_ADMIN: "系统管理员",
    Role.SECURITY_ADMIN: "安全管理员",
    Role.AUDITOR: "审计管理员",
}

# 三权分立: no account may hold more than one of these.
SEPARATED_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})


class ProfessionalTitle(StrEnum):
    """Doctors' titles (职称); antibiotic tiers and other rights depend on them."""

    ASSISTANT = "assistant_physician"  # 执业助理医师
    RESIDENT = "resident"  # 住院医师
    ATTENDING = "attending"  # 主治医师
    ASSOCIATE_CHIEF = "associate_chief"  # 副主任医师
    CHIEF = "chief"  # 主任医师


class PharmacistLevel(StrEnum):
    """Pharmacists' levels (药师职称); reviewing rights depend on them."""

    ASSISTANT = "pharmacist_assistant"  # 药士
    PHARMACIST = "pharmacist"  # 药师
    SUPERVISING = "supervising_pharmacist"  # 主管药师
    ASSOCIATE_CHIEF = "associate_chief_pharmacist"  # 副主任药师
    CHIEF = "chief_pharmacist"  # 主任药师


class DrugClass(StrEnum):
    """The drug classes rights are granted for (处方管理办法, 抗菌药物分级管理)."""

    ORDINARY = "ordinary"  # 普通药品
    ANTIBIOTIC_UNRESTRICTED = "antibiotic_unrestricted"  # 非限制使用级抗菌药物
    ANTIBIOTIC_RESTRICTED = "antibiotic_restricted"  # 限制使用级
    ANTIBIOTIC_SPECIAL = "antibiotic_special"  # 特殊使用级
    TOXIC = "toxic"  # 医疗用毒性药品
    PSYCHOTROPIC_2 = "psychotropic_2"  # 第二类精神药品
    PSYCHOTROPIC_1 = "psychotropic_1"  # 第一类精神药品
    NARCOTIC = "narcotic"  # 麻醉药品
    CHRONIC = "chronic"  # 慢病目录药品 (primary-care doctors are limited to these)


class Permission(StrEnum):
    ORG_READ = "org.read"
    ORG_MANAGE = "org.manage"
    USER_READ = "user.read"
    USER_MANAGE = "user.manage"
    USER_FREEZE = "user.freeze"
    USER_RESET_SECOND_FACTOR = "user.reset_second_factor"
    RIGHTS_READ = "rights.read"
    RIGHTS_MANAGE = "rights.manage"
    PATIENT_READ = "patient.read"
    PATIENT_WRITE = "patient.write"
    PATIENT_READ_FULL = "patient.read_full"
    AUDIT_READ = "audit.read"
    AUDIT_VERIFY = "audit.verify"
    CLIENT_MANAGE = "client.manage"
    CATALOGUE_READ = "catalogue.read"
    CATALOGUE_PROPOSE = "catalogue.propose"
    CATALOGUE_APPROVE = "catalogue.approve"
    KNOWLEDGE_MANAGE = "knowledge.manage"  # load and activate knowledge sets (用药审查知识库)
    # Register and revoke the public keys doctors and pharmacists sign with.
    CERTIFICATE_MANAGE = "certificate.manage"
    PRESCRIPTION_READ = "prescription.read"
    PRESCRIPTION_WRITE = "prescription.write"  # draft, sign, submit, void, reissue
    REVIEW = "review.decide"  # pharmacist review
    REVIEW_STATS = "review.stats"
    CONFIG_MANAGE = "config.manage"  # run-time limits, time limits, tariffs
    ORDER_FULFIL = "order.fulfil"  # a pharmacy's orders: accept, dispense, deliver, hand over
    TRACE_READ = "trace.read"  # the full trace of a prescription or a traceability code
    STATISTICS_READ = "statistics.read"
    # Pharmacy onboarding (遴选): approve, refuse, suspend, reinstate; delivery capabilities.
    PHARMACY_MANAGE = "pharmacy.manage"
    # A pharmacy's own staff: its phone, opening hours, closures and stock feed.
    PHARMACY_OWN = "pharmacy.own"
    # A verified patient acting on their own prescriptions (which ones: patient_access.scope).
    PATIENT_SELF = "patient.self"
    # A self-service kiosk reading a patient's insurance or visit card to identify them.
    PATIENT_ACCESS_CARD = "patient_access.card"
    PAYMENT_READ = "payment.read"  # payments of the organisations one sees (a pharmacy's own)
    PAYMENT_READ_ALL = "payment.read_all"  # every payment of the group (hospital administration)
    # Operations: incidents and their monthly report, kiosks' device status (read).
    OPS_READ = "ops.read"
    INCIDENT_MANAGE = "incident.manage"  # record incidents, acknowledge, respond, resolve
    DEVICE_REPORT = "device.report"  # a kiosk reporting its card reader / scanner / printer
    # Messages to outside systems that could not be delivered: list and retry (server/outbox).
    OUTBOX_MANAGE = "outbox.manage"


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.DOCTOR: frozenset({P.ORG_READ, P.RIGHTS_READ, P.PATIENT_READ, P.PATIENT_WRITE,
                            P.PATIENT_READ_FULL, P.CATALOGUE_READ,
                            P.PRESCRIPTION_READ, P.PRESCRIPTION_WRITE, P.TRACE_READ}),
    Role.PHARMACIST: frozenset({P.ORG_READ, P.RIGHTS_READ, P.PATIENT_READ, P.CATALOGUE_READ,
                                P.CATALOGUE_PROPOSE, P.PRESCRIPTION_READ, P.REVIEW,
                                P.REVIEW_STATS, P.TRACE_READ}),
    Role.PHARMACY_STAFF: frozenset({P.ORG_READ, P.CATALOGUE_READ, P.ORDER_FULFIL,
                                    P.TRACE_READ, P.PHARMACY_OWN, P.PAYMENT_READ}),
    Role.HOSPITAL_ADMIN: frozenset({P.ORG_READ, P.ORG_MANAGE, P.USER_READ, P.USER_MANAGE,
                                    P.USER_FREEZE, P.USER_RESET_SECOND_FACTOR, P.RIGHTS_READ,
                                    P.RIGHTS_MANAGE, P.PATIENT_READ, P.PATIENT_WRITE,
                                    P.CATALOGUE_READ, P.CATALOGUE_PROPOSE,
                                    P.CATALOGUE_APPROVE, P.CERTIFICATE_MANAGE,
                                    P.KNOWLEDGE_MANAGE, P.PRESCRIPTION_READ, P.REVIEW_STATS,
                                    P.CONFIG_MANAGE, P.TRACE_READ, P.STATISTICS_READ,
                                    P.PHARMACY_MANAGE, P.PAYMENT_READ, P.PAYMENT_READ_ALL}),
    # System administrator: accounts and integration clients, not rights and not audit.
    Role.SYSTEM_ADMIN: frozenset({P.ORG_READ, P.ORG_MANAGE, P.USER_READ, P.USER_MANAGE,
                                  P.CLIENT_MANAGE, P.CONFIG_MANAGE, P.OUTBOX_MANAGE}),
    # Security administrator: rights, freezing, second factors, signing keys.
    Role.SECURITY_ADMIN: frozenset({P.ORG_READ, P.USER_READ, P.USER_FREEZE,
                                    P.USER_RESET_SECOND_FACTOR, P.RIGHTS_READ, P.RIGHTS_MANAGE,
                                    P.CERTIFICATE_MANAGE}),
    # Auditor: reads the audit log and verifies it; sees personal data masked only.
    Role.AUDITOR: frozenset({P.ORG_READ, P.USER_READ, P.AUDIT_READ, P.AUDIT_VERIFY,
                             P.PATIENT_READ, P.CATALOGUE_READ, P.PRESCRIPTION_READ,
                             P.TRACE_READ}),
}

# Operations rights, kept together: the on-call administrators record and work incidents; the
# auditor reads them and the monthly report of the contract's clocks.
for _role, _extra in ((Role.SYSTEM_ADMIN, {P.OPS_READ, P.INCIDENT_MANAGE}),
                      (Role.HOSPITAL_ADMIN, {P.OPS_READ, P.INCIDENT_MANAGE}),
                      (Role.SECURITY_ADMIN, {P.OPS_READ, P.INCIDENT_MANAGE}),
                      (Role.AUDITOR, {P.OPS_READ})):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _extra

# Integration clients (HIS, regional chronic-disease system, insurance platform).
CLIENT_PERMISSIONS = frozenset({P.ORG_READ, P.PATIENT_READ, P.PATIENT_WRITE, P.CATALOGUE_READ})
# A self-service kiosk stands in a public hall: it identifies patients by their card and shows
# the catalogue, but never searches or edits patient records as the integration clients may.
KIOSK_PERMISSIONS = frozenset({P.ORG_READ, P.CATALOGUE_READ, P.PATIENT_ACCESS_CARD})
KIOSK_PERMISSIONS |= {P.DEVICE_REPORT}
CLIENT_KIND_PERMISSIONS: dict[str, frozenset[Permission]] = {"kiosk": KIOSK_PERMISSIONS}

# The role of a verified patient's principal. Not a staff Role: no account can be given it.
PATIENT_ROLE = "patient"
PATIENT_PERMISSIONS = frozenset({P.PATIENT_SELF})


def client_permissions(kind: str) -> frozenset[str]:
    """What an integration client of `kind` may do."""
    return CLIENT_KIND_PERMISSIONS.get(kind, CLIENT_PERMISSIONS)


def permissions_for(roles: frozenset[str] | set[str] | list[str]) -> frozenset[str]:
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(Role(role), frozenset())
    return frozenset(granted)


def separation_of_duties_violation(roles: set[str] | list[str]) -> bool:
    return len(SEPARATED_ROLES & {Role(r) for r in roles}) > 1
