"""The seed knowledge set (server/knowledge/data/*.csv): well-established facts for the drugs of
the seed catalogue, loaded and activated as version 1 when no set is active yet."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from server.knowledge import repository, service

SEED_FOLDER = Path(__file__).resolve().parent / "data"
SEED_DESCRIPTION = ("初始知识库：种子目录常用药品的相互作用、剂量、过敏、重复用药、禁忌、配伍、"
                    "医保规则")
SEED_LOADED_BY = "药事管理与药物治疗学委员会"


async def seed_knowledge(session: AsyncSession) -> None:
    """Load and activate the seed set, unless a set is active already (idempotent).
    The caller commits."""
    if await repository.active_ref(session) is not None:
        return
    await service.load_folder(session, SEED_FOLDER, description=SEED_DESCRIPTION,
                              loaded_by=SEED_LOADED_BY, activate=True)
