"""FastAPI dependencies shared by every router, as `Annotated` aliases."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import BeforeValidator
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.context import RequestContext
from server.core.services import Services

# `async def` although they do not await: FastAPI runs a plain `def` dependency on its thread
# pool, a hand-off to a thread and back for each of them on every request.

async def get_ctx(request: Request) -> RequestContext:
    return request.state.ctx


async def get_session(request: Request) -> AsyncSession:
    return request.state.ctx.session


async def get_services(request: Request) -> Services:
    return request.app.state.services


Ctx = Annotated[RequestContext, Depends(get_ctx)]
DbSession = Annotated[AsyncSession, Depends(get_session)]
Svc = Annotated[Services, Depends(get_services)]

# Paging offset: bounded by what PostgreSQL's OFFSET takes (bigint), so an absurd value is a 422
# naming `offset`, not a database error.
Offset = Annotated[int, Query(ge=0, le=2**63 - 1, description="跳过的条数")]

def _written_as(pattern: str, message: str) -> BeforeValidator:
    """Accept only text of the documented form: pydantic alone would also take a number in a
    query string as a Unix time ("0.0" -> 1970-01-01) and answer for a moment nobody asked for."""
    form = re.compile(pattern)

    def check(value: object) -> object:
        if isinstance(value, str) and not form.fullmatch(value):
            raise ValueError(message)
        return value

    return BeforeValidator(check)


# A day in a query string, written YYYY-MM-DD as documented.
QueryDate = Annotated[date, _written_as(r"\d{4}-\d{2}-\d{2}", "日期应为 YYYY-MM-DD")]
# A moment in a query string, ISO 8601 as documented.
QueryMoment = Annotated[datetime, _written_as(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*",
                                              "时间应为 ISO 8601，如 2026-11-27T08:00:00+08:00")]
