"""Who sees which patient field in clear on the everyday (masked) views; decided here only.

Masking happens on the server, before data leaves it (DOMAIN.md section 9). The full, unmasked
record is another endpoint, behind its own permission and audited; this policy is only about the
masked view.
"""

from __future__ import annotations

from collections.abc import Callable

from server.access.roles import Role
from server.core.context import Principal
from server.patients.identity import SEALED_FIELDS, PatientIdentity
from server.personal_data.masking import (
    mask_address,
    mask_card_number,
    mask_id_number,
    mask_name,
    mask_phone,
)

BIRTH_DATE = "birth_date"

MASKS: dict[str, Callable[[str | None], str | None]] = {
    "name": mask_name,
    "id_number": mask_id_number,
    "phone": mask_phone,
    "address": mask_address,
    "insurance_card": mask_card_number,
    "hospital_card": mask_card_number,
}

# What each role sees in clear on the masked view; every other field is masked.
# A doctor must identify the patient in front of them, hence the name. Doctors and pharmacists
# check doses against age and birth date; for everybody else the birth date is withheld because
# it is the very part of the ID number that masking hides (110***********123X).
CLEAR_FOR_ROLE: dict[str, frozenset[str]] = {
    Role.DOCTOR: frozenset({"name", BIRTH_DATE}),
    Role.PHARMACIST: frozenset({BIRTH_DATE}),
}


def clear_fields(principal: Principal) -> frozenset[str]:
    """The fields ``principal`` sees in clear on the masked view (union over their roles)."""
    shown: set[str] = set()
    for role in principal.roles:
        # Integration clients carry roles like "client:his"; they match no entry and see
        # everything masked.
        shown |= CLEAR_FOR_ROLE.get(role, frozenset())
    return frozenset(shown)


def masked_identity(identity: PatientIdentity, principal: Principal) -> dict[str, str | None]:
    """The identifying fields of ``identity`` as ``principal`` may see them on the masked view.

    Iterates over SEALED_FIELDS, so a field added there without a mask here fails loudly
    (KeyError) instead of being shown in clear.
    """
    shown = clear_fields(principal)
    values: dict[str, str | None] = {}
    for field in SEALED_FIELDS:
        value = getattr(identity, field)
        values[field] = value if field in shown else MASKS[field](value)
    return values


def name_for(name: str, principal: Principal) -> str:
    """The patient's name as ``principal`` may see it on a list."""
    return name if "name" in clear_fields(principal) else mask_name(name)


def shows_birth_date(principal: Principal) -> bool:
    return BIRTH_DATE in clear_fields(principal)
