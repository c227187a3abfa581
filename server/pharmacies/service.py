"""Business rules of pharmacies: who may read and edit a profile, whether a pharmacy may
receive orders, and the pharmacies a patient is offered for a delivery mode.

The circulation core calls `require_receiving` before locking a prescription to a pharmacy, and
`options` to show the patient where the prescription can go.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from server.access import scope
from server.access.roles import Permission
from server.core.context import Principal, RequestContext
from server.core.errors import Conflict, NotFound, NotPermitted, Unprocessable, VersionConflict
from server.organisations.models import Organisation, OrganisationStatus
from server.pharmacies import hours, repository, stock
from server.pharmacies.delivery import DeliveryMode
from server.pharmacies.geo import haversine_km
from server.pharmacies.models import PharmacyClosure, PharmacyProfile
from server.pharmacies.schemas import (
    CapabilitiesUpdate,
    Closure,
    DeliveryCapabilities,
    HoursUpdate,
    PharmacyOut,
    ProfileOut,
)
from server.pharmacies.stock import StockStatus

STATUS_LABELS = {
    OrganisationStatus.PENDING: "待遴选",
    OrganisationStatus.ACTIVE: "已通过遴选",
    OrganisationStatus.SUSPENDED: "已暂停",
    OrganisationStatus.REFUSED: "未通过遴选",
}
# Why a pharmacy may not receive orders, by status.
NOT_RECEIVING = {
    OrganisationStatus.PENDING: "该药店尚未通过遴选（申请待审批），不能接收处方",
    OrganisationStatus.REFUSED: "该药店未通过遴选，不能接收处方",
    OrganisationStatus.SUSPENDED: "该药店已暂停，不能接收处方",
}

# The order options are offered in, after "open now".
STOCK_ORDER: dict[str, int] = {"in_stock": 0, "partial": 1, "unknown": 2, "out_of_stock": 3}


@dataclass(frozen=True)
class PharmacyOption:
    """One pharmacy the patient may choose for a delivery mode, as the choice screen shows it."""

    pharmacy_id: uuid.UUID
    name: str
    address: str | None
    phone: str | None
    distance_km: float | None  # from the patient's position; None without one
    open_now: bool
    today_hours: str  # e.g. "08:00–21:00", "24小时营业", "休息"
    next_open: datetime | None  # when it opens next if closed now (Asia/Shanghai)
    stock: StockStatus
    modes: tuple[DeliveryMode, ...]
    same_day_delivery: bool = False


# -- who may do what ------------------------------------------------------------------------
def manages(actor: Principal, pharmacy_id: uuid.UUID) -> bool:
    """A hospital administrator whose scope covers the pharmacy (the group level)."""
    return actor.can(Permission.PHARMACY_MANAGE) and actor.sees(pharmacy_id)


def is_own_staff(actor: Principal, pharmacy_id: uuid.UUID) -> bool:
    return actor.can(Permission.PHARMACY_OWN) and actor.org_id == pharmacy_id


async def get(session: AsyncSession, pharmacy_id: uuid.UUID) -> Organisation:
    org = await repository.pharmacy(session, pharmacy_id)
    if org is None:
        raise NotFound("药店不存在")
    return org


async def require_receiving(session: AsyncSession, pharmacy_id: uuid.UUID) -> Organisation:
    """The pharmacy, if it may receive orders now (approved and not suspended); else Conflict."""
    org = await get(session, pharmacy_id)
    if org.status != OrganisationStatus.ACTIVE:
        raise Conflict(NOT_RECEIVING.get(OrganisationStatus(org.status), "该药店不能接收处方"),
                       field="pharmacy_id", status=org.status)
    return org


# -- reading ----------------------------------------------------------------------------------
def modes_of(profile: PharmacyProfile) -> tuple[DeliveryMode, ...]:
    modes = []
    if profile.hospital_delivery and profile.delivery_hospital_ids:
        modes.append(DeliveryMode.HOSPITAL_DELIVERY)
    if profile.store_pickup:
        modes.append(DeliveryMode.STORE_PICKUP)
    if profile.courier_regions:
        modes.append(DeliveryMode.COURIER)
    return tuple(modes)


def covers_region(prefixes: list[str], region_code: str) -> bool:
    return any(region_code.startswith(prefix) for prefix in prefixes)


def _profile_out(profile: PharmacyProfile, closures: list[PharmacyClosure]) -> ProfileOut:
    return ProfileOut(
        version=profile.version, licence_number=profile.licence_number,
        credit_code=profile.credit_code, contact_person=profile.contact_person,
        latitude=float(profile.latitude), longitude=float(profile.longitude),
        region_code=profile.region_code, opening_hours=profile.opening_hours,
        closures=[Closure.model_validate(c) for c in closures],
        delivery=DeliveryCapabilities.model_validate(profile), modes=list(modes_of(profile)))


async def _out(session: AsyncSession, org: Organisation) -> PharmacyOut:
    profile = await repository.profile(session, org.id)
    profile_out = None
    if profile is not None:
        closures = list(await repository.closures(session, [org.id]))
        profile_out = _profile_out(profile, closures)
    return PharmacyOut(
        id=org.id, version=org.version, code=org.code, name=org.name, status=org.status,
        status_label=STATUS_LABELS.get(OrganisationStatus(org.status), org.status),
        address=org.address, phone=org.phone, profile=profile_out)


async def detail(session: AsyncSession, actor: Principal, pharmacy_id: uuid.UUID) -> PharmacyOut:
    org = await get(session, pharmacy_id)
    if manages(actor, org.id) or is_own_staff(actor, org.id):
        return await _out(session, org)
    if org.status == OrganisationStatus.ACTIVE:
        # An approved pharmacy's profile is its public directory entry: every signed-in user
        # (a doctor explaining the choice, another pharmacy) may read it, outside their scope.
        async with scope.widened(session):
            return await _out(session, org)
    raise NotPermitted("未通过遴选的药店资料仅医院管理员和该药店人员可查看")


async def overview(session: AsyncSession, org: Organisation) -> PharmacyOut:
    """A pharmacy as its manager or the applicant sees it, within the caller's scope."""
    return await _out(session, org)


