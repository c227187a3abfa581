"""The masking policy on its own: which role sees which field in clear."""

from __future__ import annotations

import uuid

import pytest

from server.access.roles import Role
from server.core.context import Principal
from server.patients.identity import SEALED_FIELDS, PatientIdentity
from server.patients.masking_policy import MASKS, clear_fields, masked_identity

IDENTITY = PatientIdentity(
    name="张伟", id_number="11010519491231002X", phone="13812345678",
    address="北京市朝阳区建国路88号", insurance_card="1101059900123", hospital_card="H10000123")


def principal(*roles: str) -> Principal:
    return Principal(kind="user", id=uuid.uuid4(), name="测试", roles=frozenset(roles))


class TestEveryFieldHasAMask:
    def test_sealed_fields_and_masks_match(self) -> None:
        assert set(MASKS) == set(SEALED_FIELDS)


class TestPerRole:
    def test_doctor_sees_only_the_name_in_clear(self) -> None:
        shown = masked_identity(IDENTITY, principal(Role.DOCTOR))
        assert shown == {
            "name": "张伟", "id_number": "110***********002X", "phone": "138****5678",
            "address": "北京市朝阳区****", "insurance_card": "11*******0123",
            "hospital_card": "H1***0123"}

    @pytest.mark.parametrize("roles", [
        (Role.PHARMACIST,), (Role.AUDITOR,), (Role.HOSPITAL_ADMIN,), ("client:his",), ()])
    def test_everybody_else_sees_everything_masked(self, roles: tuple[str, ...]) -> None:
        shown = masked_identity(IDENTITY, principal(*roles))
        assert all(shown[f] != getattr(IDENTITY, f) for f in SEALED_FIELDS)
        assert shown["name"] == "张*"

    def test_roles_add_up(self) -> None:
        assert clear_fields(principal(Role.PHARMACIST, Role.DOCTOR)) == {"name", "birth_date"}
        assert clear_fields(principal(Role.AUDITOR)) == frozenset()
