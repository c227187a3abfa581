"""All SQL of payments, refunds and the notification log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.payments.models import Payment, PaymentNotification, Refund


async def for_order(session: AsyncSession, order_id: uuid.UUID, *,
                    lock: bool = False) -> Sequence[Payment]:
    """The order's payments, newest first; `lock` holds them until the transaction ends, so
    two requests for one order take turns."""
    query = (select(Payment).where(Payment.order_id == order_id)
             .order_by(Payment.created_at.desc(), Payment.id))
    if lock:
        query = query.with_for_update()
    return (await session.scalars(query)).all()


async def by_out_trade_no(session: AsyncSession, out_trade_no: str, *,
                          lock: bool = False) -> Payment | None:
    query = select(Payment).where(Payment.out_trade_no == out_trade_no)
    if lock:
        query = query.with_for_update()
    return (await session.scalars(query)).first()


async def get(session: AsyncSession, payment_id: uuid.UUID) -> Payment | None:
    return await session.get(Payment, payment_id)


async def refund_of(session: AsyncSession, payment_id: uuid.UUID) -> Refund | None:
    return (await session.scalars(
        select(Refund).where(Refund.payment_id == payment_id)
        .order_by(Refund.created_at.desc()))).first()


async def refunds_of(session: AsyncSession, payment_id: uuid.UUID) -> Sequence[Refund]:
    return (await session.scalars(
        select(Refund).where(Refund.payment_id == payment_id)
        .order_by(Refund.created_at))).all()


async def notifications_of(session: AsyncSession,
                           payment_id: uuid.UUID) -> Sequence[PaymentNotification]:
    return (await session.scalars(
        select(PaymentNotification).where(PaymentNotification.payment_id == payment_id)
        .order_by(PaymentNotification.received_at, PaymentNotification.id))).all()
