"""Pharmacy onboarding (遴选) and status: applying, approving, refusing, suspending,
reinstating, and the pharmacy's staff accounts.

Status machine (each change is a `pharmacy_status_change` row and an audit event):

    (applied) -> pending --approve--> active --suspend--> suspended --reinstate--> active
                 pending --refuse---> refused (final)

Only an active pharmacy receives orders (service.require_receiving). Pharmacies belong to the
group, so managing them takes an administrator whose scope covers the group.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from server.access import scope
from server.access.roles import Role
from server.core.context import Principal, RequestContext
from server.core.errors import Conflict, NotPermitted, Unprocessable, VersionConflict
from server.core.services import Services
from server.identity import user_service
from server.identity.models import StaffUser
from server.identity.schemas import UserCreate
from server.organisations.models import Organisation, OrganisationKind, OrganisationStatus
from server.organisations.service import child_path
from server.pharmacies import repository, service
from server.pharmacies.models import PharmacyProfile, PharmacyStatusChange
from server.pharmacies.schemas import PharmacyApplication, PharmacyOut, StaffCreate

S = OrganisationStatus


@dataclass(frozen=True)
class Transition:
    label: str
    from_statuses: tuple[OrganisationStatus, ...]
    to_status: OrganisationStatus
    reason_required: bool


TRANSITIONS = {
    "approve": Transition("通过遴选", (S.PENDING,), S.ACTIVE, reason_required=False),
    "refuse": Transition("拒绝", (S.PENDING,), S.REFUSED, reason_required=True),
    "suspend": Transition("暂停", (S.ACTIVE,), S.SUSPENDED, reason_required=True),
    "reinstate": Transition("恢复", (S.SUSPENDED,), S.ACTIVE, reason_required=True),
}
APPLICATION_REASON = "提交遴选申请"


async def apply(ctx: RequestContext, data: PharmacyApplication) -> PharmacyOut:
    """A pharmacy's application: an organisation of kind pharmacy, pending, with its profile.
    Unauthenticated: the applicant has no account until the hospital approves it."""
    session = ctx.session
    group = await repository.group_root(session)
    if group is None:
        raise Conflict("尚未建立医疗集团，不能受理药店申请")
    await service.check_hospitals(session, data.delivery, "delivery.delivery_hospital_ids")
    # The applicant sees no pharmacy, but a licence or credit code already registered must be
    # refused with a clear answer: the check reads every pharmacy's identifiers, nothing else.
    async with scope.widened(session):
        taken = await repository.credential_holder(
            session, licence_number=data.licence_number, credit_code=data.credit_code)
    if taken is not None:
        label = "统一社会信用代码" if taken == "credit_code" else "药品经营许可证编号"
        raise Conflict(f"该{label}已提交过申请或已登记", field=taken)
    org_id = uuid.uuid4()
    org = Organisation(id=org_id, kind=OrganisationKind.PHARMACY,
                       code=f"PH{org_id.hex[:10].upper()}", name=data.name, parent_id=group.id,
                       path=child_path(group, org_id), status=S.PENDING,
                       address=data.address, phone=data.phone)
    session.add(org)
    # The applicant writes exactly the rows of the pharmacy it is creating.
    async with scope.widened(session, frozenset({org_id})):
        profile = PharmacyProfile(
            pharmacy_id=org_id, licence_number=data.licence_number,
            credit_code=data.credit_code, contact_person=data.contact_person,
            latitude=Decimal(0), longitude=Decimal(0), region_code=data.region_code,
            opening_hours=data.opening_hours)
        service.apply_capabilities(profile, latitude=data.latitude, longitude=data.longitude,
                                   region_code=data.region_code, delivery=data.delivery)
        session.add(profile)
        session.add_all(service.closure_rows(org_id, data.closures))
        session.add(PharmacyStatusChange(
            pharmacy_id=org_id, from_status=None, to_status=S.PENDING,
            reason=APPLICATION_REASON, changed_by_id=None,
            changed_by_name=f"{data.contact_person}（申请人）"))
        await session.flush()
        answer = await service.overview(session, org)
    ctx.note("pharmacy.apply", "organisation", org.id, name=org.name,
             licence_number=data.licence_number, credit_code=data.credit_code)
    return answer


async def managed(ctx: RequestContext, actor: Principal, pharmacy_id: uuid.UUID
                  ) -> Organisation:
    org = await service.get(ctx.session, pharmacy_id)
    if not service.manages(actor, org.id):
        raise NotPermitted("药店由集团统一遴选和管理，须由集团层面的医院管理员操作")
    return org


async def change_status(ctx: RequestContext, actor: Principal, pharmacy_id: uuid.UUID,
                        action: str, *, version: int, reason: str | None) -> Organisation:
    rule = TRANSITIONS[action]
    org = await managed(ctx, actor, pharmacy_id)
    if org.version != version:
        raise VersionConflict(current_version=org.version)
    if org.status not in rule.from_statuses:
        current = service.STATUS_LABELS.get(OrganisationStatus(org.status), org.status)
        raise Conflict(f"该药店当前为“{current}”，不能{rule.label}", status=org.status)
    reason = reason or None
    if rule.reason_required and not reason:
        raise Unprocessable(f"{rule.label}必须填写原因", field="reason")
    from_status = org.status
    org.status = rule.to_status
    ctx.session.add(PharmacyStatusChange(
        pharmacy_id=org.id, from_status=from_status, to_status=rule.to_status, reason=reason,
        changed_by_id=actor.id, changed_by_name=actor.name))
    await ctx.session.flush()  # UPDATE ... WHERE version = n: a concurrent change loses here
    ctx.note(f"pharmacy.{action}", "organisation", org.id, name=org.name,
             from_status=from_status, to_status=rule.to_status.value, reason=reason)
    return org


async def history(ctx: RequestContext, actor: Principal,
                  pharmacy_id: uuid.UUID) -> list[PharmacyStatusChange]:
    org = await service.get(ctx.session, pharmacy_id)
    if not (service.manages(actor, org.id) or service.is_own_staff(actor, org.id)):
        raise NotPermitted("只有医院管理员和该药店人员可以查看遴选记录")
    return list(await repository.status_history(ctx.session, org.id))


async def add_staff(ctx: RequestContext, svc: Services, actor: Principal,
                    pharmacy_id: uuid.UUID, data: StaffCreate) -> tuple[StaffUser, str]:
    """A pharmacy_staff account in that pharmacy, made by the usual user service (password
    policy, second factor, audit)."""
    org = await managed(ctx, actor, pharmacy_id)
    if org.status == S.REFUSED:
        raise Conflict("未通过遴选的药店不能开设账号", status=org.status)
    return await user_service.create_user(ctx, svc, actor, UserCreate(
        org_id=org.id, username=data.username, display_name=data.display_name,
        roles=[Role.PHARMACY_STAFF], password=data.password))
