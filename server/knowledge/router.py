"""HTTP routes of the knowledge base: the versions loaded, loading one, activating one."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from server.access.roles import Permission
from server.core.context import Principal
from server.core.deps import Ctx, Offset, Svc
from server.core.errors import ERROR_RESPONSES
from server.identity.dependencies import require
from server.knowledge import export, repository, service
from server.knowledge.rules import RULE_KIND_LABELS, RuleKind
from server.knowledge.schemas import (
    AllergyClassList,
    AllergyClassOut,
    KindImport,
    KnowledgeRulesOut,
    KnowledgeSetOut,
    KnowledgeSetPage,
    KnowledgeUpload,
)

router = APIRouter(prefix="/knowledge", tags=["知识库 knowledge"], responses=ERROR_RESPONSES)

ReadKnowledge = Annotated[Principal, require(Permission.CATALOGUE_READ)]
ManageKnowledge = Annotated[Principal, require(Permission.KNOWLEDGE_MANAGE)]
ReadPatients = Annotated[Principal, require(Permission.PATIENT_READ)]


@router.get("/sets", operation_id="list_knowledge_sets", response_model=KnowledgeSetPage)
async def list_sets(principal: ReadKnowledge, ctx: Ctx,
                    limit: int = Query(50, ge=1, le=500),
                    offset: Offset = 0) -> KnowledgeSetPage:
    """Every version loaded, newest first; `active` marks the one the checks use."""
    rows, total = await repository.list_sets(ctx.session, limit=limit, offset=offset)
    return KnowledgeSetPage(items=[KnowledgeSetOut.model_validate(r) for r in rows], total=total)


@router.post("/sets", operation_id="load_knowledge_set", response_model=KnowledgeSetOut,
             status_code=201)
async def load_set(body: KnowledgeUpload, principal: ManageKnowledge, ctx: Ctx,
                   svc: Svc) -> KnowledgeSetOut:
    """Load a whole set as the next version. Every file is checked first: one bad row and
    nothing is stored (422, `errors` lists file, row and reason of each)."""
    knowledge_set = await service.upload(ctx, principal, body.files,
                                         description=body.description,
                                         activate=body.activate, clock=svc.clock)
    return KnowledgeSetOut.model_validate(knowledge_set)


@router.post("/sets/{set_id}/activate", operation_id="activate_knowledge_set",
             response_model=KnowledgeSetOut)
async def activate_set(set_id: uuid.UUID, principal: ManageKnowledge, ctx: Ctx,
                       svc: Svc) -> KnowledgeSetOut:
    """Make this version the one every check uses (the previous one is kept, inactive)."""
    knowledge_set = await service.activate(ctx, principal, set_id, clock=svc.clock)
    return KnowledgeSetOut.model_validate(knowledge_set)


@router.get("/allergy-classes", operation_id="list_allergy_classes",
            response_model=AllergyClassList)
async def allergy_classes(principal: ReadPatients, ctx: Ctx) -> AllergyClassList:
    """The allergen classes of the active set, for recording a patient's allergy."""
    knowledge = await service.snapshot(ctx.session)
    items = [AllergyClassOut(code=c.class_code, label=c.label)
             for c in knowledge.allergy_classes.values()]
    return AllergyClassList(knowledge_version=knowledge.version, items=items)


@router.get("/rules/{kind}", operation_id="list_knowledge_rules", response_model=KnowledgeRulesOut)
async def list_rules(kind: RuleKind, principal: ReadKnowledge, ctx: Ctx,
                     set_id: uuid.UUID | None = None) -> KnowledgeRulesOut:
    """Every rule of one kind of a set (the active set by default), as CSV cells."""
    knowledge_set, rules = await service.rules_of(ctx.session, set_id)
    return KnowledgeRulesOut(set_id=knowledge_set.id, version=knowledge_set.version,
                             active=knowledge_set.active, kind=kind,
                             label=RULE_KIND_LABELS[kind], columns=export.columns(kind),
                             rows=export.rows(kind, rules))


@router.post("/import/{kind}", operation_id="import_knowledge_kind",
             response_model=KnowledgeSetOut, status_code=201)
async def import_kind(kind: RuleKind, body: KindImport, principal: ManageKnowledge, ctx: Ctx,
                      svc: Svc) -> KnowledgeSetOut:
    """Replace every rule of one kind from a CSV file, as the next version. Every row is
    checked first: one bad row and nothing is stored (422, `errors` lists file, row, column
    and reason of each)."""
    knowledge_set = await service.import_kind(ctx, principal, kind, body.csv,
                                              description=body.description,
                                              activate=body.activate, clock=svc.clock)
    return KnowledgeSetOut.model_validate(knowledge_set)
