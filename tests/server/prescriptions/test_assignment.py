"""Choosing the reviewer: concurrent submits spread across the on-duty pharmacists and none waits
for another's commit; a pharmacist going off duty is not chosen meanwhile."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server.access import scope
from server.core.db import make_engine
from server.prescriptions import repository
from tests.helpers import sql


def _on_duty(db) -> tuple[object, dict[object, str]]:
    rows = sql(db.owner, "SELECT id, org_id, username FROM staff_user"
               " WHERE username IN ('pharm_chen', 'pharm_liu')")
    for user_id, org_id, _ in rows:
        sql(db.owner, "INSERT INTO pharmacist_duty (user_id, org_id, on_duty, changed_at)"
            " VALUES (%s, %s, true, now()) ON CONFLICT (user_id) DO UPDATE SET on_duty = true",
            (user_id, org_id))
    return rows[0][1], {user_id: name for user_id, _, name in rows}


async def test_concurrent_assignments_spread_and_never_wait(db):
    org_id, names = _on_duty(db)
    engine = make_engine(db.app, pool_size=4)
    now = datetime.now(UTC)

    async def assign(session: AsyncSession) -> object:
        await scope.system_scope(session)
        return await asyncio.wait_for(repository.assign_least_loaded(
            session, org_id=org_id, drug_classes=[], now=now), timeout=3)

    try:
        async with AsyncSession(engine) as a, a.begin(), \
                AsyncSession(engine) as b, b.begin(), AsyncSession(engine) as c, c.begin():
            first = await assign(a)
            second = await assign(b)  # `first` is held by a: the next best one
            third = await assign(c)  # both held: still an answer, unstamped
        assert {first, second} == set(names)
        assert third in names
    finally:
        await engine.dispose()


async def test_a_pharmacist_going_off_duty_is_not_chosen(db):
    org_id, names = _on_duty(db)
    engine = make_engine(db.app, pool_size=3)
    now = datetime.now(UTC)
    try:
        leaving = next(iter(names))
        async with AsyncSession(engine) as duty_change, duty_change.begin():
            await scope.system_scope(duty_change)
            duty = await repository.duty(duty_change, leaving, for_update=True)
            assert duty is not None
            async with AsyncSession(engine) as submit, submit.begin():
                await scope.system_scope(submit)
                chosen = await asyncio.wait_for(repository.assign_least_loaded(
                    submit, org_id=org_id, drug_classes=[], now=now), timeout=3)
            assert chosen is not None and chosen != leaving
    finally:
        await engine.dispose()
