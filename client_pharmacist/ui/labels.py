"""Chinese labels of the server's codes that the review screens show (visit types, drug
classes, pharmacist levels, decisions). An unknown code is shown as itself."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

# Module-level calls lupdate can read (it extracts `translate("Context", "text")`).
translate = QCoreApplication.translate


def visit_type_label(code: str) -> str:
    labels = {
        "outpatient": translate("Labels", "Outpatient"),
        "emergency": translate("Labels", "Emergency"),
        "inpatient": translate("Labels", "Inpatient"),
        "chronic": translate("Labels", "Chronic disease"),
    }
    return labels.get(code, code)


def drug_class_label(code: str) -> str:
    labels = {
        "ordinary": translate("Labels", "Ordinary"),
        "antibiotic_unrestricted": translate("Labels", "Antibiotic (unrestricted)"),
        "antibiotic_restricted": translate("Labels", "Antibiotic (restricted)"),
        "antibiotic_special": translate("Labels", "Antibiotic (special use)"),
        "toxic": translate("Labels", "Toxic drug"),
        "psychotropic_2": translate("Labels", "Psychotropic class II"),
        "psychotropic_1": translate("Labels", "Psychotropic class I"),
        "narcotic": translate("Labels", "Narcotic"),
        "chronic": translate("Labels", "Chronic disease list"),
    }
    return labels.get(code, code)


def level_label(code: str | None) -> str:
    labels = {
        "pharmacist_assistant": translate("Labels", "Assistant pharmacist"),
        "pharmacist": translate("Labels", "Pharmacist"),
        "supervising_pharmacist": translate("Labels", "Supervising pharmacist"),
        "associate_chief_pharmacist": translate("Labels", "Associate chief pharmacist"),
        "chief_pharmacist": translate("Labels", "Chief pharmacist"),
    }
    return labels.get(code or "", code or "—")


def decision_label(code: str | None) -> str:
    if code == "approved":
        return translate("Labels", "Approved")
    if code == "rejected":
        return translate("Labels", "Rejected")
    return code or "—"


def spot_check_label(code: str | None) -> str:
    if code == "correct":
        return translate("Labels", "Correct")
    if code == "error":
        return translate("Labels", "Approved in error")
    return translate("Labels", "Not checked")


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    total = round(seconds)
    minutes, secs = divmod(total, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return (translate("Labels", "%1 h %2 min").replace("%1", str(hours))
                .replace("%2", str(minutes)))
    if minutes:
        return (translate("Labels", "%1 min %2 s").replace("%1", str(minutes))
                .replace("%2", str(secs)))
    return translate("Labels", "%1 s").replace("%1", str(secs))


def percent_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"
