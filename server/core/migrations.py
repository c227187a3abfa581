"""Running the Alembic migrations from code (`rxp migrate`, tests, the demo)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str | None = None, app_role: str = "rxp_app") -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.set_main_option("rxp_app_role", app_role)
    return cfg


def upgrade(url: str, revision: str = "head", app_role: str = "rxp_app") -> None:
    command.upgrade(alembic_config(url, app_role), revision)


def downgrade(url: str, revision: str, app_role: str = "rxp_app") -> None:
    command.downgrade(alembic_config(url, app_role), revision)


@cache
def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
