"""Managing staff accounts: create, edit, freeze / unfreeze, second factor, password."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from server.access.roles import Role, separation_of_duties_violation
from server.core.context import Principal, RequestContext
from server.core.errors import (
    Conflict,
    InvalidCredentials,
    NotFound,
    NotPermitted,
    SeparationOfDuties,
    Unprocessable,
    VersionConflict,
)
from server.core.services import Services
from server.identity import credentials, repository
from server.identity.auth_service import TOTP_CONTEXT
from server.identity.models import StaffUser, UserStatus
from server.identity.schemas import UserCreate, UserUpdate
from server.organisations.models import Organisation, OrganisationKind


def _check_roles(roles: Sequence[str]) -> None:
    if separation_of_duties_violation(list(roles)):
        raise SeparationOfDuties(field="roles")


def _guard_admin_roles(actor: Principal, roles: Sequence[str]) -> None:
    """Only the group level hands out the three separated administrator roles."""
    if actor.visible_org_ids is not None and {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN,
                                              Role.AUDITOR} & {Role(r) for r in roles}:
        raise NotPermitted("系统、安全、审计管理员只能由集团层面的管理员设置", field="roles")


async def _organisation(ctx: RequestContext, actor: Principal, org_id: uuid.UUID,
                        field: str) -> Organisation:
    org = await ctx.session.get(Organisation, org_id)
    if org is None:
        raise Unprocessable("机构不存在", field=field)
    if not actor.sees(org.id):
        raise NotPermitted("不能管理其他机构的账号", field=field)
    return org


async def _department(ctx: RequestContext, actor: Principal, org: Organisation,
                      department_id: uuid.UUID | None) -> None:
    if department_id is None:
        return
    dept = await _organisation(ctx, actor, department_id, "department_id")
    if dept.kind != OrganisationKind.DEPARTMENT or dept.parent_id != org.id:
        raise Unprocessable("科室不属于所选机构", field="department_id")


async def get_user(ctx: RequestContext, user_id: uuid.UUID) -> StaffUser:
    user = await repository.user_by_id(ctx.session, user_id)
    if user is None:  # also when row-level security hides it: no hint that it exists
        raise NotFound("用户不存在")
    return user


async def create_user(ctx: RequestContext, svc: Services, actor: Principal,
                      data: UserCreate) -> tuple[StaffUser, str]:
    roles = [r.value for r in data.roles]
    _check_roles(roles)
    _guard_admin_roles(actor, roles)
    org = await _organisation(ctx, actor, data.org_id, "org_id")
    await _department(ctx, actor, org, data.department_id)
    credentials.check_password_policy(data.password, username=data.username,
                                      min_length=svc.settings.password_min_length)
    if await repository.user_by_username(ctx.session, data.username):
        raise Conflict("用户名已存在", field="username")
    secret = credentials.new_totp_secret()
    user = StaffUser(
        org_id=org.id, department_id=data.department_id, username=data.username,
        display_name=data.display_name, roles=roles,
        professional_title=data.professional_title, pharmacist_level=data.pharmacist_level,
        password_hash=await credentials.hash_password_off_loop(data.password),
        password_changed_at=svc.clock.now(),
        totp_secret_enc=svc.cipher.encrypt(secret, context=TOTP_CONTEXT),
    )
    ctx.session.add(user)
    await ctx.session.flush()
    ctx.note("user.create", "staff_user", user.id, username=user.username, roles=roles,
             org_id=str(org.id))
    return user, secret


async def update_user(ctx: RequestContext, actor: Principal, user_id: uuid.UUID,
                      data: UserUpdate) -> StaffUser:
    user = await get_user(ctx, user_id)
    if user.version != data.version:
        raise VersionConflict(current_version=user.version)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if "roles" in changes and changes["roles"] is not None:
        roles = [Role(r).value for r in changes["roles"]]
        _check_roles(roles)
        _guard_admin_roles(actor, roles)
        changes["roles"] = roles
    if "department_id" in changes:
        org = await _organisation(ctx, actor, user.org_id, "org_id")
        await _department(ctx, actor, org, changes["department_id"])
    before = {k: getattr(user, k) for k in changes}
    for key, value in changes.items():
        setattr(user, key, value)
    roles_now = user.roles
    if Role.DOCTOR in roles_now and not user.professional_title:
        raise Unprocessable("医生须填写职称", field="professional_title")
    if Role.PHARMACIST in roles_now and not user.pharmacist_level:
        raise Unprocessable("药师须填写药师等级", field="pharmacist_level")
    await ctx.session.flush()  # the version check happens here (UPDATE ... WHERE version = n)
    ctx.note("user.update", "staff_user", user.id,
             changes={k: {"from": _plain(before[k]), "to": _plain(v)} for k, v in changes.items()})
    return user


def _plain(value: object) -> object:
    return str(value) if isinstance(value, uuid.UUID) else value


async def set_frozen(ctx: RequestContext, svc: Services, actor: Principal, user_id: uuid.UUID,
                     *, frozen: bool, reason: str | None) -> StaffUser:
    user = await get_user(ctx, user_id)
    if user.id == actor.id:
        raise Unprocessable("不能冻结或解冻自己的账号")
    user.status = UserStatus.FROZEN if frozen else UserStatus.ACTIVE
    user.frozen_reason = reason if frozen else None
    if frozen:
        # A freeze answers a suspected compromise: unfreezing must not revive the sessions
        # that were open, so they end now and the user logs in again afterwards.
        await repository.revoke_sessions(ctx.session, user_id=user.id, now=svc.clock.now(),
                                         reason="frozen")
    else:
        user.failed_logins = 0
        user.locked_until = None
    await ctx.session.flush()
    ctx.note("user.freeze" if frozen else "user.unfreeze", "staff_user", user.id,
             username=user.username, reason=reason)
    return user


async def reset_second_factor(ctx: RequestContext, svc: Services,
                              user_id: uuid.UUID) -> tuple[StaffUser, str]:
    user = await get_user(ctx, user_id)
    secret = credentials.new_totp_secret()
    user.totp_secret_enc = svc.cipher.encrypt(secret, context=TOTP_CONTEXT)
    await repository.revoke_sessions(ctx.session, user_id=user.id, now=svc.clock.now(),
                                     reason="second_factor_reset")
    await ctx.session.flush()
    ctx.note("user.reset_second_factor", "staff_user", user.id, username=user.username)
    return user, secret


async def change_password(ctx: RequestContext, svc: Services, actor: Principal, *,
                          current_password: str, new_password: str) -> None:
    user = await get_user(ctx, actor.id)
    ctx.note("user.change_password", "staff_user", user.id)
    if not await credentials.verify_password_off_loop(user.password_hash, current_password):
        raise InvalidCredentials("当前密码错误")
    credentials.check_password_policy(new_password, username=user.username,
                                      min_length=svc.settings.password_min_length)
    user.password_hash = await credentials.hash_password_off_loop(new_password)
    user.password_changed_at = svc.clock.now()
    await ctx.session.flush()
