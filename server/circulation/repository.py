"""All SQL of circulation orders, dispensed packages, delivery events and queue numbers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from server.circulation.models import (
    CirculationOrder,
    DeliveryEvent,
    DispensedPackage,
    OrderLine,
    OrderState,
    QueueCounter,
)


async def next_number(session: AsyncSession, day: str) -> str:
    seq = (await session.execute(text("SELECT nextval('circulation_order_number_seq')"))
           ).scalar_one()
    return f"OD{day}{seq:08d}"


async def get(session: AsyncSession, order_id: uuid.UUID, *,
              for_update: bool = False) -> CirculationOrder | None:
    query = select(CirculationOrder).where(CirculationOrder.id == order_id)
    if for_update:
        query = query.with_for_update()
    return (await session.scalars(query)).first()


async def by_number(session: AsyncSession, number: str) -> CirculationOrder | None:
    return (await session.scalars(select(CirculationOrder)
                                  .where(CirculationOrder.number == number))).first()


async def active_for(session: AsyncSession, prescription_id: uuid.UUID) -> CirculationOrder | None:
    return (await session.scalars(select(CirculationOrder).where(
        CirculationOrder.prescription_id == prescription_id,
        CirculationOrder.state == OrderState.ACTIVE))).first()


async def orders_of(session: AsyncSession,
                    prescription_id: uuid.UUID) -> Sequence[CirculationOrder]:
    return (await session.scalars(select(CirculationOrder)
                                  .where(CirculationOrder.prescription_id == prescription_id)
                                  .order_by(CirculationOrder.created_at))).all()


async def latest_for(session: AsyncSession,
                     prescription_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, CirculationOrder]:
    """The newest order of each prescription (the active one when there is one)."""
    if not prescription_ids:
        return {}
    rows = (await session.scalars(
        select(CirculationOrder)
        .where(CirculationOrder.prescription_id.in_(prescription_ids))
        .order_by(CirculationOrder.created_at))).all()
    return {row.prescription_id: row for row in rows}  # a prescription has a handful at most


async def inbox(session: AsyncSession, pharmacy_id: uuid.UUID, *, states: Sequence[str],
                limit: int, offset: int) -> Sequence[CirculationOrder]:
    return (await session.scalars(
        select(CirculationOrder)
        .where(CirculationOrder.pharmacy_id == pharmacy_id, CirculationOrder.state.in_(states))
        .order_by(CirculationOrder.created_at.desc()).limit(limit).offset(offset))).all()


async def by_pickup_code(session: AsyncSession, pharmacy_id: uuid.UUID,
                         code_bidx: bytes) -> CirculationOrder | None:
    return (await session.scalars(select(CirculationOrder).where(
        CirculationOrder.pharmacy_id == pharmacy_id,
        CirculationOrder.pickup_code_bidx == code_bidx,
        CirculationOrder.state == OrderState.ACTIVE))).first()


async def settle_state(session: AsyncSession, order: CirculationOrder, *, expect: str,
                       values: dict[str, object], unaccepted: bool = False) -> bool:
    """Compare-and-set on the order: applies `values` only if it is still in state `expect`
    (and, with `unaccepted`, not accepted yet). False when someone else got there first. Not
    on the version: a payment arriving meanwhile is no conflict for the pharmacy."""
    await session.flush()
    conditions = [CirculationOrder.id == order.id, CirculationOrder.state == expect]
    if unaccepted:
        conditions.append(CirculationOrder.accepted_at.is_(None))
    result = await session.execute(
        update(CirculationOrder)
        .where(*conditions)
        .values(**values, version=CirculationOrder.version + 1)
        .returning(CirculationOrder.version)
        .execution_options(synchronize_session=False))
    row = result.first()
    if row is None:
        return False
    await session.refresh(order)
    return True


async def mark_paid(session: AsyncSession, order: CirculationOrder) -> None:
    """The order is paid. A flag that only ever turns on: set without the version, so that a
    callback racing the pharmacy's acceptance conflicts with nobody."""
    await session.execute(update(CirculationOrder).where(CirculationOrder.id == order.id)
                          .values(paid=True).execution_options(synchronize_session=False))
    set_committed_value(order, "paid", True)


async def expired_locks(session: AsyncSession, now: datetime,
                        limit: int = 100) -> Sequence[CirculationOrder]:
    """Orders not accepted in time, locked so that of several server processes one takes each."""
    return (await session.scalars(
        select(CirculationOrder)
        .where(CirculationOrder.state == OrderState.ACTIVE,
               CirculationOrder.accepted_at.is_(None),
               CirculationOrder.lock_expires_at <= now)
        .order_by(CirculationOrder.lock_expires_at).limit(limit)
        .with_for_update(skip_locked=True))).all()


