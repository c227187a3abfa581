"""Chinese labels of the server's codes the admin screens show. An unknown code is shown as
itself (a newer server may know more)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

# Module-level calls lupdate can read (it extracts `translate("Context", "text")`).
translate = QCoreApplication.translate


def role_label(code: str) -> str:
    return {
        "doctor": translate("Labels", "Doctor"),
        "pharmacist": translate("Labels", "Pharmacist"),
        "pharmacy_staff": translate("Labels", "Pharmacy staff"),
        "hospital_admin": translate("Labels", "Hospital administrator"),
        "system_admin": translate("Labels", "System administrator"),
        "security_admin": translate("Labels", "Security administrator"),
        "auditor": translate("Labels", "Audit administrator"),
        "system": translate("Labels", "System (automatic)"),
        "patient": translate("Labels", "Patient"),
        "carrier": translate("Labels", "Carrier"),
    }.get(code, code)


def title_label(code: str | None) -> str:
    if not code:
        return ""
    return {
        "assistant_physician": translate("Labels", "Assistant physician"),
        "resident": translate("Labels", "Resident physician"),
        "attending": translate("Labels", "Attending physician"),
        "associate_chief": translate("Labels", "Associate chief physician"),
        "chief": translate("Labels", "Chief physician"),
    }.get(code, code)


def level_label(code: str | None) -> str:
    if not code:
        return ""
    return {
        "pharmacist_assistant": translate("Labels", "Assistant pharmacist"),
        "pharmacist": translate("Labels", "Pharmacist"),
        "supervising_pharmacist": translate("Labels", "Supervising pharmacist"),
        "associate_chief_pharmacist": translate("Labels", "Associate chief pharmacist"),
        "chief_pharmacist": translate("Labels", "Chief pharmacist"),
    }.get(code, code)


def drug_class_label(code: str) -> str:
    return {
        "ordinary": translate("Labels", "Ordinary"),
        "antibiotic_unrestricted": translate("Labels", "Antibiotic (unrestricted)"),
        "antibiotic_restricted": translate("Labels", "Antibiotic (restricted)"),
        "antibiotic_special": translate("Labels", "Antibiotic (special use)"),
        "toxic": translate("Labels", "Toxic drug"),
        "psychotropic_2": translate("Labels", "Psychotropic class II"),
        "psychotropic_1": translate("Labels", "Psychotropic class I"),
        "narcotic": translate("Labels", "Narcotic"),
        "chronic": translate("Labels", "Chronic disease list"),
    }.get(code, code)


def user_status_label(code: str) -> str:
    return {
        "active": translate("Labels", "Active"),
        "frozen": translate("Labels", "Frozen"),
    }.get(code, code)


def org_kind_label(code: str) -> str:
    return {
        "group": translate("Labels", "Medical group"),
        "hospital": translate("Labels", "Hospital"),
        "clinic": translate("Labels", "Primary-care clinic"),
        "department": translate("Labels", "Department"),
        "pharmacy": translate("Labels", "Retail pharmacy"),
    }.get(code, code)


def org_status_label(code: str) -> str:
    return {
        "active": translate("Labels", "Active"),
        "pending": translate("Labels", "Pending approval"),
        "suspended": translate("Labels", "Suspended"),
        "refused": translate("Labels", "Refused"),
    }.get(code, code)


def product_status_label(code: str) -> str:
    return {
        "proposed": translate("Labels", "Awaiting approval"),
        "active": translate("Labels", "In use"),
        "suspended": translate("Labels", "Suspended"),
        "withdrawn": translate("Labels", "Withdrawn"),
        "refused": translate("Labels", "Refused"),
    }.get(code, code)


def delivery_mode_label(code: str) -> str:
    return {
        "store_pickup": translate("Labels", "Store pickup"),
        "hospital_delivery": translate("Labels", "Delivery to the hospital"),
        "courier": translate("Labels", "Courier"),
    }.get(code, code)


def grouping_label(code: str | None) -> str:
    return {
        "doctor": translate("Labels", "By doctor"),
        "department": translate("Labels", "By department"),
        "drug_class": translate("Labels", "By drug class"),
        "pharmacy": translate("Labels", "By pharmacy"),
        "pharmacist": translate("Labels", "By pharmacist"),
        "day": translate("Labels", "By day"),
        "month": translate("Labels", "By month"),
        None: translate("Labels", "By delivery mode"),
    }.get(code, code or "")


def report_label(code: str) -> str:
    return {
        "prescriptions": translate("Labels", "Prescriptions and amounts"),
        "reviews": translate("Labels", "Pharmacist review"),
        "fulfilment": translate("Labels", "Fulfilment"),
    }.get(code, code)


def statistics_column_label(key: str) -> str:
    return {
        "label": translate("Labels", "Group"),
        "prescriptions": translate("Labels", "Prescriptions"),
        "amount_fen": translate("Labels", "Amount (yuan)"),
        "decided": translate("Labels", "Decided"),
        "approved": translate("Labels", "Approved"),
        "rejected": translate("Labels", "Rejected"),
        "errors": translate("Labels", "Approved in error"),
        "approval_rate": translate("Labels", "Approval rate"),
        "rejection_rate": translate("Labels", "Rejection rate"),
        "error_rate": translate("Labels", "Error rate"),
        "avg_minutes": translate("Labels", "Average minutes to decision"),
        "p90_minutes": translate("Labels", "90% decided within (minutes)"),
        "orders": translate("Labels", "Orders"),
        "finished": translate("Labels", "Completed"),
        "released": translate("Labels", "Returned or lock expired"),
        "avg_accept_minutes": translate("Labels", "Average minutes to accept"),
        "avg_fulfil_hours": translate("Labels", "Average hours to the patient"),
    }.get(key, key)


def knowledge_kind_label(code: str) -> str:
    return {
        "interaction_pair": translate("Labels", "Interaction pairs"),
        "dose_rule": translate("Labels", "Dose ranges"),
        "allergy_class": translate("Labels", "Allergy classes"),
        "allergy_cross": translate("Labels", "Cross-sensitivity"),
        "duplicate_class": translate("Labels", "Duplicate therapy classes"),
        "contraindication": translate("Labels", "Contraindications"),
        "incompatibility": translate("Labels", "Incompatibilities"),
        "insurance_rule": translate("Labels", "Insurance rules"),
    }.get(code, code)


def source_label(code: str) -> str:
    """Which database answered: "primary", or a replica's name ("replica-0")."""
    if code == "primary":
        return translate("Labels", "the primary database")
    if code.startswith("replica-") and code[len("replica-"):].isdigit():
        return translate("Labels", "read replica %1").replace(
            "%1", str(int(code[len("replica-"):]) + 1))
    return code


