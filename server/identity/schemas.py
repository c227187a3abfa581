"""Request and response bodies of the identity API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from server.access.roles import PharmacistLevel, ProfessionalTitle, Role


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64, description="用户名")
    password: str = Field(min_length=1, max_length=256, description="密码")
    totp_code: str | None = Field(None, max_length=10, description="动态验证码（6位）")


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: str = Field(min_length=10, max_length=200)


class ClientTokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grant_type: str = Field("client_credentials", pattern="^client_credentials$")
    client_id: str = Field(min_length=1, max_length=64)
    client_secret: str = Field(min_length=1, max_length=256)


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str | None = None
    token_type: str = "bearer"  # noqa: S105
    expires_in: int


class LaunchTokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64, description="在 HIS 前操作的医生的用户名")
    patient_id: uuid.UUID = Field(description="HIS 当前打开的患者")


class LaunchTokenOut(BaseModel):
    launch_token: str = Field(description="一次性启动令牌，2 分钟内有效")
    launch_url: str = Field(description="HIS 打开的地址：rxp-doctor://launch?token=…")
    expires_at: datetime
    expires_in: int


class LaunchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    launch_token: str = Field(min_length=10, max_length=200)


class LaunchResponse(TokenResponse):
    username: str = Field(description="启动的用户")
    patient_id: uuid.UUID = Field(description="要打开的患者")


class MeResponse(BaseModel):
    kind: str
    id: uuid.UUID
    name: str
    roles: list[str]
    permissions: list[str]
    org_id: uuid.UUID | None
    department_id: uuid.UUID | None


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    version: int
    org_id: uuid.UUID
    department_id: uuid.UUID | None
    username: str
    display_name: str
    roles: list[str]
    professional_title: str | None
    pharmacist_level: str | None
    status: str
    frozen_reason: str | None
    locked_until: datetime | None
    created_at: datetime


class UserPage(BaseModel):
    items: list[UserOut]
    total: int


def _check_role_attributes(roles: list[Role], title: ProfessionalTitle | None,
                           level: PharmacistLevel | None) -> None:
    if Role.DOCTOR in roles and title is None:
        raise ValueError("医生须填写职称（professional_title）")
    if Role.PHARMACIST in roles and level is None:
        raise ValueError("药师须填写药师等级（pharmacist_level）")


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    org_id: uuid.UUID = Field(description="所属机构")
    department_id: uuid.UUID | None = Field(None, description="科室")
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    display_name: str = Field(min_length=1, max_length=100)
    roles: list[Role] = Field(min_length=1)
    professional_title: ProfessionalTitle | None = None
    pharmacist_level: PharmacistLevel | None = None
    password: str = Field(min_length=1, max_length=256)

    @model_validator(mode="after")
    def _attributes(self) -> UserCreate:
        _check_role_attributes(self.roles, self.professional_title, self.pharmacist_level)
        return self


class UserCreated(BaseModel):
    user: UserOut
    # Shown once, to be enrolled in the user's authenticator app.
    totp_secret: str
    totp_uri: str


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, description="读取时的版本号（乐观锁）")
    display_name: str | None = Field(None, min_length=1, max_length=100)
    department_id: uuid.UUID | None = None
    roles: list[Role] | None = Field(None, min_length=1)
    professional_title: ProfessionalTitle | None = None
    pharmacist_level: PharmacistLevel | None = None


class FreezeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=2, max_length=300, description="冻结原因")


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class SecondFactorReset(BaseModel):
    totp_secret: str
    totp_uri: str
