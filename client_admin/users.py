"""The user form's rules before anything is sent: required fields, the attributes a role
needs (a doctor's title, a pharmacist's level), and separation of duties (三权分立: no
account holds two of the system, security and audit administrator roles). The server checks
all of this again; checking here lets the form name the field at once.

Problems are codes (`Problem`); the Qt layer words them in the user's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

ROLES = ("doctor", "pharmacist", "pharmacy_staff", "hospital_admin", "system_admin",
         "security_admin", "auditor")
SEPARATED_ROLES = frozenset({"system_admin", "security_admin", "auditor"})
TITLES = ("assistant_physician", "resident", "attending", "associate_chief", "chief")
LEVELS = ("pharmacist_assistant", "pharmacist", "supervising_pharmacist",
          "associate_chief_pharmacist", "chief_pharmacist")
_USERNAME = re.compile(r"[A-Za-z0-9_.\-]{3,64}")


class Problem(StrEnum):
    REQUIRED = "required"
    USERNAME_FORMAT = "username_format"
    NO_ROLE = "no_role"
    SEPARATION_OF_DUTIES = "separation_of_duties"
    TITLE_REQUIRED = "title_required"
    LEVEL_REQUIRED = "level_required"


@dataclass
class UserForm:
    """What the user dialog holds; `version` is set when editing an existing user."""

    org_id: str | None = None
    department_id: str | None = None
    username: str = ""
    display_name: str = ""
    roles: list[str] = field(default_factory=list)
    professional_title: str | None = None
    pharmacist_level: str | None = None
    password: str = ""
    version: int | None = None

    @property
    def creating(self) -> bool:
        return self.version is None

    @classmethod
    def of_user(cls, user: dict[str, Any]) -> UserForm:
        return cls(org_id=str(user["org_id"]), department_id=user.get("department_id"),
                   username=user["username"], display_name=user["display_name"],
                   roles=list(user["roles"]), professional_title=user.get("professional_title"),
                   pharmacist_level=user.get("pharmacist_level"), version=user["version"])


def separated_roles_held(roles: list[str]) -> list[str]:
    """The separated administrator roles among `roles`, when there are two or more."""
    held = [r for r in ROLES if r in roles and r in SEPARATED_ROLES]
    return held if len(held) > 1 else []


def problems(form: UserForm) -> dict[str, Problem]:
    """Field name -> what is wrong with it; empty when the form may be sent."""
    found: dict[str, Problem] = {}
    if form.creating:
        if not form.org_id:
            found["org_id"] = Problem.REQUIRED
        if not form.username.strip():
            found["username"] = Problem.REQUIRED
        elif not _USERNAME.fullmatch(form.username.strip()):
            found["username"] = Problem.USERNAME_FORMAT
        if not form.password:
            found["password"] = Problem.REQUIRED
    if not form.display_name.strip():
        found["display_name"] = Problem.REQUIRED
    if not form.roles:
        found["roles"] = Problem.NO_ROLE
    elif separated_roles_held(form.roles):
        found["roles"] = Problem.SEPARATION_OF_DUTIES
    if "doctor" in form.roles and not form.professional_title:
        found["professional_title"] = Problem.TITLE_REQUIRED
    if "pharmacist" in form.roles and not form.pharmacist_level:
        found["pharmacist_level"] = Problem.LEVEL_REQUIRED
    return found


def create_body(form: UserForm) -> dict[str, Any]:
    return {"org_id": form.org_id, "department_id": form.department_id or None,
            "username": form.username.strip(), "display_name": form.display_name.strip(),
            "roles": form.roles, "password": form.password,
            "professional_title": form.professional_title if "doctor" in form.roles else None,
            "pharmacist_level": form.pharmacist_level if "pharmacist" in form.roles else None}


def update_body(form: UserForm, original: dict[str, Any]) -> dict[str, Any]:
    """Only what changed, with the version read (the server refuses a stale one)."""
    assert form.version is not None
    body: dict[str, Any] = {"version": form.version}
    wanted = {"display_name": form.display_name.strip(), "department_id": form.department_id,
              "roles": form.roles, "professional_title": form.professional_title,
              "pharmacist_level": form.pharmacist_level}
    for name, value in wanted.items():
        if value != original.get(name) and not (value is None and name != "department_id"):
            body[name] = value
    return body