def outcome_label(code: str) -> str:
    return {
        "success": translate("Labels", "Succeeded"),
        "denied": translate("Labels", "Denied"),
        "failure": translate("Labels", "Failed"),
    }.get(code, code)


def setting_group_label(key: str) -> str:
    return {
        "prescription_limits": translate("Labels", "Prescription limits"),
        "review_time_limits": translate("Labels", "Review time limits"),
        "circulation_limits": translate("Labels", "Circulation and lock timeouts"),
    }.get(key, key)


def setting_field_label(name: str) -> str:
    return {
        "validity_default_days": translate("Labels", "Validity (days, default)"),
        "validity_max_days": translate("Labels", "Longest validity when stated (days)"),
        "max_days_supply": translate("Labels", "Longest supply, ordinary (days)"),
        "emergency_max_days": translate("Labels", "Longest supply, emergency (days)"),
        "extended_max_days": translate("Labels", "Longest supply with a stated reason (days)"),
        "stable_chronic_max_days": translate("Labels",
                                             "Longest supply, stable chronic patients (days)"),
        "max_drugs": translate("Labels", "Most drugs per prescription"),
        "non_circulating_classes": translate("Labels",
                                             "Classes that do not circulate (comma separated)"),
        "outpatient_minutes": translate("Labels", "Outpatient review (minutes)"),
        "emergency_minutes": translate("Labels", "Emergency review (minutes)"),
        "inpatient_minutes": translate("Labels", "Inpatient review (minutes)"),
        "chronic_minutes": translate("Labels", "Chronic disease review (minutes)"),
        "accept_minutes": translate("Labels", "Pharmacy must accept within (minutes; then "
                                              "the lock is released)"),
        "appointment_max_days": translate("Labels", "Booking at most (days ahead)"),
        "payment_required_before_handover": translate("Labels",
                                                      "Payment required before handover"),
    }.get(name, name)


def severity_label(code: str) -> str:
    return {
        "general": translate("Labels", "General fault"),
        "serious": translate("Labels", "Serious fault"),
    }.get(code, code)


def incident_status_label(code: str) -> str:
    return {
        "open": translate("Labels", "Waiting to be taken"),
        "acknowledged": translate("Labels", "Taken"),
        "responding": translate("Labels", "Being fixed"),
        "resolved": translate("Labels", "Fixed"),
    }.get(code, code)


def affected_service_label(code: str) -> str:
    return {
        "prescribing": translate("Labels", "Prescribing"),
        "review": translate("Labels", "Pharmacist review"),
        "circulation": translate("Labels", "Circulation"),
        "purchase": translate("Labels", "Purchase and delivery"),
        "other": translate("Labels", "Other"),
    }.get(code, code)


def clock_state_label(code: str) -> str:
    return {
        "running": translate("Labels", "Running"),
        "escalated": translate("Labels", "Escalated: about to run out"),
        "breached": translate("Labels", "Overdue"),
        "met": translate("Labels", "Met"),
        "missed": translate("Labels", "Missed"),
    }.get(code, code)


def incident_event_label(code: str) -> str:
    return {
        "opened": translate("Labels", "Recorded"),
        "acknowledged": translate("Labels", "Taken"),
        "responded": translate("Labels", "Response recorded"),
        "resolved": translate("Labels", "Fixed"),
        "note": translate("Labels", "Note"),
        "severity_changed": translate("Labels", "Severity changed"),
        "respond_escalated": translate("Labels", "Response clock escalated"),
        "respond_breached": translate("Labels", "Response clock ran out"),
        "fix_escalated": translate("Labels", "Fix clock escalated"),
        "fix_breached": translate("Labels", "Fix clock ran out"),
    }.get(code, code)


def device_label(code: str) -> str:
    return {
        "card_reader": translate("Labels", "Card reader"),
        "scanner": translate("Labels", "Code scanner"),
        "printer": translate("Labels", "Printer"),
        "camera": translate("Labels", "Camera"),
    }.get(code, code)


def device_fault_label(code: str | None) -> str:
    if not code:
        return ""
    return {
        "paper_out": translate("Labels", "Out of paper"),
        "cover_open": translate("Labels", "Cover open"),
        "disconnected": translate("Labels", "Disconnected"),
        "jammed": translate("Labels", "Paper jam"),
    }.get(code, code)
