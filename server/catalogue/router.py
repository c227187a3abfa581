"""HTTP routes of the circulation catalogue (同质化目录)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from server.access.roles import Permission
from server.catalogue import repository, service
from server.catalogue.models import ItemType, ProductStatus
from server.catalogue.schemas import (
    PriceChange,
    ProductDetail,
    ProductOut,
    ProductPage,
    ProductProposal,
    SearchPage,
    StatusChangeRequest,
)
from server.core.context import Principal
from server.core.deps import Ctx, Svc
from server.core.errors import ERROR_RESPONSES
from server.identity.dependencies import require

router = APIRouter(prefix="/catalogue", tags=["目录 catalogue"], responses=ERROR_RESPONSES)

ReadCatalogue = Annotated[Principal, require(Permission.CATALOGUE_READ)]
ProposeProducts = Annotated[Principal, require(Permission.CATALOGUE_PROPOSE)]
ApproveProducts = Annotated[Principal, require(Permission.CATALOGUE_APPROVE)]


@router.get("/search", operation_id="search_catalogue", response_model=SearchPage)
async def search_catalogue(
    principal: ReadCatalogue, ctx: Ctx, svc: Svc,
    q: Annotated[str, Query(min_length=1, max_length=60,
                            description="通用名、商品名、拼音全拼或首字母、医保代码或本位码前缀")],
    item_type: ItemType | None = None,
    chronic_only: bool = Query(False, description="只查慢病目录"),
    herbal_pieces: bool | None = Query(None, description="只查（true）或排除（false）中药饮片"),
    limit: int = Query(20, ge=1, le=100), offset: int = Query(0, ge=0, le=500),
) -> SearchPage:
    """As-you-type search over active products; a read-only query, served by a replica when
    one is up."""
    today = service.business_day(svc.clock)
    async with svc.db.read_session(ctx.session) as (session, source):
        hits, total, exact = await service.search(
            session, q=q, item_type=item_type, chronic_only=chronic_only,
            herbal_pieces=herbal_pieces, limit=limit, offset=offset, today=today)
    return SearchPage(items=list(hits), total=total, total_exact=exact, limit=limit,
                      offset=offset, served_by=source)


@router.get("/products", operation_id="list_catalogue_products", response_model=ProductPage)
async def list_products(
    principal: ProposeProducts, ctx: Ctx,
    status: ProductStatus | None = None, item_type: ItemType | None = None,
    limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0),
) -> ProductPage:
    """The catalogue administrators' list, e.g. the proposals waiting for approval."""
    rows, total = await repository.list_products(ctx.session, status=status, item_type=item_type,
                                                 limit=limit, offset=offset)
    return ProductPage(items=[ProductOut.model_validate(r) for r in rows], total=total)


@router.get("/products/{product_id}", operation_id="get_catalogue_product",
            response_model=ProductDetail)
async def get_product(product_id: uuid.UUID, principal: ReadCatalogue, ctx: Ctx,
                      svc: Svc) -> ProductDetail:
    """One product, whatever its status, with its price versions and status history."""
    product = await service.get(ctx, product_id)
    return await service.detail(ctx.session, product, today=service.business_day(svc.clock))


@router.post("/proposals", operation_id="propose_catalogue_product",
             response_model=ProductDetail, status_code=201)
async def propose_product(body: ProductProposal, principal: ProposeProducts, ctx: Ctx,
                          svc: Svc) -> ProductDetail:
    """Propose a product for the catalogue; it circulates once a hospital administrator
    approves it."""
    today = service.business_day(svc.clock)
    product = await service.propose(ctx, principal, body, today=today)
    return await service.detail(ctx.session, product, today=today)


async def _transition(action: str, product_id: uuid.UUID, body: StatusChangeRequest,
                      principal: Principal, ctx: Ctx, svc: Svc) -> ProductDetail:
    product = await service.change_status(ctx, principal, product_id, action, body)
    return await service.detail(ctx.session, product, today=service.business_day(svc.clock))


@router.post("/products/{product_id}/approve", operation_id="approve_catalogue_product",
             response_model=ProductDetail)
async def approve_product(product_id: uuid.UUID, body: StatusChangeRequest,
                          principal: ApproveProducts, ctx: Ctx, svc: Svc) -> ProductDetail:
    """Approve a proposal: the product becomes active and searchable."""
    return await _transition("approve", product_id, body, principal, ctx, svc)


@router.post("/products/{product_id}/refuse", operation_id="refuse_catalogue_product",
             response_model=ProductDetail)
async def refuse_product(product_id: uuid.UUID, body: StatusChangeRequest,
                         principal: ApproveProducts, ctx: Ctx, svc: Svc) -> ProductDetail:
    """Refuse a proposal (reason required)."""
    return await _transition("refuse", product_id, body, principal, ctx, svc)


@router.post("/products/{product_id}/suspend", operation_id="suspend_catalogue_product",
             response_model=ProductDetail)
async def suspend_product(product_id: uuid.UUID, body: StatusChangeRequest,
                          principal: ApproveProducts, ctx: Ctx, svc: Svc) -> ProductDetail:
    """Suspend an active product (reason required): it stops circulating until reinstated."""
    return await _transition("suspend", product_id, body, principal, ctx, svc)


@router.post("/products/{product_id}/reinstate", operation_id="reinstate_catalogue_product",
             response_model=ProductDetail)
async def reinstate_product(product_id: uuid.UUID, body: StatusChangeRequest,
                            principal: ApproveProducts, ctx: Ctx, svc: Svc) -> ProductDetail:
    """Reinstate a suspended product (reason required)."""
    return await _transition("reinstate", product_id, body, principal, ctx, svc)


@router.post("/products/{product_id}/withdraw", operation_id="withdraw_catalogue_product",
             response_model=ProductDetail)
async def withdraw_product(product_id: uuid.UUID, body: StatusChangeRequest,
                           principal: ApproveProducts, ctx: Ctx, svc: Svc) -> ProductDetail:
    """Withdraw a product from the catalogue for good (reason required)."""
    return await _transition("withdraw", product_id, body, principal, ctx, svc)


@router.post("/products/{product_id}/prices", operation_id="add_catalogue_price",
             response_model=ProductDetail, status_code=201)
async def add_price(product_id: uuid.UUID, body: PriceChange, principal: ApproveProducts,
                    ctx: Ctx, svc: Svc) -> ProductDetail:
    """A new price version from `effective_from` (today by default, never in the past)."""
    today = service.business_day(svc.clock)
    product = await service.add_price(ctx, principal, product_id, body, today=today)
    return await service.detail(ctx.session, product, today=today)