# -- lines and packages ---------------------------------------------------------------------

async def lines(session: AsyncSession, order_id: uuid.UUID) -> Sequence[OrderLine]:
    return (await session.scalars(select(OrderLine).where(OrderLine.order_id == order_id)
                                  .order_by(OrderLine.line_no))).all()


async def add_package(session: AsyncSession, values: dict[str, object]) -> uuid.UUID | None:
    """Insert a dispensed package unless its code was dispensed before (anywhere): the unique
    index decides, so of any number of concurrent scans of one code exactly one gets an id."""
    result = await session.execute(
        insert(DispensedPackage).values(**values)
        .on_conflict_do_nothing(index_elements=["trace_code"])
        .returning(DispensedPackage.id))
    return result.scalar_one_or_none()


async def count_line(session: AsyncSession, line_id: uuid.UUID) -> int | None:
    """Count one more package on the line if it still has room; None when it is full."""
    result = await session.execute(
        update(OrderLine).where(OrderLine.id == line_id, OrderLine.dispensed < OrderLine.quantity)
        .values(dispensed=OrderLine.dispensed + 1).returning(OrderLine.dispensed)
        .execution_options(synchronize_session=False))
    return result.scalar_one_or_none()


async def uncount_line(session: AsyncSession, line_id: uuid.UUID) -> None:
    await session.execute(update(OrderLine).where(OrderLine.id == line_id)
                          .values(dispensed=OrderLine.dispensed - 1)
                          .execution_options(synchronize_session=False))


async def package_by_code(session: AsyncSession, code: str) -> DispensedPackage | None:
    return (await session.scalars(select(DispensedPackage)
                                  .where(DispensedPackage.trace_code == code))).first()


async def packages(session: AsyncSession, order_id: uuid.UUID) -> Sequence[DispensedPackage]:
    return (await session.scalars(select(DispensedPackage)
                                  .where(DispensedPackage.order_id == order_id)
                                  .order_by(DispensedPackage.scanned_at))).all()


# -- delivery events and queue numbers ------------------------------------------------------

async def add_event(session: AsyncSession, values: dict[str, object]) -> bool:
    """Record a delivery event; False when the carrier's event id was recorded before."""
    result = await session.execute(
        insert(DeliveryEvent).values(**values)
        .on_conflict_do_nothing(constraint="uq_delivery_event_external")
        .returning(DeliveryEvent.id))
    return result.scalar_one_or_none() is not None


async def events(session: AsyncSession, order_ids: Sequence[uuid.UUID]) -> Sequence[DeliveryEvent]:
    return (await session.scalars(select(DeliveryEvent)
                                  .where(DeliveryEvent.order_id.in_(order_ids))
                                  .order_by(DeliveryEvent.occurred_at, DeliveryEvent.id))).all()


async def by_tracking_number(session: AsyncSession, carrier_code: str,
                             tracking_number: str) -> CirculationOrder | None:
    return (await session.scalars(select(CirculationOrder).where(
        CirculationOrder.carrier_code == carrier_code,
        CirculationOrder.tracking_number == tracking_number))).first()


async def take_queue_number(session: AsyncSession, org_id: uuid.UUID, day: date) -> int:
    result = await session.execute(
        insert(QueueCounter).values(org_id=org_id, day=day, last_number=1, called_number=0)
        .on_conflict_do_update(index_elements=["org_id", "day"],
                               set_={"last_number": QueueCounter.last_number + 1})
        .returning(QueueCounter.last_number))
    return int(result.scalar_one())


async def call_next(session: AsyncSession, org_id: uuid.UUID, day: date) -> int | None:
    result = await session.execute(
        update(QueueCounter)
        .where(QueueCounter.org_id == org_id, QueueCounter.day == day,
               QueueCounter.called_number < QueueCounter.last_number)
        .values(called_number=QueueCounter.called_number + 1)
        .returning(QueueCounter.called_number))
    value = result.scalar_one_or_none()
    return None if value is None else int(value)


async def day_summary(session: AsyncSession, pharmacy_id: uuid.UUID, start: datetime,
                      end: datetime) -> dict[str, int]:
    orders = (await session.execute(
        select(func.count(), func.coalesce(func.sum(CirculationOrder.total_fen), 0))
        .where(CirculationOrder.pharmacy_id == pharmacy_id,
               CirculationOrder.accepted_at >= start, CirculationOrder.accepted_at < end))).one()
    codes = (await session.execute(
        select(func.count()).select_from(DispensedPackage)
        .where(DispensedPackage.pharmacy_id == pharmacy_id,
               DispensedPackage.scanned_at >= start, DispensedPackage.scanned_at < end))
    ).scalar_one()
    return {"orders_accepted": int(orders[0]), "amount_fen": int(orders[1]),
            "codes_scanned": int(codes)}
