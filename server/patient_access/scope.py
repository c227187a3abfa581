"""Which prescriptions a verified patient may see: the one place the rest of the server asks.

A patient who proved their identity (card, ID number + SMS code) sees all of their own
prescriptions; one who only holds a prescription slip sees that prescription and nothing else.

Row-level security cannot say this on its own: it scopes by organisation, and the patient's
principal carries the organisations that issued their prescriptions (so other organisations'
rows are out of reach whatever a query forgets), but those organisations hold other patients'
prescriptions too. Every patient-facing query therefore filters with `PatientScope` as well.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, true

from server.access.roles import Permission
from server.core.context import Principal
from server.core.errors import NotPermitted
from server.prescriptions.models import Prescription


@dataclass(frozen=True)
class PatientScope:
    patient_id: uuid.UUID
    # None: every prescription of the patient; else only these.
    prescription_ids: frozenset[uuid.UUID] | None

    def allows(self, prescription: Prescription) -> bool:
        return self.allows_ids(prescription.patient_id, prescription.id)

    def allows_ids(self, patient_id: uuid.UUID, prescription_id: uuid.UUID) -> bool:
        return patient_id == self.patient_id and (
            self.prescription_ids is None or prescription_id in self.prescription_ids)

    def prescription_filter(self) -> ColumnElement[bool]:
        """A WHERE clause on `Prescription` selecting exactly what the patient may see."""
        return and_(Prescription.patient_id == self.patient_id,
                    true() if self.prescription_ids is None
                    else Prescription.id.in_(sorted(self.prescription_ids)))


def patient_scope(principal: Principal) -> PatientScope:
    """The scope of a patient principal; 403 for anybody else (staff see prescriptions through
    their own rules, never through this)."""
    if principal.kind != "patient" or not principal.can(Permission.PATIENT_SELF):
        raise NotPermitted("仅限已验证身份的患者本人使用")
    given = principal.attributes.get("prescription_ids")
    return PatientScope(
        patient_id=principal.id,
        prescription_ids=None if given is None else frozenset(uuid.UUID(str(p)) for p in given))
