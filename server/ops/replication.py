"""Streaming replicas as the primary sees them and as each replica sees itself.

Lag is measured in WAL bytes (primary's current position minus what the replica replayed) and
in seconds. `now() - pg_last_xact_replay_timestamp()` alone grows without bound on an idle
primary although nothing is missing, so seconds count only while bytes are behind.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass(frozen=True)
class ReplicaState:
    name: str
    up: bool
    in_recovery: bool = False
    lag_bytes: int | None = None
    lag_seconds: float | None = None
    error: str | None = None


async def primary_wal_position(engine: AsyncEngine) -> str:
    async with engine.connect() as conn:
        return str((await conn.execute(text("SELECT pg_current_wal_lsn()"))).scalar_one())


async def replica_state(name: str, engine: AsyncEngine, primary_lsn: str | None) -> ReplicaState:
    try:
        async with engine.connect() as conn:
            in_recovery, replayed, behind_s = (await conn.execute(text(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn(),"
                " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"))).one()
            lag_bytes = None
            if primary_lsn is not None and replayed is not None:
                lag_bytes = int((await conn.execute(text(
                    "SELECT pg_wal_lsn_diff(CAST(:p AS pg_lsn), CAST(:r AS pg_lsn))"),
                    {"p": primary_lsn, "r": str(replayed)})).scalar_one())
                lag_bytes = max(0, lag_bytes)
    except (OperationalError, DBAPIError, OSError) as exc:
        return ReplicaState(name, up=False, error=_reason(exc))
    if lag_bytes == 0:
        seconds: float | None = 0.0
    else:
        seconds = float(behind_s) if behind_s is not None else None
    return ReplicaState(name, up=True, in_recovery=bool(in_recovery), lag_bytes=lag_bytes,
                        lag_seconds=seconds)


def _reason(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0][:200]
