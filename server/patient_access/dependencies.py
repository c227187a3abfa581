"""The dependency patient routes declare: `CurrentPatient`, a verified patient's principal
(403 for staff and clients). What it may see: `patient_access.scope.patient_scope`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from server.core.context import Principal
from server.identity.dependencies import AnyPrincipal
from server.patient_access.scope import patient_scope


async def current_patient(principal: AnyPrincipal) -> Principal:
    patient_scope(principal)  # refuses anyone but a verified patient
    return principal


CurrentPatient = Annotated[Principal, Depends(current_patient)]
