"""Request and response bodies of the signing-certificate API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from common.signing import Algorithm


class CertificateRegister(BaseModel):
    model_config = ConfigDict(extra="forbid")
    algorithm: Algorithm = Field(description="sm2-sm3（国密，默认）或 ecdsa-p256-sha256")
    public_key: str = Field(
        min_length=60, max_length=16000,
        description="公钥：PEM（PUBLIC KEY）、X.509 证书 PEM，或十六进制（04||X||Y）")
    valid_from: AwareDatetime | None = Field(None, description="默认为登记时刻或证书起始时间")
    valid_until: AwareDatetime | None = Field(None, description="默认不设或取证书截止时间")


class CertificateRevoke(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=2, max_length=300, description="吊销原因")


class CertificateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    user_id: uuid.UUID
    algorithm: str
    public_key: str
    fingerprint: str
    serial_number: str | None
    registered_by: uuid.UUID
    registered_at: datetime
    valid_from: datetime
    valid_until: datetime | None
    status: str
    revoked_at: datetime | None
    revoked_by: uuid.UUID | None
    revoked_reason: str | None
