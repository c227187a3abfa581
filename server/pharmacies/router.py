"""HTTP routes of pharmacies: applications (遴选), profiles, hours, capabilities, staff, stock
feed, and the options a staff app offers a patient."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from server.access.roles import Permission
from server.core.context import Principal
from server.core.deps import Ctx, Offset, Svc
from server.core.errors import ERROR_RESPONSES, Unprocessable
from server.identity import credentials
from server.identity.dependencies import CurrentPrincipal, anonymous_write, require
from server.identity.schemas import UserCreated, UserOut
from server.organisations.models import OrganisationStatus
from server.pharmacies import codes, onboarding, repository, service, stock
from server.pharmacies.delivery import DeliveryMode
from server.pharmacies.schemas import (
    CapabilitiesUpdate,
    HoursUpdate,
    PharmacyApplication,
    PharmacyOptionOut,
    PharmacyOut,
    PharmacyPage,
    StaffCreate,
    StatusChangeOut,
    StatusChangeRequest,
    StockOut,
    StockReport,
)

router = APIRouter(prefix="/pharmacies", tags=["药店 pharmacies"], responses=ERROR_RESPONSES)

ManagePharmacies = Annotated[Principal, require(Permission.PHARMACY_MANAGE)]
ReadOrgs = Annotated[Principal, require(Permission.ORG_READ)]


@router.post("/applications", operation_id="apply_pharmacy", response_model=PharmacyOut,
             status_code=201, dependencies=[Depends(anonymous_write)])
async def apply_pharmacy(body: PharmacyApplication, ctx: Ctx) -> PharmacyOut:
    """A retail pharmacy applies to join (遴选申请); it waits, pending, for the hospital."""
    return await onboarding.apply(ctx, body)


@router.get("", operation_id="list_pharmacies", response_model=PharmacyPage)
async def list_pharmacies(principal: ManagePharmacies, ctx: Ctx,
                          status: OrganisationStatus | None = None,
                          limit: int = Query(100, ge=1, le=500),
                          offset: Offset = 0) -> PharmacyPage:
    """The administrators' list, e.g. the applications waiting (status=pending)."""
    rows, total = await repository.list_pharmacies(ctx.session, status=status, limit=limit,
                                                   offset=offset)
    return PharmacyPage(items=[await service.overview(ctx.session, org) for org, _ in rows],
                        total=total)


@router.get("/options", operation_id="pharmacy_options", response_model=list[PharmacyOptionOut])
async def pharmacy_options(
    principal: ReadOrgs, ctx: Ctx, svc: Svc,
    hospital_id: uuid.UUID, mode: DeliveryMode,
    lat: float | None = Query(None, ge=-90, le=90, description="患者位置纬度"),
    lon: float | None = Query(None, ge=-180, le=180, description="患者位置经度"),
    region_code: str | None = Query(None, max_length=10, description="快递收货地区代码"),
    product_id: Annotated[list[uuid.UUID], Query(max_length=50)] = [],  # noqa: B006
    quantity: Annotated[list[int], Query(max_length=50,
                                         description="与 product_id 一一对应；默认各 1")] = [],  # noqa: B006
) -> list[PharmacyOptionOut]:
    """The pharmacies a patient may choose for `mode`, open ones and those with the products
    in stock first, then the nearest."""
    if (lat is None) != (lon is None):
        raise Unprocessable("经纬度须同时提供", field="lat" if lat is None else "lon")
    if region_code is not None:
        try:
            region_code = codes.region_code(region_code)
        except ValueError as exc:
            raise Unprocessable(str(exc), field="region_code") from None
    if quantity and len(quantity) != len(product_id):
        raise Unprocessable("quantity 须与 product_id 一一对应", field="quantity")
    if any(q < 1 or q > 100_000 for q in quantity):
        raise Unprocessable("数量应为 1–100000", field="quantity")
    wanted: dict[uuid.UUID, int] = {}
    for index, product in enumerate(product_id):
        wanted[product] = wanted.get(product, 0) + (quantity[index] if quantity else 1)
    found = await service.options(
        ctx.session, hospital_id=hospital_id, mode=mode, at=svc.clock.now(),
        product_quantities=wanted, origin=(lat, lon) if lat is not None and lon is not None
        else None, region_code=region_code)
    return [PharmacyOptionOut.model_validate(o) for o in found]


@router.get("/{pharmacy_id}", operation_id="get_pharmacy", response_model=PharmacyOut)
async def get_pharmacy(pharmacy_id: uuid.UUID, principal: CurrentPrincipal,
                       ctx: Ctx) -> PharmacyOut:
    """An approved pharmacy, for everyone signed in; one not (yet) approved, for its staff and
    the administrators."""
    return await service.detail(ctx.session, principal, pharmacy_id)


@router.get("/{pharmacy_id}/history", operation_id="pharmacy_status_history",
            response_model=list[StatusChangeOut])
