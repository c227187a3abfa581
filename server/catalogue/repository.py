"""All SQL of the catalogue."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
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

# Every statement of a search is built once per shape of query (how many tokens, which look
# like codes, which filters) and cached: building them cost about a third of a search's CPU.
# What was typed reaches them as parameters.


def _value(name: str, type_: Any = None) -> BindParameter[Any]:
    """A parameter written into the SQL text rather than bound: the planner then plans for this
    very pattern (a one-letter prefix matching thousands of rows is not a full name matching a
    few), even when the driver has turned a frequent statement into a prepared one. `type_`
    where no column it is compared with gives it one (it says how the value is written)."""
    return bindparam(name, type_=type_, literal_execute=True)


@dataclass(frozen=True)
class _Shape:
    codes: tuple[bool, ...]  # per token: whether it is also tried as a code
    item_type: bool
    chronic_only: bool
    herbal_pieces: bool | None


def _parameters(tokens: Sequence[str], item_type: str | None) -> dict[str, Any]:
    """The values of a query's parameters (see `_conditions` and `_ranks` for their use).
    Tokens hold only [a-z0-9] and CJK characters (search.normalise), so they need no escaping
    in LIKE patterns."""
    values: dict[str, Any] = {}
    for i, token in enumerate(tokens):
        # Substring (3+ characters) or word prefix (shorter) of the search text.
        values[f"t{i}"] = f"%{token}%" if len(token) >= SHORT_TOKEN else f"% {token}%"
        if is_code_like(token):  # or 医保代码 / 本位码 prefix
            values[f"t{i}_insurance"], values[f"t{i}_standard"] = f"{token.upper()}%", f"{token}%"
    first = tokens[0]
    values.update(whole=f"% {first} %", word_prefix=f"% {first}%", code_upper=first.upper(),
                  code=first)
    if item_type:
        values["item_type"] = item_type
    return values


def _code_prefix(i: int) -> list[ColumnElement[bool]]:
    return [P.insurance_code.like(_value(f"t{i}_insurance")),
            P.standard_code.like(_value(f"t{i}_standard"))]


@cache
def _conditions(shape: _Shape) -> tuple[ColumnElement[bool], ...]:
    """Active products matching every token, and the filters."""
    conditions: list[ColumnElement[bool]] = [_IS_ACTIVE]
    for i, code in enumerate(shape.codes):
        match = P.search_text.like(_value(f"t{i}"))
        conditions.append(or_(match, *_code_prefix(i)) if code else match)
    if shape.item_type:
        conditions.append(P.item_type == _value("item_type"))
    if shape.chronic_only:
        conditions.append(P.chronic_list.is_(True))
    if shape.herbal_pieces is not None:
        conditions.append(P.herbal_pieces.is_(shape.herbal_pieces))
    return tuple(conditions)


@cache
def _ranks(code: bool) -> tuple[ColumnElement[bool], ...]:
    """The conditions of ranks 0-3 for the first token, each excluding the ranks before it:
    0 a whole key (name, stem, brand, initials, pinyin, code) is the token; 1 a name or its
    initials start with it; 2 a pinyin or a code starts with it; 3 any other match."""
    exact = or_(P.search_primary.like(_value("whole")), P.search_secondary.like(_value("whole")),
                *((P.insurance_code == _value("code_upper"), P.standard_code == _value("code"))
                  if code else ()))
    name_prefix = P.search_primary.like(_value("word_prefix"))
    pinyin_prefix = or_(P.search_secondary.like(_value("word_prefix")),
                        *(_code_prefix(0) if code else ()))
    ranks = []
    better: list[ColumnElement[bool]] = []
    for condition in [exact, name_prefix, pinyin_prefix, None]:
        # IS NOT TRUE, not NOT: a code column may be NULL.
        excluded = [b.is_not(True) for b in better]
        ranks.append(and_(condition, *excluded) if condition is not None else and_(*excluded))
        if condition is not None:
            better.append(condition)
    return tuple(ranks)


@dataclass
class _RankRead:
    count: int  # capped at SORT_LIMIT + 1
    first_ids: list[uuid.UUID]  # in result order; not to be used when count > SORT_LIMIT


@cache
def _read_ranks_statement(shape: _Shape, group: tuple[int, ...]) -> Select[Any]:
    where, ranks = _conditions(shape), _ranks(shape.codes[0])
    branches = [
        select(literal_column(str(i)).label("rank"), P.id, *_ORDER[:-1])
        .where(*where, ranks[i]).limit(bindparam("cap", SORT_LIMIT + 1, literal_execute=True))
        for i in group]
    u = (union_all(*branches) if len(branches) > 1 else branches[0]).subquery()
    first = func.array_agg(aggregate_order_by(
        u.c.id, u.c.name_length, u.c.generic_name, u.c.specification, u.c.id))
    ids = first[1:_value("need", Integer())]
    return select(u.c.rank, func.count().label("n"), ids.label("ids")).group_by(u.c.rank)


async def _read_ranks(session: AsyncSession, shape: _Shape, values: dict[str, Any],
                      group: tuple[int, ...], need: int) -> dict[int, _RankRead]:
    """For the given ranks at once, in one statement: how many match (up to SORT_LIMIT + 1) and
    the first `need` of them in result order. Each rank reads its matches through the GIN
    indexes and stops at SORT_LIMIT + 1."""
    found = {row.rank: row for row in await session.execute(
        _read_ranks_statement(shape, group), {**values, "need": max(need, 1)})}
    return {i: _RankRead(found[i].n, list(found[i].ids)[:need]) if i in found
            else _RankRead(0, []) for i in group}


def _possible_ranks(token: str) -> list[tuple[int, ...]]:
    """The ranks a token can fall in, in groups read one statement each.

    Ranks 0 and 1 are read together: neither excludes many rows the index hands it. Ranks 2
    and 3 are read only if still needed, each on its own, and not at all where they are empty
    by construction (their index candidates would then all be read and all rejected): a Chinese
    token is in no pinyin or code (no rank 2); a short ASCII token matches word prefixes, and
    the only words that are not names, initials or pinyin are Chinese (no rank 3); and the
    first letter of a pinyin is that of its initials (no rank 2 for one letter)."""
    ascii_token = token.isascii()
    groups: list[tuple[int, ...]] = [(0, 1)]
    if ascii_token and (len(token) > 1 or is_code_like(token)):
        groups.append((2,))
    if not ascii_token or len(token) >= SHORT_TOKEN:
        groups.append((3,))
    return groups


_Key = tuple[int, str, str, uuid.UUID]
_AFTER = ("after_length", "after_name", "after_specification", "after_id")


@cache
def _walk_statement(shape: _Shape, rank: int, after: bool) -> Select[Any]:
    """The conditions are computed in the select list, not used as the filter: an index-only
    scan the planner cannot be talked out of (the index carries every column they read)."""
    where = [*_conditions(shape), _ranks(shape.codes[0])[rank]]
    hit = and_(*(c for c in where if c is not _IS_ACTIVE))  # status is the index's predicate
    window = select(*_ORDER, hit.label("hit"),
                    func.row_number().over(order_by=_ORDER).label("position")).where(_IS_ACTIVE)
    if after:
        window = window.where(tuple_(*_ORDER) > tuple_(
            *(_value(name, column.type) for name, column in zip(_AFTER, _ORDER, strict=True))))
    w = window.order_by(*_ORDER).limit(_value("rows", Integer())).subquery()
    return (select(w).where(or_(w.c.hit, w.c.position == _value("rows", Integer())))
            .order_by(w.c.position))


async def _walk(session: AsyncSession, shape: _Shape, rank: int, values: dict[str, Any],
                after: _Key | None, rows: int) -> tuple[list[uuid.UUID], _Key | None]:
    """The matches among the next `rows` active products of the ordered index after `after`,
    and the key of the last row walked (None when the index ended)."""
    found = (await session.execute(
        _walk_statement(shape, rank, after is not None),
        {**values, "rows": rows, **(dict(zip(_AFTER, after, strict=True)) if after else {})})
    ).all()
    ids = [r.id for r in found if r.hit]
    last = found[-1] if found and found[-1].position == rows else None
    return ids, (last.name_length, last.generic_name, last.specification, last.id) if last else None


@cache
def _top_statement(shape: _Shape, rank: int) -> Select[Any]:
    # A materialised CTE: the filter runs on its own (through the GIN indexes), and the
    # planner cannot turn the top-N into a walk of the whole ordered index.
    matches = (select(*_ORDER).where(*_conditions(shape), _ranks(shape.codes[0])[rank])
               .cte().prefix_with("MATERIALIZED"))
    return (select(matches.c.id).order_by(*(matches.c[c.key] for c in _ORDER))
            .limit(_value("need", Integer())))


async def _first_in_order(session: AsyncSession, shape: _Shape, rank: int,
                          values: dict[str, Any], need: int) -> list[uuid.UUID]:
    """The first `need` matches of a rank too large to sort whole (more than SORT_LIMIT), in
    result order, reading a few thousand rows.

    The planner cannot choose well here (pg_trgm guesses a few hundred rows for any pattern),
    and the two ways cost about the same per row: walking the ordered index costs rows walked
    (need / density), reading every match through the GIN indexes and keeping the best costs
    the matches. So the head of the ordered index is walked first; its density says whether
    walking on is cheaper than reading the matches (one letter: dense, found early) or not (阿莫:
    a few thousand names, most of them long and late in the order: none in the head)."""
    found, last = await _walk(session, shape, rank, values, None, WALK_WINDOW)
    if len(found) >= need or last is None:
        return found[:need]
    if found:
        # Rows still to walk at the head's density, with a margin for unevenness.
        rows = -(-(need - len(found)) * WALK_WINDOW * 3 // (2 * len(found)))
        if rows <= MAX_WALK:
            more, last = await _walk(session, shape, rank, values, last, rows)
            found += more
            if len(found) >= need or last is None:
                return found[:need]
    return list((await session.scalars(_top_statement(shape, rank),
                                       {**values, "need": need})).all())


@cache
def _with_prices() -> Select[CatalogueProduct, Decimal]:
    """Products by id, each with its price on a day: its latest version in effect then."""
    pp = CatalogueProductPrice
    price = (select(pp.price).where(pp.product_id == P.id, pp.effective_from <= bindparam("day"))
             .order_by(pp.effective_from.desc()).limit(1).scalar_subquery())
    return select(P, price).where(P.id.in_(bindparam("ids", expanding=True)))


async def with_prices(session: AsyncSession, ids: Sequence[uuid.UUID], today: date
                      ) -> dict[uuid.UUID, tuple[CatalogueProduct, Decimal | None]]:
    """Products by id, each with its price on `today` (None when it has none yet)."""
    rows = (await session.execute(_with_prices(), {"ids": list(ids), "day": today})).all()
    return {row[0].id: (row[0], row[1]) for row in rows}


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
    shape = _Shape(codes=tuple(is_code_like(t) for t in tokens), item_type=bool(item_type),
                   chronic_only=chronic_only, herbal_pieces=herbal_pieces)
    values = _parameters(tokens, item_type)
    want = offset + limit
    ids: list[uuid.UUID] = []
    total, exact = 0, True
    for group in _possible_ranks(tokens[0]):
        if not exact and len(ids) >= want:
            break  # the page is full and the total a lower bound already
        reads = await _read_ranks(session, shape, values, group, want - len(ids))
        for i in group:
            read = reads[i]
            total += read.count
            if read.count > SORT_LIMIT:
                exact = False
                if len(ids) < want:
                    ids.extend(await _first_in_order(session, shape, i, values, want - len(ids)))
            elif len(ids) < want:
                ids.extend(read.first_ids[: want - len(ids)])
    page = ids[offset:want]
    if not page:
        return [], total, exact
    rows = await with_prices(session, page, today)
    return [rows[i] for i in page], total, exact
