"""Sealing and opening a patient's identifying fields (encryption + blind indexes).

The one place that knows which patient column is encrypted under which context, used by the
patients service, the demo seed and key rotation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.patients.models import Patient
from server.personal_data.cipher import FieldCipher

# field -> (encryption context, searchable by blind index)
SEALED_FIELDS: dict[str, tuple[str, bool]] = {
    "name": ("patient.name", True),
    "id_number": ("patient.id_number", True),
    "phone": ("patient.phone", True),
    "address": ("patient.address", False),
    "insurance_card": ("patient.insurance_card", True),
    "hospital_card": ("patient.hospital_card", True),
}


@dataclass(frozen=True)
class PatientIdentity:
    name: str
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None
    insurance_card: str | None = None
    hospital_card: str | None = None


def seal(cipher: FieldCipher, **values: str | None) -> dict[str, Any]:
    """Column values for the given clear fields (None clears the field)."""
    columns: dict[str, Any] = {}
    for field, value in values.items():
        context, searchable = SEALED_FIELDS[field]
        columns[f"{field}_enc"] = None if value is None else cipher.encrypt(value, context=context)
        if searchable:
            columns[f"{field}_bidx"] = (None if value is None
                                        else cipher.blind_index(value, context=context))
    return columns


def blind_index(cipher: FieldCipher, field: str, value: str) -> bytes:
    return cipher.blind_index(value, context=SEALED_FIELDS[field][0])


def open_identity(cipher: FieldCipher, patient: Patient) -> PatientIdentity:
    def clear(field: str) -> str | None:
        blob = getattr(patient, f"{field}_enc")
        return None if blob is None else cipher.decrypt(blob, context=SEALED_FIELDS[field][0])

    return PatientIdentity(**{field: clear(field) for field in SEALED_FIELDS})  # type: ignore[arg-type]


def open_name(cipher: FieldCipher, blob: bytes) -> str:
    """The name alone (a list of prescriptions names each patient, nothing more)."""
    return cipher.decrypt(blob, context=SEALED_FIELDS["name"][0])


def reseal(cipher: FieldCipher, patient: Patient) -> bool:
    """Re-encrypt every field under the active key; True if anything changed (key rotation)."""
    changed = False
    for field, (context, _) in SEALED_FIELDS.items():
        blob = getattr(patient, f"{field}_enc")
        if blob is not None and cipher.needs_reencryption(blob):
            setattr(patient, f"{field}_enc", cipher.reencrypt(blob, context=context))
            changed = True
    if changed:
        patient.key_version = cipher.keyring.active_version
    return changed
