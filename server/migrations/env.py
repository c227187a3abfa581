"""Alembic environment: runs the migrations as the schema owner, then grants the server's role
exactly what it may do (everything on business tables; only SELECT and INSERT on the audit log)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, pool, text

from server.models import Base

config = context.config
target_metadata = Base.metadata

# Tables the server's role may read and append to, but never change.
APPEND_ONLY = ("audit_event",)


def grant_app_role(connection: Connection, role: str) -> None:
    exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
    if exists.first() is None:
        return  # a database without a separate server role (e.g. a throw-away check)
    connection.execute(text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
    connection.execute(text(
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"'))
    connection.execute(text(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"'))
    for table in APPEND_ONLY:
        # After a downgrade below the revision that made it, the table is gone.
        if connection.execute(text("SELECT to_regclass(:t)"), {"t": table}).scalar() is None:
            continue
        connection.execute(text(f'REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM "{role}"'))


def run_migrations_online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          compare_type=True, transaction_per_migration=False)
        with context.begin_transaction():
            context.run_migrations()
            grant_app_role(connection, config.get_main_option("rxp_app_role") or "rxp_app")
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `rxp migrate`")
run_migrations_online()
