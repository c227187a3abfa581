"""Replaying stored responses for retried requests (`Idempotency-Key`).

Lookup happens once the principal is known (a key belongs to whoever sent it); storing happens in
the unit-of-work middleware inside the request's own transaction.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.context import RequestContext
from server.core.errors import IdempotencyKeyReused
from server.idempotency.models import IdempotencyRecord
from server.personal_data.cipher import FieldCipher

ANONYMOUS = "anonymous"
MAX_KEY_LENGTH = 200


class StoredResponse(Exception):
    """Raised to short-circuit a retried request with the answer it got the first time."""

    def __init__(self, status_code: int, body: bytes, content_type: str) -> None:
        self.status_code = status_code
        self.body = body
        self.content_type = content_type


def request_hash(method: str, path: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode(), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def principal_key(ctx: RequestContext) -> str:
    """Whose key this is, fixed the first time it is asked: a login or refresh starts anonymous
    and ends as a user, and must store its answer where its retry will look for it."""
    if ctx.idempotency_owner is None:
        ctx.idempotency_owner = str(ctx.principal.id) if ctx.principal else ANONYMOUS
    return ctx.idempotency_owner


# Stored answers can hold tokens or a new second-factor secret: they are encrypted like
# personal data, with keys outside the database.
BODY_CONTEXT = "idempotency_record.response_body"


def stored_body(cipher: FieldCipher, record: IdempotencyRecord) -> bytes:
    return cipher.decrypt(record.response_body, context=BODY_CONTEXT).encode()



async def replay_if_stored(ctx: RequestContext, cipher: FieldCipher) -> None:
    """Raise StoredResponse when this key was answered before; 422 if it came with another body."""
    if not ctx.idempotency_key:
        return
    record = await ctx.session.get(IdempotencyRecord, (principal_key(ctx), ctx.idempotency_key))
    if record is None:
        return
    if record.request_hash != ctx.request_hash:
        raise IdempotencyKeyReused()
    ctx.replayed = True
    raise StoredResponse(record.status_code, stored_body(cipher, record), record.content_type)


async def store(session: AsyncSession, cipher: FieldCipher, ctx: RequestContext,
                status_code: int, body: bytes, content_type: str) -> bool:
    """Store the answer; False when a concurrent twin stored one first (then roll back)."""
    result = await session.execute(
        insert(IdempotencyRecord)
        .values(principal=principal_key(ctx), key=ctx.idempotency_key,
                request_hash=ctx.request_hash, status_code=status_code,
                response_body=cipher.encrypt(body.decode(),
                                             context=BODY_CONTEXT),
                content_type=content_type)
        .on_conflict_do_nothing()
        .returning(IdempotencyRecord.key)
    )
    return result.first() is not None


async def load(session: AsyncSession, principal: str, key: str) -> IdempotencyRecord | None:
    return (await session.scalars(select(IdempotencyRecord).where(
        IdempotencyRecord.principal == principal, IdempotencyRecord.key == key))).first()
