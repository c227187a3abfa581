"""Staff accounts, their login sessions and refresh tokens, and integration clients."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ARRAY, BigInteger, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, Entity


class UserStatus(StrEnum):
    ACTIVE = "active"
    FROZEN = "frozen"  # 冻结: every token stops working at once


class StaffUser(Entity, Base):
    __tablename__ = "staff_user"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    department_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(30)))
    professional_title: Mapped[str | None] = mapped_column(String(40))
    pharmacist_level: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default=UserStatus.ACTIVE)
    password_hash: Mapped[str] = mapped_column(String(200))
    password_changed_at: Mapped[datetime | None]
    # The TOTP secret, encrypted like personal data (it is a credential).
    totp_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The TOTP time step last used to log in: each code is accepted once.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    frozen_reason: Mapped[str | None] = mapped_column(String(300))


class AuthSession(Base):
    """One login: the family of refresh tokens it issued. Revoking it ends them all."""

    __tablename__ = "auth_session"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(100))
    ip: Mapped[str | None] = mapped_column(String(64))
    workstation: Mapped[str | None] = mapped_column(String(100))


class RefreshToken(Base):
    __tablename__ = "refresh_token"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("auth_session.id"), index=True)
    # SHA-256 of the token: the token itself is never stored.
    token_hash: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    issued_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class ClientKind(StrEnum):
    HIS = "his"
    REGIONAL = "regional"  # 区域慢病管理系统
    INSURANCE = "insurance"  # 医保平台
    RATIONAL_USE = "rational_use"  # 合理用药系统
    KIOSK = "kiosk"  # 自助机: identifies patients by card (server/patient_access)


class IntegrationClient(Entity, Base):
    """An outside system that authenticates with client credentials."""

    __tablename__ = "integration_client"

    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    secret_hash: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=UserStatus.ACTIVE)


class LaunchToken(Base):
    """A single-use ticket an HIS hands the doctor's app to start it logged in, on a patient
    (the SMART on FHIR EHR-launch idea): the HIS vouches for who sits at its screen."""

    __tablename__ = "launch_token"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # SHA-256 of the token: the token itself is never stored.
    token_hash: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("integration_client.id"))
    # The HIS's hospital: the token only ever starts a session of a user of that hospital.
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"))
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("auth_session.id"))
