"""Request and response bodies of the knowledge API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class KnowledgeUpload(BaseModel):
    """A whole knowledge set: the CSV text of every file (see server/knowledge/data/README.md).

    JSON rather than multipart keeps one request format for the API; an admin app reads the
    files and sends their text."""

    model_config = ConfigDict(extra="forbid")
    description: str = Field(min_length=1, max_length=500, description="版本说明")
    files: dict[str, str] = Field(
        description="文件名（如 interaction_pair.csv）或类别 -> CSV 文本", max_length=20)
    activate: bool = Field(False, description="导入后立即启用")


class KnowledgeSetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    version: int
    description: str
    loaded_by: str
    loaded_at: datetime
    active: bool
    activated_by: str | None
    activated_at: datetime | None
    counts: dict[str, Any] = Field(description="各类规则条数")


class KnowledgeSetPage(BaseModel):
    items: list[KnowledgeSetOut]
    total: int


class AllergyClassOut(BaseModel):
    code: str
    label: str


class AllergyClassList(BaseModel):
    knowledge_version: int | None
    items: list[AllergyClassOut]


class KnowledgeRulesOut(BaseModel):
    """The rules of one kind of a set, as the cells of its CSV file."""

    set_id: uuid.UUID
    version: int
    active: bool
    kind: str
    label: str
    columns: list[str]
    rows: list[dict[str, str]]


class KindImport(BaseModel):
    """One kind's CSV file; the next version keeps the active set's other kinds."""

    model_config = ConfigDict(extra="forbid")
    description: str = Field(min_length=1, max_length=500, description="版本说明")
    csv: str = Field(max_length=10_000_000, description="该类别的 CSV 文本（含表头）")
    activate: bool = Field(False, description="导入后立即启用")
