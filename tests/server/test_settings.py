"""Settings: environment and TOML, and refusing unsafe production configuration."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from server.settings import Settings


class TestSources:
    def test_toml_file_is_read_and_environment_wins(self, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
        config = tmp_path / "server.toml"
        config.write_text(
            'RXP_ENV = "test"\n'
            'DATABASE_URL = "postgresql+psycopg://rxp_app:s3cret@db:5432/rxp"\n'
            f'RXP_KEY_DIR = "{tmp_path}"\n'
            f'RXP_AUDIT_CHECKPOINT_DIR = "{tmp_path / "ckpt"}"\n'
            "RXP_LOCKOUT_MINUTES = 30\n"
            'DATABASE_REPLICA_URLS = "postgresql+psycopg://a@r1/rxp,postgresql+psycopg://a@r2/rxp"\n'
        )
        monkeypatch.setenv("RXP_CONFIG", str(config))
        monkeypatch.setenv("RXP_MAX_FAILED_LOGINS", "7")
        settings = Settings()
        assert settings.lockout_minutes == 30
        assert settings.max_failed_logins == 7
        assert len(settings.database_replica_urls) == 2

    def test_multi_host_replica_urls_keep_their_commas(self, tmp_path: Path) -> None:
        standbys = ("postgresql+psycopg://a:p@/rxp?host=db1,db2&port=5432,5433"
                    "&target_session_attrs=prefer-standby")
        settings = Settings(RXP_ENV="test", DATABASE_URL="postgresql+psycopg://a:p@db/rxp",
                            RXP_KEY_DIR=tmp_path, RXP_AUDIT_CHECKPOINT_DIR=tmp_path,
                            DATABASE_REPLICA_URLS=f"{standbys}, postgresql+psycopg://a@r3/rxp")
        assert settings.database_replica_urls == [standbys, "postgresql+psycopg://a@r3/rxp"]


class TestFailFast:
    def test_production_without_key_folder_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(ValidationError, match="RXP_KEY_DIR"):
            Settings(RXP_ENV="production", DATABASE_URL="postgresql+psycopg://u:p@h/db",
                     RXP_KEY_DIR=tmp_path / "missing", RXP_AUDIT_CHECKPOINT_DIR=tmp_path)

    def test_production_with_default_password_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(ValidationError, match="default password"):
            Settings(RXP_ENV="production", DATABASE_URL="postgresql+psycopg://rxp:change-me@h/db",
                     RXP_KEY_DIR=tmp_path, RXP_AUDIT_CHECKPOINT_DIR=tmp_path)

    def test_production_with_real_values_starts(self, tmp_path: Path) -> None:
        settings = Settings(RXP_ENV="production",
                            DATABASE_URL="postgresql+psycopg://rxp_app:Xk39-long@h/db",
                            RXP_KEY_DIR=tmp_path, RXP_AUDIT_CHECKPOINT_DIR=tmp_path)
        assert settings.environment == "production"


class TestRetention:
    def test_live_events_are_kept_a_week_by_default_and_a_day_at_least(
            self, tmp_path: Path) -> None:
        base = {"RXP_ENV": "test", "DATABASE_URL": "postgresql+psycopg://a:p@db/rxp",
                "RXP_KEY_DIR": tmp_path, "RXP_AUDIT_CHECKPOINT_DIR": tmp_path}
        assert Settings(**base).live_event_retention_days == 7
        assert Settings(**base, RXP_LIVE_EVENT_RETENTION_DAYS=2).live_event_retention_days == 2
        with pytest.raises(ValidationError, match="RXP_LIVE_EVENT_RETENTION_DAYS"):
            Settings(**base, RXP_LIVE_EVENT_RETENTION_DAYS=0)