# -- editing ----------------------------------------------------------------------------------
async def _editable_profile(ctx: RequestContext, org: Organisation,
                            version: int) -> PharmacyProfile:
    profile = await repository.profile(ctx.session, org.id)
    if profile is None:
        raise NotFound("药店资料不存在")
    if profile.version != version:
        raise VersionConflict(current_version=profile.version)
    return profile


def closure_rows(pharmacy_id: uuid.UUID, closures: list[Closure]) -> list[PharmacyClosure]:
    dates = [c.on_date for c in closures]
    if len(set(dates)) != len(dates):
        raise Unprocessable("同一日期只能有一条休息或特殊营业安排", field="closures")
    return [PharmacyClosure(pharmacy_id=pharmacy_id, on_date=c.on_date, closed=c.closed,
                            hours=c.hours if not c.closed else None, note=c.note)
            for c in closures]


async def update_hours(ctx: RequestContext, actor: Principal, pharmacy_id: uuid.UUID,
                       data: HoursUpdate) -> Organisation:
    """Phone, weekly hours and closures: the pharmacy's own staff, or its administrator."""
    org = await get(ctx.session, pharmacy_id)
    if not (is_own_staff(actor, org.id) or manages(actor, org.id)):
        raise NotPermitted("只能修改本药店的营业时间")
    profile = await _editable_profile(ctx, org, data.version)
    profile.opening_hours = data.opening_hours
    # Closures live in rows of their own: the profile's version still moves with every edit,
    # so two people editing the same pharmacy's hours cannot both win.
    flag_modified(profile, "opening_hours")
    await repository.replace_closures(ctx.session, org.id, closure_rows(org.id, data.closures))
    if data.phone is not None and data.phone != org.phone:
        org.phone = data.phone
    await ctx.session.flush()  # UPDATE ... WHERE version = n: a concurrent edit loses here
    ctx.note("pharmacy.hours_update", "organisation", org.id, phone=org.phone,
             opening_hours=data.opening_hours, closures=len(data.closures))
    return org


async def check_hospitals(session: AsyncSession, delivery: DeliveryCapabilities,
                          field: str) -> None:
    wanted = set(delivery.delivery_hospital_ids)
    missing = wanted - await repository.hospital_ids(session, wanted)
    if missing:
        raise Unprocessable(f"不是本集团的医院：{', '.join(sorted(map(str, missing)))}",
                            field=field)


def apply_capabilities(profile: PharmacyProfile, *, latitude: float, longitude: float,
                       region_code: str, delivery: DeliveryCapabilities) -> None:
    profile.latitude = Decimal(str(round(latitude, 6)))
    profile.longitude = Decimal(str(round(longitude, 6)))
    profile.region_code = region_code
    profile.store_pickup = delivery.store_pickup
    profile.hospital_delivery = delivery.hospital_delivery
    profile.delivery_hospital_ids = list(delivery.delivery_hospital_ids)
    profile.courier_regions = list(delivery.courier_regions)
    profile.same_day_delivery = delivery.same_day_delivery


