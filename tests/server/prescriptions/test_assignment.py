"""Choosing the reviewer: the least loaded, concurrent submits never wait for one another's
commit, and a pharmacist going off duty is not chosen meanwhile."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession

from server.access import scope
from server.core.db import make_engine
from server.prescriptions import repository
from tests.helpers import sql


def _on_duty(db) -> tuple[object, dict[object, str]]:
    """陈静 and 刘洋 of H1 on duty, every other pharmacist off."""
    sql(db.owner, "UPDATE pharmacist_duty SET on_duty = false")
    rows = sql(db.owner, "SELECT id, org_id, username FROM staff_user"
               " WHERE username IN ('pharm_chen', 'pharm_liu')")
    for user_id, org_id, _ in rows:
        sql(db.owner, "INSERT INTO pharmacist_duty (user_id, org_id, on_duty, changed_at)"
            " VALUES (%s, %s, true, now()) ON CONFLICT (user_id) DO UPDATE SET on_duty = true",
            (user_id, org_id))
    return rows[0][1], {user_id: name for user_id, _, name in rows}


def _less_loaded_last(db, org_id: object, names: dict[object, str]) -> tuple[object, object]:
    """(busy, idle): the one less loaded now gets more open tasks than the other."""
    load = {user_id: sql(db.owner, "SELECT count(*) FROM review_task WHERE assigned_to_id = %s"
                         " AND status = 'open'", (user_id,))[0][0] for user_id in names}
    busy, idle = sorted(names, key=lambda user_id: load[user_id])
    sql(db.superuser, "INSERT INTO review_task (id, created_at, updated_at, version,"
        " prescription_id, org_id, revision, status, drug_classes, due_at, assigned_to_id)"
        " SELECT gen_random_uuid(), now(), now(), 1, gen_random_uuid(), %s, 1, 'open', '{}',"
        " now(), %s FROM generate_series(1, %s)", (org_id, busy, load[idle] - load[busy] + 1),
        setup=("SET session_replication_role = replica",))  # no prescriptions behind them
    return busy, idle


async def test_concurrent_assignments_never_wait_and_ties_spread(db):
    org_id, names = _on_duty(db)
    engine = make_engine(db.app, pool_size=4)

    async def assign(session: AsyncSession) -> object:
        await scope.system_scope(session)
        return await asyncio.wait_for(repository.assign_least_loaded(
            session, org_id=org_id, drug_classes=[]), timeout=3)

    try:
        chosen = []
        async with AsyncSession(engine) as a, a.begin(), AsyncSession(engine) as b, b.begin():
            for _ in range(20):  # a and b stay open: neither waits for the other
                chosen += [await assign(a), await assign(b)]
        assert set(chosen) == set(names)  # equal loads: either may be chosen
    finally:
        await engine.dispose()


async def test_the_least_loaded_is_chosen(db):
    org_id, names = _on_duty(db)
    _, idle = _less_loaded_last(db, org_id, names)
    engine = make_engine(db.app, pool_size=1)
    try:
        for _ in range(5):
            async with AsyncSession(engine) as session, session.begin():
                await scope.system_scope(session)
                assert await repository.assign_least_loaded(
                    session, org_id=org_id, drug_classes=[]) == idle
    finally:
        await engine.dispose()


async def test_a_pharmacist_going_off_duty_is_not_chosen(db):
    """The assignment waits for the duty change, then takes the next pharmacist."""
    org_id, names = _on_duty(db)
    staying, leaving = _less_loaded_last(db, org_id, names)  # `leaving` would be chosen
    engine = make_engine(db.app, pool_size=3)
    try:
        async with AsyncSession(engine) as duty_change:
            async with duty_change.begin():
                await scope.system_scope(duty_change)
                duty = await repository.duty(duty_change, leaving, for_update=True)
                assert duty is not None
                duty.on_duty = False
                await duty_change.flush()

                async def submit() -> object:
                    async with AsyncSession(engine) as session, session.begin():
                        await scope.system_scope(session)
                        return await repository.assign_least_loaded(
                            session, org_id=org_id, drug_classes=[])

                pending = asyncio.create_task(submit())
                await asyncio.sleep(0.5)
                assert not pending.done()  # waits for the duty change
            assert await asyncio.wait_for(pending, timeout=3) == staying
    finally:
        await engine.dispose()
