"""Request and response bodies of the patients API.

Pydantic checks types and sane lengths only. The rules that need the clock or give a Chinese
message naming the field (ID number, mobile number, card numbers) are in the service, which
also uses them for search.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Upper bounds against absurd input; the real checks are in service.py.
NAME_MAX = 50
IDENTIFIER_MAX = 64
ADDRESS_MAX = 200

PatientView = Literal["masked", "full"]


class PatientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    org_id: uuid.UUID | None = Field(None, description="登记机构；默认为操作者所在机构")
    name: str = Field(min_length=1, max_length=NAME_MAX, description="姓名")
    id_number: str = Field(min_length=1, max_length=IDENTIFIER_MAX, description="居民身份证号码")
    phone: str | None = Field(None, min_length=1, max_length=IDENTIFIER_MAX, description="手机号码")
    address: str | None = Field(None, min_length=1, max_length=ADDRESS_MAX, description="住址")
    insurance_card: str | None = Field(None, min_length=1, max_length=IDENTIFIER_MAX,
                                       description="医保卡号")
    hospital_card: str | None = Field(None, min_length=1, max_length=IDENTIFIER_MAX,
                                      description="就诊卡号")
    weight_kg: Decimal | None = Field(None, gt=0, le=500, decimal_places=1,
                                      description="体重（千克）")
    pregnant: bool = Field(False, description="妊娠期")
    lactating: bool = Field(False, description="哺乳期")


# Fields a PATCH may set but never clear: the name column is NOT NULL, sex and birth date are
# derived from the ID number, and the flags are booleans.
_NOT_CLEARABLE = ("name", "id_number", "pregnant", "lactating")


class PatientUpdate(BaseModel):
    """Only the fields sent are changed; null clears an optional field."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    version: int = Field(ge=1, description="读取时的版本号（乐观锁）")
    name: str | None = Field(None, min_length=1, max_length=NAME_MAX)
    id_number: str | None = Field(None, min_length=1, max_length=IDENTIFIER_MAX)
    phone: str | None = Field(None, min_length=1, max_length=IDENTIFIER_MAX)
    address: str | None = Field(None, min_length=1, max_length=ADDRESS_MAX)
    insurance_card: str | None = Field(None, min_length=1, max_length=IDENTIFIER_MAX)
    hospital_card: str | None = Field(None, min_length=1, max_length=IDENTIFIER_MAX)
    weight_kg: Decimal | None = Field(None, gt=0, le=500, decimal_places=1)
    pregnant: bool | None = None
    lactating: bool | None = None

    @field_validator(*_NOT_CLEARABLE)
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("不能为空")
        return value


class PatientOut(BaseModel):
    """A patient as shown to the caller: masked per role (`view` = "masked") or in full."""

    id: uuid.UUID
    version: int
    org_id: uuid.UUID
    view: PatientView
    name: str
    id_number: str | None
    phone: str | None
    address: str | None
    insurance_card: str | None
    hospital_card: str | None
    sex: str | None
    # Withheld (null) from roles that do not need it: it is the part of the ID number that
    # masking hides. `age` is always given, for dose checks.
    birth_date: date | None
    age: int | None
    weight_kg: Decimal | None
    pregnant: bool
    lactating: bool
    created_at: datetime
    updated_at: datetime


class PatientPage(BaseModel):
    items: list[PatientOut]
    total: int
    limit: int
    offset: int
