"""Recomputing the audit chain: the first event that was edited, removed or cut off."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import repository
from server.audit.chain import GENESIS, HASHED_FIELDS, event_hash
from server.audit.checkpoints import Checkpoint


@dataclass
class VerifyResult:
    ok: bool
    events_checked: int
    head_seq: int
    first_broken_seq: int | None = None
    problem: str | None = None
    checkpoints_checked: int = 0
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.ok:
            return (f"审计链完整：共 {self.events_checked} 条事件，最新序号 {self.head_seq}，"
                    f"核对检查点 {self.checkpoints_checked} 个")
        return f"审计链已被破坏：{self.problem}"


def _fields(event: object) -> dict[str, object]:
    return {name: getattr(event, name) for name in HASHED_FIELDS}


async def verify_chain(session: AsyncSession, checkpoints: list[Checkpoint],
                       warnings: list[str] | None = None) -> VerifyResult:
    expected_seq, prev = 1, GENESIS
    at_checkpoint = {c.seq: c for c in checkpoints}
    checked = 0
    result = VerifyResult(ok=True, events_checked=0, head_seq=0, warnings=list(warnings or []))
    async for event in repository.iterate(session):
        if event.seq != expected_seq:
            return _broken(result, expected_seq, f"第 {expected_seq} 号事件缺失（已被删除）")
        if event.prev_hash != prev:
            return _broken(result, event.seq, f"第 {event.seq} 号事件的前序哈希不符（链被改写）")
        if event_hash(prev, _fields(event)) != event.hash:
            return _broken(result, event.seq, f"第 {event.seq} 号事件内容已被篡改")
        checkpoint = at_checkpoint.get(event.seq)
        if checkpoint is not None:
            if checkpoint.hash != event.hash:
                return _broken(result, event.seq,
                               f"第 {event.seq} 号事件与签名检查点不符（链被整体改写）")
            checked += 1
        prev = event.hash
        expected_seq += 1
        result.events_checked += 1
    result.head_seq = expected_seq - 1
    result.checkpoints_checked = checked
    beyond = [c for c in checkpoints if c.seq > result.head_seq]
    if beyond:
        return _broken(result, result.head_seq + 1,
                       f"审计链末尾被截断：检查点记录到第 {beyond[-1].seq} 号，数据库只到第 "
                       f"{result.head_seq} 号")
    return result


def _broken(result: VerifyResult, seq: int, problem: str) -> VerifyResult:
    result.ok = False
    result.first_broken_seq = seq
    result.problem = problem
    return result
