"""The fixed part of access control: what each role may do, and separation of duties."""

from __future__ import annotations

import pytest

from server.access.roles import (
    SEPARATED_ROLES,
    Permission,
    Role,
    permissions_for,
    separation_of_duties_violation,
)

P = Permission


class TestSeparationOfDuties:
    @pytest.mark.parametrize("roles", [["system_admin", "auditor"], ["security_admin", "auditor"],
                                       ["system_admin", "security_admin"]])
    def test_two_separated_roles_violate(self, roles):
        assert separation_of_duties_violation(roles)

    @pytest.mark.parametrize("roles", [["auditor"], ["system_admin", "doctor"],
                                       ["hospital_admin", "security_admin"], []])
    def test_one_separated_role_is_fine(self, roles):
        assert not separation_of_duties_violation(roles)


class TestPermissions:
    def test_the_three_administrators_share_no_duty(self):
        """三权分立: accounts, security and audit belong to three different roles."""
        system, security, audit = (permissions_for([r]) for r in (
            Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR))
        assert P.USER_MANAGE in system and P.USER_MANAGE not in security | audit
        assert P.USER_FREEZE in security and P.USER_FREEZE not in system | audit
        assert P.AUDIT_READ in audit and P.AUDIT_READ not in system | security
        assert P.AUDIT_VERIFY not in system | security

    def test_only_the_auditor_reads_the_audit_log(self):
        readers = {r for r in Role if P.AUDIT_READ in permissions_for([r])}
        assert readers == {Role.AUDITOR}

    def test_pharmacy_staff_cannot_touch_accounts_or_patients(self):
        granted = permissions_for([Role.PHARMACY_STAFF])
        assert not {P.USER_READ, P.USER_MANAGE, P.PATIENT_READ, P.PATIENT_READ_FULL} & granted

    def test_auditor_sees_personal_data_masked_only(self):
        assert P.PATIENT_READ_FULL not in permissions_for([Role.AUDITOR])

    def test_permissions_add_up_over_roles(self):
        both = permissions_for(["doctor", "hospital_admin"])
        assert both == permissions_for(["doctor"]) | permissions_for(["hospital_admin"])

    def test_unknown_role_is_an_error_not_silence(self):
        with pytest.raises(ValueError):
            permissions_for(["superuser"])

    def test_separated_roles_are_the_three_administrators(self):
        assert SEPARATED_ROLES == {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR}
