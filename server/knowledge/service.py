"""Loading, listing and activating knowledge sets, and the snapshot the checks read.

`snapshot(session)` asks the database one indexed question (which set is active?) and answers
from a per-process cache keyed by the set's id; a set never changes once loaded, so a cached
snapshot is never stale, and activating another set is seen by every server process at its
next check.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from server.core.clock import Clock
from server.core.context import Principal, RequestContext
from server.core.errors import NotFound, ServiceUnavailable, Unprocessable
from server.knowledge import export, loader, repository
from server.knowledge.models import KnowledgeSet
from server.knowledge.rules import RuleKind, RuleSet
from server.knowledge.snapshot import KnowledgeSnapshot

# Snapshots kept per process: the active one and a few recent ones (a re-check against the
# version a finding was made with, a switch back after an activation).
SNAPSHOT_CACHE_LIMIT = 4
_snapshots: dict[uuid.UUID, KnowledgeSnapshot] = {}


class NoActiveKnowledge(ServiceUnavailable):
    default_detail = "未启用药品知识库，无法进行用药审查"


async def snapshot(session: AsyncSession) -> KnowledgeSnapshot:
    """The active knowledge set, indexed; NoActiveKnowledge (503) when none is active."""
    ref = await repository.active_ref(session)
    if ref is None:
        raise NoActiveKnowledge()
    set_id, version, description = ref
    return await _cached(session, set_id, version, description)


async def snapshot_of(session: AsyncSession, set_id: uuid.UUID) -> KnowledgeSnapshot:
    """Any set, active or not (to replay a check against the version it was made with)."""
    found = _snapshots.get(set_id)
    if found is not None:
        return found
    knowledge_set = await repository.get(session, set_id)
    if knowledge_set is None:
        raise NotFound("知识库版本不存在")
    return await _cached(session, set_id, knowledge_set.version, knowledge_set.description)


async def _cached(session: AsyncSession, set_id: uuid.UUID, version: int,
                  description: str) -> KnowledgeSnapshot:
    found = _snapshots.get(set_id)
    if found is None:
        rules = await repository.load_rules(session, set_id)
        found = KnowledgeSnapshot(rules, version=version, set_id=set_id,
                                  description=description)
        while len(_snapshots) >= SNAPSHOT_CACHE_LIMIT:
            _snapshots.pop(next(iter(_snapshots)))
        _snapshots[set_id] = found
    return found


def forget_snapshots() -> None:
    """Empty this process's cache (tests; a set is never changed, so the server never needs it)."""
    _snapshots.clear()


async def load_set(session: AsyncSession, files: Mapping[str, str], *, description: str,
                   loaded_by: str, loaded_by_id: uuid.UUID | None = None,
                   activate: bool = False, clock: Clock | None = None) -> KnowledgeSet:
    """Validate every file, then store the set as the next version (inactive unless
    `activate`). KnowledgeInvalid, with every bad row, before anything is written."""
    rules = loader.parse_files(files)
    await repository.lock(session)
    knowledge_set = KnowledgeSet(
        id=uuid.uuid4(), version=await repository.next_version(session),
        description=description, loaded_by=loaded_by, loaded_by_id=loaded_by_id, active=False,
        counts=rules.counts())
    session.add(knowledge_set)
    await session.flush()
    await repository.insert_rules(session, knowledge_set.id, rules)
    if activate:
        await _activate(session, knowledge_set, by=loaded_by, clock=clock)
    await session.refresh(knowledge_set)
    return knowledge_set


async def load_folder(session: AsyncSession, folder: Path, *, description: str,
                      loaded_by: str, activate: bool = False) -> KnowledgeSet:
    return await load_set(session, loader.read_folder(folder), description=description,
                          loaded_by=loaded_by, activate=activate)


async def _activate(session: AsyncSession, knowledge_set: KnowledgeSet, *, by: str,
                    clock: Clock | None) -> None:
    await repository.deactivate_all(session)
    knowledge_set.active = True
    knowledge_set.activated_by = by
    knowledge_set.activated_at = (clock or Clock()).now()
    await session.flush()


# -- use cases of the API ------------------------------------------------------------------------

async def _load_checked(ctx: RequestContext, actor: Principal, files: Mapping[str, str], *,
                        description: str, activate: bool, clock: Clock) -> KnowledgeSet:
    try:
        return await load_set(ctx.session, files, description=description,
                              loaded_by=actor.name, loaded_by_id=actor.id,
                              activate=activate, clock=clock)
    except loader.KnowledgeInvalid as invalid:
        raise Unprocessable(
            f"知识库数据校验未通过，共 {len(invalid.errors)} 处错误，未导入任何数据："
            + "；".join(str(e) for e in invalid.errors[:3]),
            errors=[e.as_dict() for e in invalid.errors]) from None


async def upload(ctx: RequestContext, actor: Principal, files: Mapping[str, str], *,
                 description: str, activate: bool, clock: Clock) -> KnowledgeSet:
    knowledge_set = await _load_checked(ctx, actor, files, description=description,
                                        activate=activate, clock=clock)
    ctx.note("knowledge.load", "knowledge_set", knowledge_set.id,
             version=knowledge_set.version, counts=knowledge_set.counts, activated=activate)
    return knowledge_set


async def rules_of(session: AsyncSession, set_id: uuid.UUID | None
                   ) -> tuple[KnowledgeSet, RuleSet]:
    """A set (the active one when `set_id` is None) and its rules."""
    if set_id is None:
        ref = await repository.active_ref(session)
        if ref is None:
            raise NoActiveKnowledge()
        set_id = ref[0]
    knowledge_set = await repository.get(session, set_id)
    if knowledge_set is None:
        raise NotFound("知识库版本不存在")
    return knowledge_set, await repository.load_rules(session, set_id)


async def import_kind(ctx: RequestContext, actor: Principal, kind: RuleKind, csv_text: str, *,
                      description: str, activate: bool, clock: Clock) -> KnowledgeSet:
    """The next version: the active set with every rule of `kind` replaced by `csv_text`.

    The other kinds are written out and read back with the new file, so one bad row, or a
    row the other files contradict (a cross-sensitivity naming a class no longer defined),
    refuses the whole import and stores nothing."""
    ref = await repository.active_ref(ctx.session)
    base = await repository.load_rules(ctx.session, ref[0]) if ref else RuleSet()
    files = export.files_of(base)
    files[loader.FILE_NAMES[kind]] = csv_text
    knowledge_set = await _load_checked(ctx, actor, files, description=description,
                                        activate=activate, clock=clock)
    ctx.note("knowledge.import", "knowledge_set", knowledge_set.id, kind=str(kind),
             version=knowledge_set.version, based_on=ref[1] if ref else None,
             rows=knowledge_set.counts.get(kind), activated=activate)
    return knowledge_set


async def activate(ctx: RequestContext, actor: Principal, set_id: uuid.UUID, *,
                   clock: Clock) -> KnowledgeSet:
    await repository.lock(ctx.session)
    knowledge_set = await repository.get(ctx.session, set_id)
    if knowledge_set is None:
        raise NotFound("知识库版本不存在")
    await ctx.session.refresh(knowledge_set)  # after the lock: another activation may have run
    previous = await repository.active_ref(ctx.session)
    if not knowledge_set.active:
        await _activate(ctx.session, knowledge_set, by=actor.name, clock=clock)
    ctx.note("knowledge.activate", "knowledge_set", knowledge_set.id,
             version=knowledge_set.version,
             previous_version=previous[1] if previous else None)
    return knowledge_set
