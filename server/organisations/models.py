"""Organisations of the medical group: the group, hospitals, departments, clinics, pharmacies.

A materialised `path` (ids from the root, '/'-separated) makes "this organisation and everything
under it" one indexed prefix query; it is how a user's visible scope is computed.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, Entity


class OrganisationKind(StrEnum):
    GROUP = "group"  # 医疗集团
    HOSPITAL = "hospital"  # 医院
    DEPARTMENT = "department"  # 科室
    CLINIC = "clinic"  # 基层医疗机构
    PHARMACY = "pharmacy"  # 零售药店


class OrganisationStatus(StrEnum):
    ACTIVE = "active"
    PENDING = "pending"  # a pharmacy that applied and is not yet approved (遴选)
    SUSPENDED = "suspended"
    REFUSED = "refused"  # a pharmacy's application that was not approved (final)


ORGANISATION_KIND_LABELS = {
    OrganisationKind.GROUP: "医疗集团",
    OrganisationKind.HOSPITAL: "医院",
    OrganisationKind.DEPARTMENT: "科室",
    OrganisationKind.CLINIC: "基层医疗机构",
    OrganisationKind.PHARMACY: "药店",
}


class Organisation(Entity, Base):
    __tablename__ = "organisation"

    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    path: Mapped[str] = mapped_column(String(2000), index=True)
    status: Mapped[str] = mapped_column(String(20), default=OrganisationStatus.ACTIVE)
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))