async def pharmacy_history(pharmacy_id: uuid.UUID, principal: CurrentPrincipal,
                           ctx: Ctx) -> list[StatusChangeOut]:
    """Every status change, oldest first: application, approval or refusal, suspensions."""
    return [StatusChangeOut.model_validate(h)
            for h in await onboarding.history(ctx, principal, pharmacy_id)]


async def _transition(action: str, pharmacy_id: uuid.UUID, body: StatusChangeRequest,
                      principal: Principal, ctx: Ctx) -> PharmacyOut:
    org = await onboarding.change_status(ctx, principal, pharmacy_id, action,
                                         version=body.version, reason=body.reason)
    return await service.overview(ctx.session, org)


@router.post("/{pharmacy_id}/approve", operation_id="approve_pharmacy",
             response_model=PharmacyOut)
async def approve_pharmacy(pharmacy_id: uuid.UUID, body: StatusChangeRequest,
                           principal: ManagePharmacies, ctx: Ctx) -> PharmacyOut:
    """通过遴选: the pharmacy may receive orders from now on."""
    return await _transition("approve", pharmacy_id, body, principal, ctx)


@router.post("/{pharmacy_id}/refuse", operation_id="refuse_pharmacy", response_model=PharmacyOut)
async def refuse_pharmacy(pharmacy_id: uuid.UUID, body: StatusChangeRequest,
                          principal: ManagePharmacies, ctx: Ctx) -> PharmacyOut:
    """Refuse an application (reason required)."""
    return await _transition("refuse", pharmacy_id, body, principal, ctx)


@router.post("/{pharmacy_id}/suspend", operation_id="suspend_pharmacy",
             response_model=PharmacyOut)
async def suspend_pharmacy(pharmacy_id: uuid.UUID, body: StatusChangeRequest,
                           principal: ManagePharmacies, ctx: Ctx) -> PharmacyOut:
    """Suspend an approved pharmacy (reason required): it receives nothing until reinstated."""
    return await _transition("suspend", pharmacy_id, body, principal, ctx)


@router.post("/{pharmacy_id}/reinstate", operation_id="reinstate_pharmacy",
             response_model=PharmacyOut)
async def reinstate_pharmacy(pharmacy_id: uuid.UUID, body: StatusChangeRequest,
                             principal: ManagePharmacies, ctx: Ctx) -> PharmacyOut:
    """Reinstate a suspended pharmacy (reason required)."""
    return await _transition("reinstate", pharmacy_id, body, principal, ctx)


@router.put("/{pharmacy_id}/hours", operation_id="update_pharmacy_hours",
            response_model=PharmacyOut)
async def update_hours(pharmacy_id: uuid.UUID, body: HoursUpdate, principal: CurrentPrincipal,
                       ctx: Ctx) -> PharmacyOut:
    """Phone, weekly hours and closures, by the pharmacy's own staff (or its administrator)."""
    org = await service.update_hours(ctx, principal, pharmacy_id, body)
    return await service.overview(ctx.session, org)


@router.put("/{pharmacy_id}/capabilities", operation_id="update_pharmacy_capabilities",
            response_model=PharmacyOut)
async def update_capabilities(pharmacy_id: uuid.UUID, body: CapabilitiesUpdate,
                              principal: ManagePharmacies, ctx: Ctx) -> PharmacyOut:
    """Location and delivery capabilities, set by the hospital's administrator."""
    org = await service.update_capabilities(ctx, principal, pharmacy_id, body)
    return await service.overview(ctx.session, org)


@router.post("/{pharmacy_id}/staff", operation_id="create_pharmacy_staff",
             response_model=UserCreated, status_code=201)
async def create_staff(pharmacy_id: uuid.UUID, body: StaffCreate, principal: ManagePharmacies,
                       ctx: Ctx, svc: Svc) -> UserCreated:
    """A pharmacy_staff account of that pharmacy; its second-factor secret is shown once."""
    user, secret = await onboarding.add_staff(ctx, svc, principal, pharmacy_id, body)
    return UserCreated(user=UserOut.model_validate(user), totp_secret=secret,
                       totp_uri=credentials.totp_uri(secret, username=user.username,
                                                     issuer=svc.settings.totp_issuer))


@router.get("/{pharmacy_id}/stock", operation_id="get_pharmacy_stock", response_model=StockOut)
async def get_stock(pharmacy_id: uuid.UUID, principal: CurrentPrincipal, ctx: Ctx,
                    svc: Svc) -> StockOut:
    return await stock.read(ctx, principal, pharmacy_id, now=svc.clock.now())


@router.put("/{pharmacy_id}/stock", operation_id="report_pharmacy_stock", response_model=StockOut)
async def report_stock(pharmacy_id: uuid.UUID, body: StockReport, principal: CurrentPrincipal,
                       ctx: Ctx, svc: Svc) -> StockOut:
    """Report quantities on hand (upsert by product); rows not listed keep their last report."""
    now = svc.clock.now()
    await stock.report(ctx, principal, pharmacy_id, body, now=now)
    return await stock.read(ctx, principal, pharmacy_id, now=now)
