"""Request and response bodies of the rights matrices API."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from server.access.roles import DrugClass, PharmacistLevel, ProfessionalTitle

MAX_CELLS = len(ProfessionalTitle) * len(DrugClass)


class PrescribingCell(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: ProfessionalTitle
    drug_class: DrugClass


class ReviewingCell(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    level: PharmacistLevel
    drug_class: DrugClass


class PrescribingMatrix(BaseModel):
    """Who in one department may prescribe what: each cell is a (title, drug class) granted."""

    department_id: uuid.UUID
    titles: list[str] = Field(description="行：职称")
    drug_classes: list[str] = Field(description="列：药品类别")
    cells: list[PrescribingCell]


class PrescribingUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cells: list[PrescribingCell] = Field(max_length=MAX_CELLS, description="修改后授予的全部格")
    previous: list[PrescribingCell] = Field(
        max_length=MAX_CELLS, description="读取时授予的全部格：与当前不同则为冲突（他人已修改）")


class ReviewingMatrix(BaseModel):
    """Which pharmacist level may review prescriptions holding which drug class."""

    levels: list[str]
    drug_classes: list[str]
    cells: list[ReviewingCell]


class ReviewingUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cells: list[ReviewingCell] = Field(max_length=len(PharmacistLevel) * len(DrugClass))
    previous: list[ReviewingCell] = Field(max_length=len(PharmacistLevel) * len(DrugClass))
