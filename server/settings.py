"""Server settings: read once from the environment and an optional TOML file, checked at start.

Environment variables win over the TOML file (`RXP_CONFIG=/etc/rxp/server.toml`). Outside the demo
and test environments the server refuses to start with missing or default secrets.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

Environment = Literal["production", "staging", "demo", "test"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    environment: Environment = Field("production", alias="RXP_ENV")
    # The server's own role: may read/write business tables, may only INSERT into the audit log.
    # With a standby to fail over to, one libpq multi-host URL names every node and libpq keeps
    # the writable one: `...@/rxp?host=db1,db2&port=5432,5432&target_session_attrs=read-write`
    # (after a failover new connections reach the promoted node; the first connection found
    # dead empties the pool, server/core/db.py).
    database_url: str = Field(..., alias="DATABASE_URL")
    # Read-only streaming replicas for statistics, tracking and search; comma separated.
    database_replica_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list, alias="DATABASE_REPLICA_URLS")
    # The schema owner, used by migrations only (falls back to database_url).
    database_migration_url: str | None = Field(None, alias="DATABASE_MIGRATION_URL")
    db_pool_size: int = Field(10, alias="RXP_DB_POOL_SIZE")

    # Folder outside the database with the data keys, the token key and the audit signing key.
    key_dir: Path = Field(..., alias="RXP_KEY_DIR")
    # Folder outside the database where signed checkpoints of the audit chain are written.
    audit_checkpoint_dir: Path = Field(..., alias="RXP_AUDIT_CHECKPOINT_DIR")
    audit_checkpoint_every: int = Field(500, alias="RXP_AUDIT_CHECKPOINT_EVERY")

    access_token_minutes: int = Field(15, alias="RXP_ACCESS_TOKEN_MINUTES")
    refresh_token_hours: int = Field(12, alias="RXP_REFRESH_TOKEN_HOURS")
    idle_timeout_minutes: int = Field(30, alias="RXP_IDLE_TIMEOUT_MINUTES")
    max_failed_logins: int = Field(5, alias="RXP_MAX_FAILED_LOGINS")
    lockout_minutes: int = Field(15, alias="RXP_LOCKOUT_MINUTES")
    password_min_length: int = Field(10, alias="RXP_PASSWORD_MIN_LENGTH")
    totp_issuer: str = Field("处方流转平台", alias="RXP_TOTP_ISSUER")

    field_cipher: Literal["aes-256-gcm", "sm4-gcm"] = Field("aes-256-gcm", alias="RXP_FIELD_CIPHER")
    replica_retry_seconds: float = Field(5.0, alias="RXP_REPLICA_RETRY_SECONDS")
    # `http(s)://...` of the hospital's rational-drug-use system, or `sim://` for the simulator.
    rational_use_url: str = Field("sim://", alias="RXP_RATIONAL_USE_URL")
    rational_use_timeout: float = Field(3.0, alias="RXP_RATIONAL_USE_TIMEOUT")
    # The courier's API (`sim://` for the simulated carrier) and the secret its pushed tracking
    # events are signed with (HMAC-SHA256); empty: derived from the token key (demo, tests).
    carrier_url: str = Field("sim://", alias="RXP_CARRIER_URL")
    carrier_webhook_secret: str = Field("", alias="RXP_CARRIER_WEBHOOK_SECRET")
    # The payment gateway: `sim://` for the sandbox gateway that ships in the product
    # (`sim://?retry_delays=1,2,5` sets its callback back-off, seconds).
    payment_gateway_url: str = Field("sim://", alias="RXP_PAYMENT_GATEWAY_URL")
    # How long a payment QR code can be paid (minutes).
    payment_expiry_minutes: int = Field(15, ge=1, le=1440, alias="RXP_PAYMENT_EXPIRY_MINUTES")
    # Where outside systems reach this server (the gateway's callbacks go to
    # {public_base_url}/payments/notify/{gateway}).
    public_base_url: str = Field("http://127.0.0.1:8000", alias="RXP_PUBLIC_BASE_URL")

    # The insurance e-prescription centre (医保电子处方中心, server/insurance): empty, not
    # connected (payments are all cash, as before); `sim://` the simulator in this process;
    # `http(s)://host/epc` a centre, with the application's credentials in a JSON file.
    insurance_url: str = Field("", alias="RXP_INSURANCE_URL")
    insurance_credentials: Path | None = Field(None, alias="RXP_INSURANCE_CREDENTIALS")
    insurance_timeout: float = Field(5.0, alias="RXP_INSURANCE_TIMEOUT")

    # Patient notifications: `sim://` (the simulator; `?log=/path/sms.log`, `?fail=1`) or the
    # `http(s)://` endpoint of an SMS gateway (server/notifications/gateway.py).
    sms_gateway_url: str = Field("sim://", alias="RXP_SMS_GATEWAY_URL")
    sms_gateway_timeout: float = Field(5.0, alias="RXP_SMS_GATEWAY_TIMEOUT")
    # Whether this process runs the delivery loop (an API-only process may leave it to others).
    notification_delivery: bool = Field(True, alias="RXP_NOTIFICATION_DELIVERY")
    notification_poll_seconds: float = Field(1.0, alias="RXP_NOTIFICATION_POLL_SECONDS")
    notification_max_attempts: int = Field(6, alias="RXP_NOTIFICATION_MAX_ATTEMPTS")
    # First retry after this many seconds, doubling on every further failure.
    notification_retry_seconds: float = Field(15.0, alias="RXP_NOTIFICATION_RETRY_SECONDS")

    # The outbox of messages to outside systems (server/outbox): whether this process runs the
    # relay (off when `python -m server.outbox` runs it as a service of its own), how often it
    # looks without a NOTIFY, how many it claims at once, and the retry policy: first retry
    # after `outbox_retry_seconds`, doubling, dead letter after `outbox_max_attempts`.
    outbox_relay: bool = Field(True, alias="RXP_OUTBOX_RELAY")
    outbox_poll_seconds: float = Field(1.0, alias="RXP_OUTBOX_POLL_SECONDS")
    outbox_batch: int = Field(50, ge=1, le=1000, alias="RXP_OUTBOX_BATCH")
    outbox_max_attempts: int = Field(8, ge=1, alias="RXP_OUTBOX_MAX_ATTEMPTS")
    outbox_retry_seconds: float = Field(5.0, gt=0, alias="RXP_OUTBOX_RETRY_SECONDS")
    outbox_delivery_timeout: float = Field(10.0, gt=0, alias="RXP_OUTBOX_DELIVERY_TIMEOUT")

    # HL7 v2 over MLLP (server/hl7): where `python -m server.hl7` listens for the HIS, how long
    # a started frame may take and an idle connection may stay, the largest frame taken, and
    # where each HIS receives our messages (`his-h1=10.0.0.5:2576,his-h2=...`, by client id).
    hl7_host: str = Field("127.0.0.1", alias="RXP_HL7_HOST")
    hl7_port: int = Field(2575, ge=0, le=65535, alias="RXP_HL7_PORT")
    hl7_frame_timeout: float = Field(10.0, gt=0, alias="RXP_HL7_FRAME_TIMEOUT")
    hl7_idle_timeout: float = Field(300.0, gt=0, alias="RXP_HL7_IDLE_TIMEOUT")
    hl7_max_frame_bytes: int = Field(1_000_000, ge=1024, alias="RXP_HL7_MAX_FRAME_BYTES")
    hl7_his_addresses: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict, alias="RXP_HL7_HIS_ADDRESSES")

    # Patient access (server/patient_access): how long a proof of identity lasts, SMS codes.
    patient_token_minutes: int = Field(15, alias="RXP_PATIENT_TOKEN_MINUTES")
    patient_sms_code_minutes: int = Field(5, alias="RXP_PATIENT_SMS_CODE_MINUTES")
    patient_sms_resend_seconds: int = Field(60, alias="RXP_PATIENT_SMS_RESEND_SECONDS")
    patient_sms_per_hour: int = Field(5, alias="RXP_PATIENT_SMS_PER_HOUR")
    patient_sms_per_ip_per_hour: int = Field(20, alias="RXP_PATIENT_SMS_PER_IP_PER_HOUR")
    patient_sms_max_attempts: int = Field(5, alias="RXP_PATIENT_SMS_MAX_ATTEMPTS")

    # Operations (server/metrics, installers/inspect.py). `/metrics` answers a request bearing
    # this token; without one it answers loopback callers only (a local Prometheus or agent).
    metrics_token: str = Field("", alias="RXP_METRICS_TOKEN")
    # The API's TLS server certificate (PEM) whose expiry the daily inspection watches.
    tls_cert_file: Path | None = Field(None, alias="RXP_TLS_CERT_FILE")
    # Where installers/deploy/postgres/rxp-backup writes its verified base backups.
    backup_dir: Path | None = Field(None, alias="RXP_BACKUP_DIR")
    # Further folders whose file systems the inspection watches (the PostgreSQL data folder).
    disk_paths: Annotated[list[Path], NoDecode] = Field(default_factory=list,
                                                         alias="RXP_DISK_PATHS")
    # How often the incident clocks are checked for escalation (seconds).
    incident_check_seconds: float = Field(30.0, alias="RXP_INCIDENT_CHECK_SECONDS")

    # Retention of working rows (server/ops/retention.py): stored idempotent answers and live
    # events are kept this many days; the job runs every `retention_check_seconds`.
    idempotency_retention_days: int = Field(30, ge=1, alias="RXP_IDEMPOTENCY_RETENTION_DAYS")
    live_event_retention_days: int = Field(7, ge=1, alias="RXP_LIVE_EVENT_RETENTION_DAYS")
    retention_check_seconds: float = Field(3600.0, gt=0, alias="RXP_RETENTION_CHECK_SECONDS")
    # On-call phones (comma separated) texted when an incident clock is about to run out or ran
    # out, through the SMS gateway above.
    incident_oncall_phones: Annotated[list[str], NoDecode] = Field(
        default_factory=list, alias="RXP_INCIDENT_ONCALL_PHONES")

    @field_validator("database_replica_urls", mode="before")
    @classmethod
    def _split_urls(cls, value: object) -> object:
        if isinstance(value, str):
            # A comma starts the next URL only before a scheme: a multi-host URL's own commas
            # (`?host=db1,db2&port=5432,5432&target_session_attrs=prefer-standby`) stay in it.
            return [u.strip() for u in re.split(r",(?=\s*[a-z][a-z0-9+.-]*://)", value)
                    if u.strip()]
        return value

    @field_validator("disk_paths", "incident_oncall_phones", mode="before")
    @classmethod
    def _split_paths(cls, value: object) -> object:
        if isinstance(value, str):
            return [p.strip() for p in value.split(",") if p.strip()]
        return value

    @field_validator("hl7_his_addresses", mode="before")
    @classmethod
    def _split_addresses(cls, value: object) -> object:
        if isinstance(value, str):
            pairs = [p.strip() for p in value.split(",") if p.strip()]
            if any("=" not in p for p in pairs):
                raise ValueError("RXP_HL7_HIS_ADDRESSES 应为 客户端=主机:端口，以逗号分隔")
            return {k.strip(): v.strip() for k, v in (p.split("=", 1) for p in pairs)}
        return value

    @model_validator(mode="after")
    def _fail_fast(self) -> Settings:
        if self.environment in ("demo", "test"):
            return self
        problems = []
        if not self.key_dir.is_dir():
            problems.append(f"RXP_KEY_DIR {self.key_dir} does not exist")
        if "change-me" in self.database_url or ":rxp@" in self.database_url:
            problems.append("DATABASE_URL carries a default password")
        if problems:
            raise ValueError("unsafe configuration: " + "; ".join(problems))
        return self

    @property
    def migration_url(self) -> str:
        return self.database_migration_url or self.database_url

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("RXP_CONFIG")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)
