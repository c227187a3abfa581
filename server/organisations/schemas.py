"""Request and response bodies of the organisations API."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from server.organisations.models import OrganisationKind


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    version: int
    kind: str
    code: str
    name: str
    parent_id: uuid.UUID | None
    status: str
    address: str | None
    phone: str | None


class OrganisationPage(BaseModel):
    items: list[OrganisationOut]
    total: int
    served_by: str = Field(description="primary 或只读副本名称")


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: OrganisationKind
    code: str = Field(min_length=2, max_length=40, pattern=r"^[A-Za-z0-9_\-]+$")
    name: str = Field(min_length=2, max_length=200)
    parent_id: uuid.UUID
    address: str | None = Field(None, max_length=300)
    phone: str | None = Field(None, max_length=40, pattern=r"^[0-9\-+ ]{5,40}$")
