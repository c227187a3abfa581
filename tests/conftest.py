"""The test suite's real parts: its own PostgreSQL cluster, a migrated and seeded template
database, a fresh copy of it for every test, keys in a temporary key folder, and the app.

Each test gets its own database cloned from the template (tens of milliseconds) rather than a
rolled-back transaction: the server commits for real, writes failed requests' audit events in
transactions of their own and is tested under real concurrency, none of which a wrapping
transaction would allow.
"""

from __future__ import annotations

import asyncio
import gc
import os
import secrets
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from argon2 import PasswordHasher

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from installers import database
from installers.pgcluster import PgCluster, free_port
from server.core.keys import KeyMaterial, init_key_dir
from server.core.migrations import upgrade
from server.personal_data.cipher import FieldCipher
from server.seed.demo import DemoGroup
from server.seed.runner import seed

TEMPLATE = "rxp_template"


class TestCluster:
    def __init__(self, base: Path) -> None:
        self.cluster = PgCluster(base / "primary", free_port())
        self.owner_password = secrets.token_urlsafe(16)
        self.app_password = secrets.token_urlsafe(16)

    def urls(self, name: str) -> database.DatabaseUrls:
        return database.urls(self.cluster, name, self.owner_password, self.app_password)


@pytest.fixture(autouse=True)
def _garbage_collected_on_the_main_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """No automatic garbage collection during a Qt test; one collection, on the main thread,
    after it.

    Python collects cycles in whichever thread happens to allocate: in a Qt test that is often
    the live server's thread or a worker's, and a cycle holding a Qt object is then destroyed
    off the GUI thread, which crashes the process at random (a segfault in the pharmacy
    counter tests, once). The apps themselves do the same with `GuiThreadCollector`."""
    if "qtbot" not in request.fixturenames:
        yield
        return
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        if was_enabled:
            gc.enable()


@pytest.fixture(scope="session")
def workdir() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="rxp-test-"))
    base.chmod(0o711)  # the unprivileged PostgreSQL user must reach its folder inside
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def pg(workdir: Path) -> Iterator[TestCluster]:
    test_cluster = TestCluster(workdir)
    test_cluster.cluster.init(fast=True)
    test_cluster.cluster.start()
    database.ensure_roles(test_cluster.cluster, test_cluster.owner_password,
                          test_cluster.app_password)
    yield test_cluster
    test_cluster.cluster.destroy()


@pytest.fixture(scope="session")
def key_dir(workdir: Path) -> Path:
    folder = workdir / "keys"
    init_key_dir(folder)
    return folder


@pytest.fixture(scope="session")
def cipher(key_dir: Path) -> FieldCipher:
    return FieldCipher(KeyMaterial.load(key_dir).keyring)


@pytest.fixture(scope="session")
def demo(pg: TestCluster, cipher: FieldCipher) -> DemoGroup:
    """The migrated, seeded template every test database is cloned from."""
    database.ensure_database(pg.cluster, TEMPLATE)
    urls = pg.urls(TEMPLATE)
    upgrade(urls.owner, app_role=database.APP_ROLE)
    group = asyncio.run(seed(urls.owner, cipher))
    _cheapen_demo_passwords(urls.owner, group)
    # Nobody may stay connected to a template while it is being cloned.
    pg.cluster.psql(f"ALTER DATABASE {TEMPLATE} WITH ALLOW_CONNECTIONS false")
    return group


def _cheapen_demo_passwords(owner_url: str, group: DemoGroup) -> None:
    """Rehash the template's demo passwords and client secrets with argon2's lowest cost.

    Verification reads the cost from the stored hash, so every login of the suite (thousands)
    then takes a millisecond instead of a production-strength 100 ms; what is verified, and
    how, stays the server's own code. Hashes the server writes itself keep the real cost."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    with psycopg.connect(owner_url.replace("+psycopg", ""), autocommit=True) as conn:
        passwords = {account.password for account in group.accounts}
        for password in passwords:
            conn.execute("UPDATE staff_user SET password_hash = %s WHERE username = ANY(%s)",
                         (cheap.hash(password),
                          [a.username for a in group.accounts if a.password == password]))
        for client in group.clients:
            conn.execute("UPDATE integration_client SET secret_hash = %s WHERE client_id = %s",
                         (cheap.hash(client["client_secret"]), client["client_id"]))


@pytest.fixture(scope="session")
def superuser(pg: TestCluster) -> Iterator[psycopg.Connection[Any]]:
    """One superuser connection for cloning and dropping the tests' databases: a psql process
    per statement cost more than many a test."""
    url = pg.cluster.superuser_url().replace("+psycopg", "")
    with psycopg.connect(url, autocommit=True) as conn:
        yield conn


@pytest.fixture
def db(pg: TestCluster, demo: DemoGroup,
       superuser: psycopg.Connection[Any]) -> Iterator[database.DatabaseUrls]:
    name = f"t_{uuid.uuid4().hex[:16]}"
    # WAL_LOG copies the template's 15 MB through the WAL; FILE_COPY would cost two
    # checkpoints per test (five times slower here). The clone keeps the template's schema
    # owner; the database-level grant is its own.
    superuser.execute(f"CREATE DATABASE {name} OWNER {database.OWNER_ROLE} "
                      f"TEMPLATE {TEMPLATE} STRATEGY WAL_LOG")
    superuser.execute(f"GRANT CONNECT ON DATABASE {name} TO {database.APP_ROLE}")
    yield pg.urls(name)
    superuser.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def checkpoint_dir(tmp_path: Path) -> Path:
    return tmp_path / "audit-checkpoints"
