"""All SQL of the catalogue."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    ScalarSelect,
    and_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from server.catalogue.models import (
    OPEN_STATUSES,
    CatalogueProduct,
    CatalogueProductPrice,
    CatalogueStatusChange,
)
from server.catalogue.search import SHORT_TOKEN, is_code_like

P = CatalogueProduct
# Inlined, not bound: the partial search indexes apply only when the planner sees the literal.
_IS_ACTIVE = P.status == literal_column("'active'")


async def get(session: AsyncSession, product_id: uuid.UUID) -> CatalogueProduct | None:
    return await session.get(CatalogueProduct, product_id)


async def open_duplicate(session: AsyncSession, *, standard_code: str | None, generic_name: str,
                         specification: str, package: str, manufacturer: str
                         ) -> CatalogueProduct | None:
    """An open (proposed, active, suspended) product with the same 本位码, or the same
    generic name, specification, package and manufacturer."""
    same_product = and_(P.generic_name == generic_name, P.specification == specification,
                        P.package == package, P.manufacturer == manufacturer)
    match = or_(P.standard_code == standard_code, same_product) if standard_code else same_product
    stmt = select(P).where(P.status.in_(OPEN_STATUSES), match).limit(1)
    return (await session.scalars(stmt)).first()


async def prices(session: AsyncSession, product_id: uuid.UUID
                 ) -> Sequence[CatalogueProductPrice]:
    stmt = (select(CatalogueProductPrice).where(CatalogueProductPrice.product_id == product_id)
            .order_by(CatalogueProductPrice.effective_from.desc()))
    return (await session.scalars(stmt)).all()


async def status_history(session: AsyncSession, product_id: uuid.UUID
                         ) -> Sequence[CatalogueStatusChange]:
    stmt = (select(CatalogueStatusChange).where(CatalogueStatusChange.product_id == product_id)
            .order_by(CatalogueStatusChange.changed_at, CatalogueStatusChange.id))
    return (await session.scalars(stmt)).all()


async def price_on(session: AsyncSession, product_id: uuid.UUID,
                   effective_from: date) -> CatalogueProductPrice | None:
    stmt = select(CatalogueProductPrice).where(
        CatalogueProductPrice.product_id == product_id,
        CatalogueProductPrice.effective_from == effective_from)
    return (await session.scalars(stmt)).first()


async def list_products(session: AsyncSession, *, status: str | None, item_type: str | None,
                        limit: int, offset: int) -> tuple[Sequence[CatalogueProduct], int]:
    stmt = select(P)
    if status:
        stmt = stmt.where(P.status == status)
    if item_type:
        stmt = stmt.where(P.item_type == item_type)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = (await session.scalars(
        stmt.order_by(P.updated_at.desc(), P.id).limit(limit).offset(offset))).all()
    return rows, total


# -- search -----------------------------------------------------------------------------------
# A rank holding more matches than this is not sorted whole: its best rows are read from the
# top-N statement instead, and the total becomes a lower bound (total_exact false).
SORT_LIMIT = 1000
WALK_WINDOW = 2000  # rows of the ordered index walked first
MAX_WALK = 12000  # rows walked on at most, when the head was dense enough
_ORDER = (P.name_length, P.generic_name, P.specification, P.id)


def _value(value: object) -> BindParameter[Any]:
    """A value written into the SQL text rather than bound: the planner then plans for this very
    pattern (a one-letter prefix matching thousands of rows is not a full name matching a few),
    even when the driver has turned a frequent statement into a prepared one."""
    return bindparam(None, value, literal_execute=True)


def _like(column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None],
          pattern: str) -> ColumnElement[bool]:
    return column.like(_value(pattern))


def _token_match(token: str) -> ColumnElement[bool]:
    """A product matches a token by substring (3+ characters) or word prefix (shorter) of its
    search text, or by 医保代码 / 本位码 prefix. Tokens hold only [a-z0-9] and CJK characters
    (search.normalise), so they need no escaping in LIKE patterns."""
    pattern = f"%{token}%" if len(token) >= SHORT_TOKEN else f"% {token}%"
    match = _like(P.search_text, pattern)
    return or_(match, *_code_prefix(token)) if is_code_like(token) else match


def _code_prefix(token: str) -> list[ColumnElement[bool]]:
    return [_like(P.insurance_code, f"{token.upper()}%"), _like(P.standard_code, f"{token}%")]


def _rank_conditions(token: str) -> list[ColumnElement[bool]]:
    """What puts a match in ranks 0-2 (rank 3 is any other match): 0 a whole key (name, stem,
    brand, initials, pinyin, code) is the token; 1 a name or its initials start with it; 2 a
    pinyin or a code starts with it."""
    codes = is_code_like(token)
    exact = or_(_like(P.search_primary, f"% {token} %"), _like(P.search_secondary, f"% {token} %"),
                *((P.insurance_code == _value(token.upper()), P.standard_code == _value(token))
                  if codes else ()))
    name_prefix = _like(P.search_primary, f"% {token}%")
    pinyin_prefix = or_(_like(P.search_secondary, f"% {token}%"),
                        *(_code_prefix(token) if codes else ()))
    return [exact, name_prefix, pinyin_prefix]


def _ranks(token: str) -> list[ColumnElement[bool]]:
    """The conditions of ranks 0-3, each excluding the ranks before it."""
    ranks = []
    better: list[ColumnElement[bool]] = []
    for condition in [*_rank_conditions(token), None]:
        # IS NOT TRUE, not NOT: a code column may be NULL.
        excluded = [b.is_not(True) for b in better]
        ranks.append(and_(condition, *excluded) if condition is not None else and_(*excluded))
        if condition is not None:
            better.append(condition)
    return ranks


@dataclass
class _RankRead:
    count: int  # capped at SORT_LIMIT + 1
    first_ids: list[uuid.UUID]  # in result order; not to be used when count > SORT_LIMIT


async def _read_ranks(session: AsyncSession, where: Sequence[ColumnElement[bool]],
                      ranks: dict[int, ColumnElement[bool]], need: int) -> dict[int, _RankRead]:
    """For the given ranks at once, in one statement: how many match (up to SORT_LIMIT + 1) and
    the first `need` of them in result order. Each rank reads its matches through the GIN
    indexes and stops at SORT_LIMIT + 1."""
    branches = [
        select(literal_column(str(i)).label("rank"), P.id, *_ORDER[:-1])
        .where(*where, rank).limit(_value(SORT_LIMIT + 1))
        for i, rank in ranks.items()]
    u = (union_all(*branches) if len(branches) > 1 else branches[0]).subquery()
    first = func.array_agg(aggregate_order_by(
        u.c.id, u.c.name_length, u.c.generic_name, u.c.specification, u.c.id))
    stmt = (select(u.c.rank, func.count().label("n"), first[1:max(need, 1)].label("ids"))
            .group_by(u.c.rank))
    found = {row.rank: row for row in await session.execute(stmt)}
    return {i: _RankRead(found[i].n, list(found[i].ids)[:need]) if i in found
            else _RankRead(0, []) for i in ranks}


def _possible_ranks(token: str) -> list[list[int]]:
    """The ranks a token can fall in, in groups read one statement each.

    Ranks 0 and 1 are read together: neither excludes many rows the index hands it. Ranks 2
    and 3 are read only if still needed, each on its own, and not at all where they are empty
    by construction (their index candidates would then all be read and all rejected): a Chinese
    token is in no pinyin or code (no rank 2); a short ASCII token matches word prefixes, and
    the only words that are not names, initials or pinyin are Chinese (no rank 3); and the
    first letter of a pinyin is that of its initials (no rank 2 for one letter)."""
    ascii_token = token.isascii()
    groups = [[0, 1]]
    if ascii_token and (len(token) > 1 or is_code_like(token)):
        groups.append([2])
    if not ascii_token or len(token) >= SHORT_TOKEN:
        groups.append([3])
    return groups


_Key = tuple[int, str, str, uuid.UUID]


async def _walk(session: AsyncSession, hit: ColumnElement[bool], after: _Key | None,
                rows: int) -> tuple[list[uuid.UUID], _Key | None]:
    """The matches among the next `rows` active products of the ordered index after `after`,
    and the key of the last row walked (None when the index ended). The conditions are
    computed in the select list, not used as the filter: an index-only scan the planner cannot
    be talked out of (the index carries every column they read)."""
    window = select(*_ORDER, hit.label("hit"),
                    func.row_number().over(order_by=_ORDER).label("position")).where(_IS_ACTIVE)
    if after is not None:
        window = window.where(tuple_(*_ORDER) > tuple_(*map(_value, after)))
    w = window.order_by(*_ORDER).limit(_value(rows)).subquery()
    found = (await session.execute(select(w).where(or_(w.c.hit, w.c.position == _value(rows)))
                                   .order_by(w.c.position))).all()
    ids = [r.id for r in found if r.hit]
    last = found[-1] if found and found[-1].position == rows else None
    return ids, (last.name_length, last.generic_name, last.specification, last.id) if last else None


async def _first_in_order(session: AsyncSession, where: Sequence[ColumnElement[bool]],
                          need: int) -> list[uuid.UUID]:
    """The first `need` matches of a rank too large to sort whole (more than SORT_LIMIT), in
    result order, reading a few thousand rows.

    The planner cannot choose well here (pg_trgm guesses a few hundred rows for any pattern),
    and the two ways cost about the same per row: walking the ordered index costs rows walked
    (need / density), reading every match through the GIN indexes and keeping the best costs
    the matches. So the head of the ordered index is walked first; its density says whether
    walking on is cheaper than reading the matches (one letter: dense, found early) or not (阿莫:
    a few thousand names, most of them long and late in the order: none in the head)."""
    hit = and_(*(c for c in where if c is not _IS_ACTIVE))  # status is the index's predicate
    found, last = await _walk(session, hit, None, WALK_WINDOW)
    if len(found) >= need or last is None:
        return found[:need]
    if found:
        # Rows still to walk at the head's density, with a margin for unevenness.
        rows = -(-(need - len(found)) * WALK_WINDOW * 3 // (2 * len(found)))
        if rows <= MAX_WALK:
            more, last = await _walk(session, hit, last, rows)
            found += more
            if len(found) >= need or last is None:
                return found[:need]
    # A materialised CTE: the filter runs on its own (through the GIN indexes), and the
    # planner cannot turn the top-N into a walk of the whole ordered index.
    matches = select(*_ORDER).where(*where).cte().prefix_with("MATERIALIZED")
    return list((await session.scalars(
        select(matches.c.id).order_by(*(matches.c[c.key] for c in _ORDER))
        .limit(_value(need)))).all())


async def with_prices(session: AsyncSession, ids: Sequence[uuid.UUID], today: date
                      ) -> dict[uuid.UUID, tuple[CatalogueProduct, Decimal | None]]:
    """Products by id, each with its price on `today` (None when it has none yet)."""
    rows = (await session.execute(select(P, _price_on(today)).where(P.id.in_(ids)))).all()
    return {row[0].id: (row[0], row[1]) for row in rows}


def _price_on(today: date) -> ScalarSelect[Decimal]:
    """A product's price on `today`: its latest version with effective_from <= today."""
    pp = CatalogueProductPrice
    return (select(pp.price).where(pp.product_id == P.id, pp.effective_from <= today)
            .order_by(pp.effective_from.desc()).limit(1).scalar_subquery())


