"""Who sees which organisations' records: the scope computed for a principal, and the
row-level-security policies that enforce it in PostgreSQL whatever query the server sends."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from server.access import scope
from server.core.context import Principal
from server.core.db import make_engine
from tests.helpers import sql


@pytest.fixture
async def owner_session(db):
    engine = make_engine(db.owner, pool_size=1)
    async with AsyncSession(engine) as session:
        yield session
    await engine.dispose()


class TestSubtree:
    async def test_group_sees_everything(self, owner_session, demo):
        assert await scope.subtree(owner_session, uuid.UUID(demo.organisations["GRP"])) is None

    async def test_hospital_sees_itself_and_its_departments(self, owner_session, demo):
        visible = await scope.subtree(owner_session, uuid.UUID(demo.organisations["H1"]))
        expected = {uuid.UUID(i) for code, i in demo.organisations.items()
                    if code == "H1" or code.startswith("H1-")}
        assert visible == expected

    async def test_pharmacy_sees_only_itself(self, owner_session, demo):
        visible = await scope.subtree(owner_session, uuid.UUID(demo.organisations["P1"]))
        assert visible == {uuid.UUID(demo.organisations["P1"])}

    async def test_unknown_organisation_sees_nothing(self, owner_session):
        assert await scope.subtree(owner_session, uuid.uuid4()) == frozenset()


class TestPrincipalSees:
    def test_visibility(self):
        a, b = uuid.uuid4(), uuid.uuid4()
        scoped = Principal(kind="user", id=uuid.uuid4(), name="x", visible_org_ids=frozenset({a}))
        everything = Principal(kind="user", id=uuid.uuid4(), name="y", visible_org_ids=None)
        assert scoped.sees(a) and not scoped.sees(b) and not scoped.sees(None)
        assert everything.sees(b)


class TestRowLevelSecurity:
    """Organisation-owned rows are hidden from the server's role unless the transaction says
    which organisations it may see (server/access/scope.py sets it on every request)."""

    def test_without_a_scope_nothing_is_visible(self, db):
        assert sql(db.app, "SELECT count(*) FROM staff_user")[0][0] == 0

    def test_a_scope_shows_only_its_organisations(self, db, demo):
        h1 = demo.organisations["H1"]
        rows = sql(db.app, "SELECT username FROM staff_user", setup=(
            f"SELECT set_config('rxp.visible_orgs', '{h1}', false)",))
        assert {r[0] for r in rows} == {a.username for a in demo.accounts
                                        if a.organisation_code == "H1"}

    def test_everything_for_the_system_scope(self, db, demo):
        rows = sql(db.app, "SELECT count(*) FROM staff_user",
                   setup=("SELECT set_config('rxp.visible_orgs', '*', false)",))
        assert rows[0][0] == len(demo.accounts)

    def test_writes_outside_the_scope_are_refused(self, db, demo):
        h1, h2 = demo.organisations["H1"], demo.organisations["H2"]
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            sql(db.app, "UPDATE staff_user SET org_id = %s WHERE username = 'doctor_wang'",
                (h2,), setup=(f"SELECT set_config('rxp.visible_orgs', '{h1}', false)",))
        moved = sql(db.app, "UPDATE staff_user SET display_name = 'x' WHERE username ="
                            " 'doctor_sun' RETURNING id",
                    setup=(f"SELECT set_config('rxp.visible_orgs', '{h1}', false)",))
        assert moved == []
