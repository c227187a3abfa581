"""Business rules of patients: registration, exact search, masked and full views, edits.

Identifying fields are sealed (encrypted + blind index) by server/patients/identity.py and
leave the server masked per server/patients/masking_policy.py unless the full view is asked
for, which is audited. Audit notes name the fields touched, never their values.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import date, timedelta, timezone
from typing import Any

from server.core.context import Principal, RequestContext
from server.core.errors import Conflict, NotFound, NotPermitted, Unprocessable, VersionConflict
from server.core.services import Services
from server.organisations.models import Organisation, OrganisationKind
from server.patients import identity, masking_policy, repository
from server.patients.models import Patient
from server.patients.schemas import PatientCreate, PatientOut, PatientPage, PatientUpdate
from server.personal_data import id_number as id_numbers

# Birth dates and ages are Chinese calendar dates; China keeps UTC+8 all year.
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
REGISTERING_KINDS = frozenset({OrganisationKind.HOSPITAL, OrganisationKind.CLINIC})
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_CARD = re.compile(r"[A-Z0-9]{6,40}")
_PHONE_SEPARATORS = str.maketrans("", "", " -")

DUPLICATE_MESSAGES = {
    "id_number": "该身份证号码已登记",
    "insurance_card": "该医保卡号已登记",
    "hospital_card": "该就诊卡号已登记",
}


# -- cleaning identifying input (also used for search, so that both hash the same text) -------

def clean_id_number(value: str, *, today: date) -> str:
    try:
        return id_numbers.validate_id_number(value, today=today)
    except id_numbers.InvalidIdNumber as exc:
        raise Unprocessable(str(exc), field="id_number") from None


def clean_phone(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).strip().translate(_PHONE_SEPARATORS)
    text = text.removeprefix("+86")
    if not _MOBILE.fullmatch(text):
        raise Unprocessable("手机号码应为11位中国大陆手机号码（如13812345678）", field="phone")
    return text


def clean_card(value: str, *, field: str) -> str:
    # Card numbers carry no case; full-width input (Chinese input methods) is folded.
    text = unicodedata.normalize("NFKC", value).strip().upper()
    if not _CARD.fullmatch(text):
        raise Unprocessable("卡号应为6至40位字母或数字", field=field)
    return text


def clean_name(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        raise Unprocessable("姓名不能为空", field="name")
    return text


def _clean(field: str, value: str | None, *, today: date) -> str | None:
    if value is None:
        return None
    if field == "id_number":
        return clean_id_number(value, today=today)
    if field == "phone":
        return clean_phone(value)
    if field in ("insurance_card", "hospital_card"):
        return clean_card(value, field=field)
    if field == "name":
        return clean_name(value)
    return value.strip()


def _today(svc: Services) -> date:
    return svc.clock.now().astimezone(CHINA).date()


def _age(born: date | None, today: date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _check_pregnancy(patient: Patient) -> None:
    if patient.sex == "male":
        for flag in ("pregnant", "lactating"):
            if getattr(patient, flag):
                raise Unprocessable("男性患者不能标记为妊娠期或哺乳期", field=flag)


# -- presenting ----------------------------------------------------------------------------------

def present(svc: Services, principal: Principal, patient: Patient, *, full: bool) -> PatientOut:
    """The patient as ``principal`` may see it: masked per policy, or in full."""
    opened = identity.open_identity(svc.cipher, patient)
    if full:
        shown, birth = asdict(opened), patient.birth_date
    else:
        shown = masking_policy.masked_identity(opened, principal)
        birth = patient.birth_date if masking_policy.shows_birth_date(principal) else None
    return PatientOut(
        id=patient.id, version=patient.version, org_id=patient.org_id,
        view="full" if full else "masked", birth_date=birth,
        age=_age(patient.birth_date, _today(svc)), sex=patient.sex, weight_kg=patient.weight_kg,
        pregnant=patient.pregnant, lactating=patient.lactating,
        created_at=patient.created_at, updated_at=patient.updated_at, **shown)


# -- use cases -------------------------------------------------------------------------------------

async def _registering_org(ctx: RequestContext, actor: Principal,
                           org_id: uuid.UUID | None) -> Organisation:
    wanted = org_id or actor.org_id
    org = await ctx.session.get(Organisation, wanted) if wanted else None
    if org is None:
        raise Unprocessable("登记机构不存在", field="org_id")
    if not actor.sees(org.id):
        raise NotPermitted("不能在其他机构登记患者", field="org_id")
    if org.kind not in REGISTERING_KINDS:
        raise Unprocessable("患者须登记在医院或基层医疗机构，请指定登记机构", field="org_id")
    return org


@asynccontextmanager
async def _unique_identifiers(ctx: RequestContext,
                              columns: dict[str, Any]) -> AsyncIterator[None]:
    """The block's changes, flushed; a taken ID number or card number becomes a 409.

    ``columns`` are the sealed columns being written: their blind indexes find the holder.
    """
    try:
        async with repository.unique_identifiers(ctx.session):
            yield
    except repository.DuplicateIdentifier as dup:
        # Point to the existing record only if the actor may see it: a patient registered at
        # another hospital is neither shown nor identified.
        existing = await repository.by_blind_index(ctx.session, dup.field,
                                                   columns[f"{dup.field}_bidx"])
        extra = {"patient_id": str(existing.id)} if existing else {}
        raise Conflict(DUPLICATE_MESSAGES[dup.field], field=dup.field, **extra) from None


async def register(ctx: RequestContext, svc: Services, actor: Principal,
                   data: PatientCreate) -> PatientOut:
    today = _today(svc)
    clear = {field: _clean(field, getattr(data, field), today=today)
             for field in identity.SEALED_FIELDS}
    number = clear["id_number"]
    assert number is not None  # required by the schema, validated by _clean
    org = await _registering_org(ctx, actor, data.org_id)
    columns = identity.seal(svc.cipher, **clear)
    patient = Patient(
        org_id=org.id, sex=id_numbers.sex(number), birth_date=id_numbers.birth_date(number),
        weight_kg=data.weight_kg, pregnant=data.pregnant, lactating=data.lactating,
        key_version=svc.cipher.keyring.active_version, **columns)
    _check_pregnancy(patient)
    async with _unique_identifiers(ctx, columns):
        ctx.session.add(patient)
    ctx.note("patient.create", "patient", patient.id, org_id=str(org.id),
             fields=sorted(f for f, v in clear.items() if v is not None))
    return present(svc, actor, patient, full=False)


async def search(ctx: RequestContext, svc: Services, actor: Principal, *,
                 criteria: dict[str, str | None], limit: int, offset: int) -> PatientPage:
    """Exact search by any of the searchable fields (all given must match)."""
    today = _today(svc)
    given = {field: value for field, value in criteria.items() if value is not None}
    if not given:
        # No criteria would page through every patient: search is for finding one person.
        raise Unprocessable(
            "请至少提供一个查询条件：身份证号码、手机号码、医保卡号、就诊卡号或姓名")
    blind: dict[str, bytes] = {}
    for field, value in given.items():
        cleaned = _clean(field, value, today=today)
        assert cleaned is not None
        blind[field] = identity.blind_index(svc.cipher, field, cleaned)
    rows, total = await repository.search(ctx.session, blind_indexes=blind, limit=limit,
                                          offset=offset)
    return PatientPage(items=[present(svc, actor, p, full=False) for p in rows], total=total,
                       limit=limit, offset=offset)


async def get_patient(ctx: RequestContext, patient_id: uuid.UUID) -> Patient:
    patient = await repository.get(ctx.session, patient_id)
    if patient is None:  # also when row-level security hides it: no hint that it exists
        raise NotFound("患者不存在")
    return patient


async def read_full(ctx: RequestContext, svc: Services, actor: Principal,
                    patient_id: uuid.UUID) -> PatientOut:
    patient = await get_patient(ctx, patient_id)
    out = present(svc, actor, patient, full=True)
    # Makes the middleware write an audit event for this GET: a full record was disclosed.
    ctx.note("patient.read_full", "patient", patient.id,
             fields=[f for f in identity.SEALED_FIELDS if getattr(out, f) is not None])
    return out


def _apply(svc: Services, patient: Patient, columns: dict[str, Any], changes: dict[str, Any],
           *, new_id_number: str | None) -> None:
    if new_id_number:
        patient.sex = id_numbers.sex(new_id_number)
        patient.birth_date = id_numbers.birth_date(new_id_number)
    for column, value in columns.items():
        setattr(patient, column, value)
    # Bring the untouched fields under the active key too, so key_version stays truthful.
    identity.reseal(svc.cipher, patient)
    patient.key_version = svc.cipher.keyring.active_version
    for key, value in changes.items():
        setattr(patient, key, value)
    _check_pregnancy(patient)


async def update(ctx: RequestContext, svc: Services, actor: Principal, patient_id: uuid.UUID,
                 data: PatientUpdate) -> PatientOut:
    patient = await get_patient(ctx, patient_id)
    if patient.version != data.version:
        raise VersionConflict(current_version=patient.version)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    today = _today(svc)
    sealed = {f: _clean(f, changes.pop(f), today=today)
              for f in identity.SEALED_FIELDS if f in changes}
    columns = identity.seal(svc.cipher, **sealed)
    # The version check happens at the flush too (UPDATE ... WHERE version = n), against a
    # writer that committed after the check above.
    async with _unique_identifiers(ctx, columns):
        _apply(svc, patient, columns, changes, new_id_number=sealed.get("id_number"))
    await ctx.session.refresh(patient, ["updated_at"])  # set by the database on UPDATE
    ctx.note("patient.update", "patient", patient.id, fields=sorted([*sealed, *changes]))
    return present(svc, actor, patient, full=False)