async def search(session: AsyncSession, *, tokens: Sequence[str], item_type: str | None,
                 chronic_only: bool, herbal_pieces: bool | None, limit: int, offset: int,
                 today: date) -> tuple[list[tuple[CatalogueProduct, Decimal | None]], int, bool]:
    """Active products matching every token, best first (rank of the first token, then the
    shorter generic name, then the name), each with its price today; how many match, and
    whether that count is exact (when false it is a lower bound: some rank held more than
    SORT_LIMIT matches).

    Ranks are read through the GIN indexes, at most SORT_LIMIT + 1 rows each, and sorted; a
    rank that holds more is read instead by a top-N statement, as far as the page
    needs, and the ranks after it are not counted. However common what was typed is, a search
    reads a few thousand rows at most, in two to five statements."""
    conditions: list[ColumnElement[bool]] = [_IS_ACTIVE, *(_token_match(t) for t in tokens)]
    if item_type:
        conditions.append(P.item_type == _value(item_type))
    if chronic_only:
        conditions.append(P.chronic_list.is_(True))
    if herbal_pieces is not None:
        conditions.append(P.herbal_pieces.is_(herbal_pieces))
    want = offset + limit
    ranks = _ranks(tokens[0])
    ids: list[uuid.UUID] = []
    total, exact = 0, True
    for group in _possible_ranks(tokens[0]):
        if not exact and len(ids) >= want:
            break  # the page is full and the total a lower bound already
        reads = await _read_ranks(session, conditions, {i: ranks[i] for i in group},
                                  want - len(ids))
        for i in group:
            read = reads[i]
            total += read.count
            if read.count > SORT_LIMIT:
                exact = False
                if len(ids) < want:
                    ids.extend(await _first_in_order(session, [*conditions, ranks[i]],
                                                     want - len(ids)))
            elif len(ids) < want:
                ids.extend(read.first_ids[: want - len(ids)])
    page = ids[offset:want]
    if not page:
        return [], total, exact
    rows = {product.id: (product, price) for product, price in await session.execute(
        select(P, _price_on(today)).where(P.id.in_(page)))}
    return [rows[i] for i in page], total, exact
