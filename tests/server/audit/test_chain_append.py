"""Appending to the chain: the database hashes exactly what the verifier recomputes, and
concurrent appends neither fork nor leave gaps."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import repository
from server.audit.chain import canonical, canonical_around_seq, event_hash
from server.audit.verify import verify_chain
from server.core.db import make_engine


def _event(**summary: object) -> dict[str, object]:
    return {"occurred_at": datetime(2026, 11, 27, 8, 30, 1, 123456, tzinfo=UTC),
            "actor_kind": "staff", "actor_id": uuid.uuid4(), "actor_name": '王"seq":1',
            "actor_role": "doctor", "org_id": None, "ip": "10.0.0.1", "workstation": None,
            "request_id": "r1", "action": "prescription.submit", "entity_type": "prescription",
            "entity_id": "x", "outcome": "success", "status_code": 200, "summary": summary}


@pytest.mark.parametrize("summary", [{}, {"seq": 7, "note": "含\"引号\""}, {"a": [1, {"seq": 2}]}])
def test_the_parts_around_the_sequence_number_make_the_canonical_form(summary):
    event = _event(**summary)
    before, after = canonical_around_seq(event)
    for seq in (1, 42, 10**12):
        assert before + str(seq).encode() + after == canonical({**event, "seq": seq})


async def test_concurrent_appends_make_one_unbroken_chain(db):
    engine = make_engine(db.app, pool_size=8)
    try:
        async def one(i: int) -> repository.Appended:
            async with AsyncSession(engine) as session, session.begin():
                appended = await repository.append(session, _event(i=i, 名="并发"))
                await asyncio.sleep(0.001 * (i % 3))  # hold the lock across a yield
                return appended

        appended = await asyncio.gather(*(one(i) for i in range(40)))
        seqs = sorted(a.seq for a in appended)
        assert seqs == list(range(seqs[0], seqs[0] + 40))
        async with AsyncSession(engine) as session:
            result = await verify_chain(session, [])
            assert result.ok, result.problem
            assert result.head_seq == seqs[-1]
            last = max(appended, key=lambda a: a.seq)
            assert (await repository.head(session)) == (last.seq, last.hash)
    finally:
        await engine.dispose()


async def test_the_stored_hash_is_the_chains_definition(db):
    engine = make_engine(db.app, pool_size=1)
    try:
        async with AsyncSession(engine) as session, session.begin():
            head = await repository.head(session)
            event = _event(odd="\u00e9\u4e2d\\")
            appended = await repository.append(session, event)
        assert head is not None and appended.seq == head[0] + 1
        assert appended.hash == event_hash(head[1], {**event, "seq": appended.seq})
    finally:
        await engine.dispose()
