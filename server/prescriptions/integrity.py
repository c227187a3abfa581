"""What a signed prescription is: the document the doctor signs, and the check every later
reader (review, dispensing, the trace) makes that the stored content still is that document."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from server.core.context import RequestContext
from server.core.errors import Unprocessable
from server.prescriptions import repository
from server.prescriptions.models import Prescription, PrescriptionLine
from server.signatures.service import VerifiedSignature, verify_document


def _decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def signing_document(rx: Prescription, lines: Sequence[PrescriptionLine],
                     revision: int) -> dict[str, Any]:
    """Exactly what the doctor signs: the content, not its status. Built from stored values
    only, so the server rebuilds the same bytes whenever it verifies."""
    return {
        "type": "rxp.prescription/1",
        "number": rx.number, "revision": revision, "patient_id": str(rx.patient_id),
        "org_id": str(rx.org_id), "department_id": str(rx.department_id),
        "doctor_id": str(rx.doctor_id), "visit_type": rx.visit_type,
        "diagnoses": [{"code": d["code"], "name": d["name"]} for d in rx.diagnoses],
        "validity_days": rx.validity_days, "notes": rx.notes or "",
        "extended_supply_reason": rx.extended_supply_reason or "",
        "lines": [{
            "line_no": line.line_no, "product_id": str(line.product_id),
            "generic_name": line.generic_name, "specification": line.specification,
            "dose": _decimal_text(line.dose), "dose_unit": line.dose_unit, "route": line.route,
            "frequency": line.frequency, "days": line.days, "quantity": line.quantity,
            "unit": line.unit, "instructions": line.instructions or "",
            "skin_test": line.skin_test,
        } for line in lines],
    }


async def verify_integrity(ctx: RequestContext, rx: Prescription,
                           lines: Sequence[PrescriptionLine] | None = None) -> VerifiedSignature:
    """The stored content still is what the doctor signed (SignatureInvalid if not)."""
    if rx.signature is None or rx.signature_algorithm is None:
        raise Unprocessable("处方尚未签名")
    lines = lines if lines is not None else await repository.lines(ctx.session, rx.id)
    return await verify_document(
        ctx.session, user_id=rx.doctor_id, document=signing_document(rx, lines, rx.revision),
        signature=rx.signature, algorithm=rx.signature_algorithm, at=rx.signed_at)
