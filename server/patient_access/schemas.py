"""Request and response bodies of patient access."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class CardAccessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    card_type: Literal["insurance", "hospital"] = Field(
        description="医保卡 insurance / 就诊卡 hospital")
    card_number: str = Field(min_length=1, max_length=64, description="卡号（读卡器读出）")


class SmsCodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_number: str = Field(min_length=1, max_length=64, description="居民身份证号码")


class SmsCodeOut(BaseModel):
    phone: str = Field(description="接收验证码的手机号码（脱敏）")
    expires_in: int = Field(description="验证码有效期（秒）")
    resend_after: int = Field(description="多少秒后可重新获取")


class SmsLoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_number: str = Field(min_length=1, max_length=64, description="居民身份证号码")
    code: str = Field(min_length=1, max_length=10, description="短信验证码（6位）")


class SlipAccessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=64,
                      description="处方单上的取药码，或扫描其二维码得到的内容（RXP1:…）")


class PatientTokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int
    method: Literal["card", "sms", "slip"]
    patient_name: str = Field(description="患者姓名（脱敏）")
    prescription_ids: list[uuid.UUID] | None = Field(
        description="凭取药码验证时为该张处方；凭卡或短信验证时为 null（本人全部处方）")


class PatientMeOut(BaseModel):
    patient_id: uuid.UUID
    name: str
    id_number: str | None
    phone: str | None
    method: Literal["card", "sms", "slip"]
    prescription_ids: list[uuid.UUID] | None
    expires_at: datetime


class SlipCodeOut(BaseModel):
    prescription_id: uuid.UUID
    number: str = Field(description="处方编号")
    code: str = Field(description="取药码（10位，一次有效）")
    qr_payload: str = Field(description="二维码内容")
    expires_at: datetime = Field(description="失效时间（处方有效期截止）")
