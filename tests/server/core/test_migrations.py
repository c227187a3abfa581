"""The migrations build exactly the schema the models describe, and undo it cleanly."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlalchemy.pool import NullPool

import server.models  # noqa: F401  (every model on the metadata)
from installers import database
from installers.database import DatabaseUrls
from server.core.db import Base
from server.core.migrations import downgrade, head_revision, upgrade
from tests.helpers import sql


@pytest.fixture
def empty_db(pg) -> Iterator[DatabaseUrls]:
    name = f"m_{uuid.uuid4().hex[:16]}"
    database.ensure_database(pg.cluster, name)
    yield pg.urls(name)
    pg.cluster.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _differences(url: str) -> list[object]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                             "compare_server_default": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _privileges(db: DatabaseUrls, table: str) -> dict[str, bool]:
    return {p: bool(sql(db.owner, "SELECT has_table_privilege(%s, %s, %s)",
                        (database.APP_ROLE, table, p))[0][0])
            for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")}


class TestMigrations:
    def test_models_and_migrations_agree(self, empty_db):
        upgrade(empty_db.owner, app_role=database.APP_ROLE)
        assert _differences(empty_db.owner) == []

    def test_downgrade_to_base_and_back_round_trips(self, empty_db):
        upgrade(empty_db.owner, app_role=database.APP_ROLE)
        tables = _tables(empty_db.owner)
        assert {"audit_event", "staff_user", "organisation", "idempotency_record"} <= tables
        downgrade(empty_db.owner, "base", app_role=database.APP_ROLE)
        assert _tables(empty_db.owner) <= {"alembic_version"}
        functions = sql(empty_db.owner, "SELECT proname FROM pg_proc WHERE proname IN"
                                        " ('rxp_visible', 'audit_event_append_only')")
        assert functions == []
        upgrade(empty_db.owner, app_role=database.APP_ROLE)
        assert _tables(empty_db.owner) == tables
        assert _differences(empty_db.owner) == []
        assert sql(empty_db.owner, "SELECT version_num FROM alembic_version") == [
            (head_revision(),)]

    def test_server_role_rights_after_migrating(self, empty_db):
        upgrade(empty_db.owner, app_role=database.APP_ROLE)
        assert _privileges(empty_db, "audit_event") == {
            "SELECT": True, "INSERT": True, "UPDATE": False, "DELETE": False, "TRUNCATE": False}
        assert _privileges(empty_db, "staff_user") == {
            "SELECT": True, "INSERT": True, "UPDATE": True, "DELETE": True, "TRUNCATE": False}

    def test_append_only_and_row_security_are_back_after_a_round_trip(self, empty_db):
        upgrade(empty_db.owner, app_role=database.APP_ROLE)
        downgrade(empty_db.owner, "base", app_role=database.APP_ROLE)
        upgrade(empty_db.owner, app_role=database.APP_ROLE)
        triggers = {r[0] for r in sql(empty_db.owner, "SELECT tgname FROM pg_trigger WHERE"
                                                      " tgrelid = 'audit_event'::regclass")}
        assert triggers == {"audit_event_no_change", "audit_event_no_truncate"}
        secured = {r[0] for r in sql(empty_db.owner, "SELECT relname FROM pg_class WHERE"
                                                     " relrowsecurity AND relkind = 'r'")}
        assert {"staff_user", "patient"} <= secured
