"""Provisioning a database for the platform on a cluster: the two roles and the database.

- `rxp_owner` owns the schema and runs the migrations;
- `rxp_app` is what the server connects as: it is not the owner, so row-level security applies
  to it, and the migrations grant it only SELECT and INSERT on the audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from installers.pgcluster import PgCluster

OWNER_ROLE = "rxp_owner"
APP_ROLE = "rxp_app"


@dataclass(frozen=True)
class DatabaseUrls:
    name: str
    app: str
    owner: str
    superuser: str


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ensure_roles(cluster: PgCluster, owner_password: str, app_password: str) -> None:
    for role, password in ((OWNER_ROLE, owner_password), (APP_ROLE, app_password)):
        exists = cluster.psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'")
        verb = "ALTER" if exists else "CREATE"
        cluster.psql(f"{verb} ROLE {role} LOGIN PASSWORD {_literal(password)}")


def ensure_database(cluster: PgCluster, name: str, *, template: str | None = None) -> None:
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"bad database name {name!r}")
    if cluster.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        return
    source = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
    cluster.psql(f"CREATE DATABASE {name} OWNER {OWNER_ROLE}{source}")
    # The server's role may connect and use the schema; table rights come from the migrations.
    cluster.psql(f"GRANT CONNECT ON DATABASE {name} TO {APP_ROLE}")
    cluster.psql(f"ALTER SCHEMA public OWNER TO {OWNER_ROLE}", db=name)


def urls(cluster: PgCluster, name: str, owner_password: str, app_password: str) -> DatabaseUrls:
    return DatabaseUrls(
        name=name,
        app=cluster.tcp_url(APP_ROLE, app_password, name),
        owner=cluster.tcp_url(OWNER_ROLE, owner_password, name),
        superuser=cluster.superuser_url(name),
    )
