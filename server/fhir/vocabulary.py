"""How the platform's statuses read in FHIR: MedicationRequest.status, Task.status with the
business status (as NHS EPS and the German E-Rezept carry the dispensing state on a Task), and
the PASS levels as DetectedIssue severities."""

from __future__ import annotations

from server.prescriptions.lifecycle import STATUS_LABELS, Status, patient_facing

S = Status

# MedicationRequest.status (http://hl7.org/fhir/CodeSystem/medicationrequest-status).
REQUEST_STATUS: dict[Status, str] = {
    S.DRAFT: "draft",
    **{s: "active" for s in (S.SUBMITTED, S.AUTO_CHECKED, S.UNDER_REVIEW, S.APPROVED,
                             S.AWAITING_PATIENT_CHOICE, S.ORDERED, S.ACCEPTED, S.DISPENSING,
                             S.PARTLY_DISPENSED, S.READY_FOR_PICKUP, S.DISPATCHED)},
    **{s: "completed" for s in (S.COLLECTED, S.DELIVERED, S.SETTLED)},
    S.REJECTED: "on-hold",  # back with the doctor, who revises and signs again
    S.VOIDED: "cancelled",
    S.EXPIRED: "stopped",
    S.NOT_DISPENSED: "stopped",
}

# Task.status (http://hl7.org/fhir/task-status), after the E-Rezept's use: `ready` once the
# prescription can be taken by a pharmacy, `in-progress` while a pharmacy works on it.
TASK_STATUS: dict[Status, str] = {
    S.DRAFT: "draft",
    **{s: "received" for s in (S.SUBMITTED, S.AUTO_CHECKED, S.UNDER_REVIEW)},
    S.REJECTED: "rejected",
    **{s: "ready" for s in (S.APPROVED, S.AWAITING_PATIENT_CHOICE)},
    S.ORDERED: "requested",  # locked to a pharmacy that has not accepted yet
    S.ACCEPTED: "accepted",
    **{s: "in-progress" for s in (S.DISPENSING, S.PARTLY_DISPENSED, S.READY_FOR_PICKUP,
                                  S.DISPATCHED)},
    **{s: "completed" for s in (S.COLLECTED, S.DELIVERED, S.SETTLED)},
    S.NOT_DISPENSED: "failed",
    S.VOIDED: "cancelled",
    S.EXPIRED: "cancelled",
}

# MedicationDispense.status of a dispensed package, by the prescription's status.
DISPENSE_STATUS: dict[Status, str] = {
    **{s: "in-progress" for s in (S.DISPENSING, S.PARTLY_DISPENSED, S.READY_FOR_PICKUP,
                                  S.DISPATCHED)},
    **{s: "completed" for s in (S.COLLECTED, S.DELIVERED, S.SETTLED)},
    S.NOT_DISPENSED: "stopped",
}


def statuses_for(mapping: dict[Status, str], codes: list[str]) -> set[str]:
    """The platform statuses that read as any of `codes`."""
    return {s.value for s, code in mapping.items() if code in codes}


def business_status(status: str, *, awaits_dispatch: bool = False) -> dict[str, object]:
    """Task.businessStatus: the platform's own status, and the patient-facing one where the
    NHS Prescription Status Update vocabulary has it (With Pharmacy, Ready to Collect, ...)."""
    from server.fhir import systems

    current = Status(status)
    coding: list[dict[str, str]] = [{"system": systems.PRESCRIPTION_STATUS, "code": current.value,
                                     "display": STATUS_LABELS[current]}]
    facing = patient_facing(current, awaits_dispatch=awaits_dispatch)
    if facing:
        coding.append({"system": systems.PATIENT_FACING_STATUS, "code": facing[1],
                       "display": facing[0]})
    return {"coding": coding, "text": STATUS_LABELS[current]}


# DetectedIssue.severity from the PASS level (DOMAIN.md section 4): black and red are high,
# orange moderate, yellow and blue low; not checked (negative) has no severity.
def issue_severity(level: int) -> str | None:
    if level in (3, 2):
        return "high"
    if level == 4:
        return "moderate"
    if level in (1, 0):
        return "low"
    return None