async def update_capabilities(ctx: RequestContext, actor: Principal, pharmacy_id: uuid.UUID,
                              data: CapabilitiesUpdate) -> Organisation:
    """Location and delivery capabilities: only within what the hospital allows, so only its
    administrator sets them."""
    org = await get(ctx.session, pharmacy_id)
    if not manages(actor, org.id):
        raise NotPermitted("药店位置和配送能力须由医院管理员设置")
    profile = await _editable_profile(ctx, org, data.version)
    await check_hospitals(ctx.session, data.delivery, "delivery.delivery_hospital_ids")
    apply_capabilities(profile, latitude=data.latitude, longitude=data.longitude,
                       region_code=data.region_code, delivery=data.delivery)
    await ctx.session.flush()
    ctx.note("pharmacy.capabilities_update", "organisation", org.id,
             region_code=data.region_code, delivery=data.delivery.model_dump(mode="json"))
    return org


# -- the patient's choice -----------------------------------------------------------------------
def _offers(profile: PharmacyProfile, mode: DeliveryMode, *, hospital_id: uuid.UUID,
            region_code: str | None) -> bool:
    if mode not in modes_of(profile):
        return False
    if mode == DeliveryMode.HOSPITAL_DELIVERY:
        return hospital_id in profile.delivery_hospital_ids
    if mode == DeliveryMode.COURIER:
        return region_code is not None and covers_region(profile.courier_regions, region_code)
    return True


async def options(session: AsyncSession, *, hospital_id: uuid.UUID, mode: DeliveryMode,
                  at: datetime, product_quantities: dict[uuid.UUID, int],
                  origin: tuple[float, float] | None = None, region_code: str | None = None,
                  stale_after: timedelta | None = None) -> list[PharmacyOption]:
    """The approved pharmacies offering `mode` (for courier: delivering to `region_code`; for
    hospital delivery: serving `hospital_id`), open ones first, then by stock of the products
    asked for (in_stock, partial, unknown, out_of_stock), then by distance from `origin`
    (latitude, longitude). `stale_after` defaults to the pharmacy_stock_feed setting."""
    if mode == DeliveryMode.COURIER and not region_code:
        raise Unprocessable("快递须提供收货地址的行政区划代码", field="region_code")
    if stale_after is None:
        stale_after = await stock.stale_after(session)
    day = at.astimezone(hours.CHINA).date()
    # Which pharmacies exist, their hours and how much they hold is what every patient and
    # prescriber chooses from: read across organisations, whatever the caller's own scope.
    # Only the public fields and a stock status (never quantities) leave this function.
    async with scope.widened(session):
        offering = [(org, profile) for org, profile in await repository.receiving_with_profiles(
            session) if _offers(profile, mode, hospital_id=hospital_id, region_code=region_code)]
        ids = [org.id for org, _ in offering]
        closures = await repository.closures(session, ids, since=day - timedelta(days=1),
                                             until=day + timedelta(days=hours.HORIZON_DAYS + 1))
        entries = await repository.stock_entries(session, ids, list(product_quantities))
    closures_of: dict[uuid.UUID, list[PharmacyClosure]] = {}
    for closure in closures:
        closures_of.setdefault(closure.pharmacy_id, []).append(closure)
    stock_of: dict[uuid.UUID, dict[uuid.UUID, int]] = {}
    for entry in entries:
        if entry.reported_at >= at - stale_after:
            stock_of.setdefault(entry.pharmacy_id, {})[entry.product_id] = entry.quantity
    found = []
    for org, profile in offering:
        special = closures_of.get(org.id, [])
        open_now = hours.is_open(profile, special, at)
        found.append(PharmacyOption(
            pharmacy_id=org.id, name=org.name, address=org.address, phone=org.phone,
            distance_km=None if origin is None else round(haversine_km(
                origin, (float(profile.latitude), float(profile.longitude))), 2),
            open_now=open_now, today_hours=hours.today_hours_text(profile, special, at),
            next_open=None if open_now else hours.next_opening(profile, special, at),
            stock=stock.status(stock_of.get(org.id, {}), product_quantities),
            modes=modes_of(profile), same_day_delivery=profile.same_day_delivery))
    found.sort(key=lambda o: (not o.open_now, STOCK_ORDER[o.stock],
                              o.distance_km if o.distance_km is not None else float("inf"),
                              o.name))
    return found
