"""HTTP routes of courier tariffs: the versions in effect, their history, new versions, CSV
import, and a fee quote."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query

from server.access.roles import Permission
from server.core.context import Principal
from server.core.deps import Ctx, QueryDate, Svc
from server.core.errors import ERROR_RESPONSES
from server.delivery import service, tariffs
from server.delivery.schemas import (
    FeeQuoteOut,
    ImportReport,
    TariffVersionIn,
    TariffVersionOut,
)
from server.identity.dependencies import CurrentPrincipal, require

router = APIRouter(prefix="/tariffs", tags=["快递运费 tariffs"], responses=ERROR_RESPONSES)

ManageConfig = Annotated[Principal, require(Permission.CONFIG_MANAGE)]
Carrier = Annotated[str, Path(pattern=r"^[A-Z][A-Z0-9_]{1,19}$", description="承运商代码")]


@router.get("", operation_id="list_tariffs", response_model=list[TariffVersionOut])
async def list_tariffs(principal: CurrentPrincipal, ctx: Ctx, svc: Svc,
                       at: Annotated[QueryDate | None, Query(description="日期；默认今天")] = None,
                       ) -> list[TariffVersionOut]:
    """Each carrier's tariff version in effect on the day."""
    return await tariffs.in_effect(ctx.session, at or service.business_day(svc.clock.now()))


@router.get("/quote", operation_id="quote_courier_fee", response_model=FeeQuoteOut)
async def quote(principal: CurrentPrincipal, ctx: Ctx, svc: Svc,
                region_code: str = Query(max_length=10, description="收货地行政区划代码"),
                weight_g: int = Query(ge=1, le=1_000_000),
                distance_km: float | None = Query(None, ge=0, le=10_000),
                carrier_code: str | None = Query(None, max_length=20)) -> FeeQuoteOut:
    """The fee now, by the tariff in effect (the cheapest carrier unless one is named)."""
    return FeeQuoteOut.model_validate(await service.quote_courier_fee(
        ctx.session, region_code=region_code, weight_g=weight_g, distance_km=distance_km,
        at=svc.clock.now(), carrier_code=carrier_code))


@router.post("/import", operation_id="import_tariffs", response_model=ImportReport)
async def import_tariffs(
    principal: ManageConfig, ctx: Ctx, svc: Svc,
    content: Annotated[bytes, Body(media_type="text/csv", description="UTF-8 CSV")],
    dry_run: bool = Query(False, description="只校验，不导入"),
) -> ImportReport:
    """New tariff versions from a CSV file: all rows or none; bad rows are listed (422)."""
    return await tariffs.import_csv(ctx, principal, content,
                                    today=service.business_day(svc.clock.now()),
                                    dry_run=dry_run)


@router.get("/{carrier_code}", operation_id="tariff_history",
            response_model=list[TariffVersionOut])
async def tariff_history(carrier_code: Carrier, principal: CurrentPrincipal,
                         ctx: Ctx) -> list[TariffVersionOut]:
    """Every version of a carrier's tariff, oldest first."""
    return await tariffs.history(ctx.session, carrier_code)


@router.put("/{carrier_code}", operation_id="put_tariff", response_model=TariffVersionOut,
            status_code=201)
async def put_tariff(carrier_code: Carrier, body: TariffVersionIn, principal: ManageConfig,
                     ctx: Ctx, svc: Svc) -> TariffVersionOut:
    """A new version of the carrier's tariff from `effective_from` on."""
    return await tariffs.create_version(ctx, principal, carrier_code, body,
                                        today=service.business_day(svc.clock.now()))
