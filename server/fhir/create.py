"""Creating a MedicationRequest: a circulation prescription written by a doctor through the HIS
or the regional chronic-disease system, made by the prescriptions service itself.

The request becomes a draft of the requesting doctor: a prescription is only issued once its
doctor has signed it with a key that never leaves the workstation, so the doctor signs and
submits it in the doctor's app (launched from the HIS without a second login).

What a doctor may not prescribe at all is refused at once: drugs outside the doctor's
prescribing rights (department x title x drug class), drugs that may not circulate, and for a
primary-care doctor (the regional system's users) anything outside the medical group's
chronic-disease list.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import parse_qsl

from pydantic import ValidationError

from server.access import roles
from server.catalogue.models import CatalogueProduct
from server.checks.frequency import FREQUENCIES, normalise
from server.core.context import Principal, RequestContext
from server.core.errors import AppError, Conflict, NotPermitted
from server.core.services import Services
from server.fhir import repository, systems
from server.fhir.dependencies import is_regional
from server.fhir.directory import CODE_COLUMNS, PATIENT_IDENTIFIERS
from server.fhir.outcome import FhirInvalid, FhirUnprocessable, PreconditionFailed, parse
from server.fhir.prescribing import request_resources, search_requests
from server.fhir.search import as_uuid, parse_search
from server.identity.models import StaffUser, UserStatus
from server.organisations.models import Organisation, OrganisationKind
from server.patients import identity as patient_identity
from server.patients import repository as patient_repository
from server.prescriptions import repository as prescription_repository
from server.prescriptions import service as prescription_service
from server.prescriptions.schemas import DraftIn

MR = "MedicationRequest"
# Legality findings the doctor cannot fix by editing: the request is refused outright.
REFUSED_RULES = frozenset({"rx.prescribing_right", "rx.primary_care_chronic_only",
                           "rx.non_circulating", "rx.product_inactive"})
# Where in the MedicationRequest each draft field came from (for errors naming the path).
DRAFT_PATHS = {
    "patient_id": f"{MR}.subject", "visit_type": f"{MR}.category",
    "diagnoses": f"{MR}.reasonCode", "validity_days": f"{MR}.dispenseRequest.validityPeriod",
    "notes": f"{MR}.note", "extended_supply_reason": f"{MR}.extension",
    "product_id": f"{MR}.medication", "dose": f"{MR}.dosageInstruction[0].doseAndRate[0]"
                                              ".doseQuantity.value",
    "dose_unit": f"{MR}.dosageInstruction[0].doseAndRate[0].doseQuantity.unit",
    "route": f"{MR}.dosageInstruction[0].route", "frequency": f"{MR}.dosageInstruction[0]"
                                                             ".timing.code",
    "days": f"{MR}.dispenseRequest.expectedSupplyDuration.value",
    "instructions": f"{MR}.dosageInstruction[0].text",
}


def draft_path(field: str) -> str:
    """The FHIR path of a draft field named like `lines.1.dose` or `diagnoses`."""
    for part in reversed(field.split(".")):
        if part in DRAFT_PATHS:
            return DRAFT_PATHS[part]
    return MR


def read_json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise FhirInvalid("请求体不是有效的 JSON", expression=[MR],
                          fhir_code="structure") from None
    if not isinstance(data, dict):
        raise FhirInvalid("请求体应为一个 FHIR 资源（JSON 对象）", expression=[MR],
                          fhir_code="structure")
    if data.get("resourceType") != MR:
        raise FhirInvalid(f"resourceType 应为 {MR}（当前：{data.get('resourceType')!r}）",
                          expression=[f"{MR}.resourceType"], fhir_code="structure")
    data.pop("meta", None)  # the server keeps its own versions
    data.pop("id", None)  # and assigns the id (FHIR create)
    return data


async def create_request(ctx: RequestContext, svc: Services, client: Principal, body: bytes,
                         if_none_exist: str | None) -> tuple[dict[str, Any], int]:
    """The created MedicationRequest and 201, or the existing one and 200 (If-None-Exist)."""
    request = parse(MR, read_json(body))
    if if_none_exist:
        existing = await _conditional_match(ctx, svc, client, if_none_exist)
        if existing is not None:
            return existing, 200
    given = _client_identifiers(request)
    doctor = await _doctor(ctx, client, request)
    draft = await _draft(ctx, svc, client, request)
    claims = []
    for system, value in given:
        claim = await repository.claim_identifier(ctx.session, system=system, value=value,
                                                  client_id=client.id,
                                                  org_id=_org(doctor, client))
        if claim is None:
            return await _already_claimed(ctx, system, value, conditional=bool(if_none_exist))
        claims.append(claim)

    outcome = await _as_fhir_errors(prescription_service.check_body(ctx, svc, doctor, draft))
    refused = [hit for hit in outcome.hits if hit.rule_id in REFUSED_RULES]
    if refused:
        raise FhirUnprocessable(
            refused[0].message, expression=[f"{MR}.medication"], fhir_code="business-rule",
            issues=[{"message": hit.message, "code": "business-rule",
                     "expression": [f"{MR}.medication"]} for hit in refused[1:]])
    rx = await _as_fhir_errors(prescription_service.create_draft(ctx, svc, doctor, draft))
    for claim in claims:
        await repository.attach_identifier(ctx.session, claim, rx.id)
    ctx.note("fhir.medication_request.create", "prescription", rx.id, number=rx.number,
             client_id=client.attributes.get("client_id"), doctor=doctor.attributes["username"],
             identifiers=[f"{s}|{v}" for s, v in given])
    line = (await prescription_repository.lines(ctx.session, rx.id))[0]
    return (await request_resources(ctx, [(rx, line)]))[0], 201


def _org(doctor: Principal, client: Principal) -> uuid.UUID:
    """The organisation an identifier row belongs to: the prescribing doctor's."""
    org_id = doctor.org_id or client.org_id
    assert org_id is not None
    return org_id


async def _as_fhir_errors(awaitable: Any) -> Any:
    """The prescriptions service's errors, with the FHIR path of the field they name."""
    try:
        return await awaitable
    except AppError as exc:
        field = exc.extra.get("field")
        if isinstance(field, str) and "expression" not in exc.extra:
            exc.extra["expression"] = [draft_path(field)]
        raise


async def _conditional_match(ctx: RequestContext, svc: Services, client: Principal,
                             criteria: str) -> dict[str, Any] | None:
    try:
        query = parse_qsl(criteria, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise FhirInvalid("If-None-Exist 应为搜索参数（如 identifier=system|value）",
                          expression=["If-None-Exist"]) from None
    search = parse_search(MR, query)
    search.count, search.offset = 2, 0
    found, total = await search_requests(ctx, svc, client, search)
    if total > 1:
        raise PreconditionFailed("If-None-Exist 的条件匹配到多条记录",
                                 expression=["If-None-Exist"], fhir_code="multiple-matches")
    return found[0] if found else None


async def _already_claimed(ctx: RequestContext, system: str, value: str, *,
                           conditional: bool) -> tuple[dict[str, Any], int]:
    existing = await repository.claimed(ctx.session, system=system, value=value)
    if existing is None or existing.prescription_id is None:
        # Claimed by a client whose records this one cannot see.
        raise Conflict("该标识已被其他系统使用", expression=[f"{MR}.identifier"],
                       fhir_code="duplicate")
    if not conditional:
        raise Conflict(f"标识 {system}|{value} 已对应处方请求"
                       f" {existing.prescription_id}-{existing.line_no}；"
                       "重试请使用 If-None-Exist",
                       expression=[f"{MR}.identifier"], fhir_code="duplicate")
    rx = await prescription_repository.get(ctx.session, existing.prescription_id)
    assert rx is not None
    line = [li for li in await prescription_repository.lines(ctx.session, rx.id)
            if li.line_no == existing.line_no]
    return (await request_resources(ctx, [(rx, line[0])]))[0], 200


def _client_identifiers(request: Any) -> list[tuple[str, str]]:
    given = []
    for n, identifier in enumerate(request.identifier or []):
        where = f"{MR}.identifier[{n}]"
        if not identifier.system or not identifier.value:
            raise FhirInvalid("标识须同时给出 system 和 value", expression=[where])
        if identifier.system == systems.PRESCRIPTION_NUMBER:
            raise FhirUnprocessable("处方号由平台分配，不能由开方系统指定", expression=[where],
                                    fhir_code="business-rule")
        if len(identifier.system) > 255 or len(identifier.value) > 255:
            raise FhirInvalid("标识过长（最多255个字符）", expression=[where])
        given.append((identifier.system, identifier.value))
    return given


# -- who prescribes ----------------------------------------------------------------------------

async def _doctor(ctx: RequestContext, client: Principal, request: Any) -> Principal:
    """The requesting doctor, acting through the client: their own rights and department."""
    where = f"{MR}.requester"
    requester = request.requester
    if requester is None:
        raise FhirInvalid("须指明开方医生（requester）", expression=[where], fhir_code="required")
    user: StaffUser | None = None
    if requester.reference:
        kind, _, logical = requester.reference.rpartition("/")
        user_id = as_uuid(logical, "requester")
        if kind != "Practitioner" or user_id is None:
            raise FhirInvalid("requester 应引用 Practitioner/{id}", expression=[where])
        user = await ctx.session.get(StaffUser, user_id)
    elif requester.identifier and requester.identifier.system == systems.STAFF_USERNAME:
        from server.identity import repository as identity_repository

        user = await identity_repository.user_by_username(ctx.session,
                                                          requester.identifier.value or "")
    else:
        raise FhirInvalid(f"requester 应为 Practitioner/{{id}}，或 system 为 "
                          f"{systems.STAFF_USERNAME} 的标识", expression=[where])
    if user is None:  # also another hospital's doctor, hidden by row-level security
        raise FhirUnprocessable("开方医生不存在", expression=[where], fhir_code="not-found")
    if roles.Role.DOCTOR not in user.roles or user.department_id is None:
        raise FhirUnprocessable("requester 不是有科室的医生", expression=[where],
                                fhir_code="business-rule")
    if user.status != UserStatus.ACTIVE:
        raise FhirUnprocessable("开方医生的账号已冻结", expression=[where],
                                fhir_code="business-rule")
    org = await ctx.session.get(Organisation, user.org_id)
    if is_regional(client) and (org is None or org.kind != OrganisationKind.CLINIC):
        raise NotPermitted("区域慢病管理系统只能代基层医疗机构的医生开具处方",
                           expression=[where], fhir_code="forbidden")
    return Principal(
        kind="user", id=user.id, name=user.display_name, roles=frozenset(user.roles),
        permissions=roles.permissions_for(user.roles), org_id=user.org_id,
        department_id=user.department_id, visible_org_ids=client.visible_org_ids,
        attributes={"username": user.username, "title": user.professional_title,
                    "pharmacist_level": user.pharmacist_level,
                    "via_client": client.attributes.get("client_id")})


# -- what is prescribed ------------------------------------------------------------------------

async def _patient_id(ctx: RequestContext, svc: Services, request: Any) -> uuid.UUID:
    where = f"{MR}.subject"
    subject = request.subject
    if subject.reference:
        kind, _, logical = subject.reference.rpartition("/")
        patient_id = as_uuid(logical, "subject")
        if kind != "Patient" or patient_id is None:
            raise FhirInvalid("subject 应引用 Patient/{id}", expression=[where])
        return patient_id
    ident = subject.identifier
    field = PATIENT_IDENTIFIERS.get(ident.system or "") if ident else None
    if ident is None or field is None or not ident.value:
        raise FhirInvalid("subject 应为 Patient/{id}，或身份证号、就诊卡号、医保卡号标识",
                          expression=[where])
    value = ident.value.strip().upper()
    digest = patient_identity.blind_index(svc.cipher, field, value)
    patient = await patient_repository.by_blind_index(ctx.session, field, digest)
    if patient is None:
        raise FhirUnprocessable("按该标识找不到患者", expression=[f"{where}.identifier"],
                                fhir_code="not-found")
    return patient.id


async def _product_id(ctx: RequestContext, request: Any) -> Any:
    if request.medicationReference is not None:
        kind, _, logical = (request.medicationReference.reference or "").rpartition("/")
        product_id = as_uuid(logical, "medication")
        if kind != "Medication" or product_id is None:
            raise FhirInvalid("medicationReference 应引用 Medication/{id}",
                              expression=[f"{MR}.medicationReference"])
        return product_id
    from sqlalchemy import select

    for coding in request.medicationCodeableConcept.coding or []:
        if coding.system == systems.PRODUCT_ID and as_uuid(coding.code or "", "code"):
            return as_uuid(coding.code or "", "code")
        column = CODE_COLUMNS.get(coding.system or "")
        if column is not None and coding.code:
            found = (await ctx.session.scalars(select(CatalogueProduct.id).where(
                column == coding.code).order_by(CatalogueProduct.status))).first()
            if found:
                return found
    raise FhirUnprocessable("药品不在流转目录中（按医保药品代码、本位码或目录标识均未找到）",
                            expression=[f"{MR}.medicationCodeableConcept"],
                            fhir_code="not-found")


def _frequency(dosage: Any) -> str | None:
    codes = dosage.timing.code.coding if dosage.timing and dosage.timing.code else []
    for coding in codes or []:
        if coding.code and normalise(coding.code) in FREQUENCIES:
            return normalise(coding.code)
    return codes[0].code if codes else None


async def _draft(ctx: RequestContext, svc: Services, client: Principal, request: Any) -> DraftIn:
    if request.intent != "order":
        raise FhirUnprocessable("intent 应为 order", expression=[f"{MR}.intent"],
                                fhir_code="business-rule")
    if request.status not in ("draft", "active"):
        raise FhirUnprocessable("新建处方请求的 status 应为 draft 或 active",
                                expression=[f"{MR}.status"], fhir_code="business-rule")
    dosage = (request.dosageInstruction or [None])[0]
    if dosage is None:
        raise FhirInvalid("须给出用法用量（dosageInstruction）",
                          expression=[f"{MR}.dosageInstruction"], fhir_code="required")
    dose = (dosage.doseAndRate or [None])[0]
    quantity = dose.doseQuantity if dose is not None else None
    supply = request.dispenseRequest.expectedSupplyDuration \
        if request.dispenseRequest else None
    visit = next((c.code for concept in request.category or [] for c in concept.coding or []
                  if c.system == systems.VISIT_TYPE), None)
    data = {
        "patient_id": await _patient_id(ctx, svc, request),
        "visit_type": visit or ("chronic" if is_regional(client) else "outpatient"),
        "diagnoses": [{"code": (c.coding or [None])[0].code if c.coding else None,
                       "name": c.text or ((c.coding or [None])[0].display if c.coding else None)}
                      for c in request.reasonCode or []],
        "notes": "\n".join(n.text for n in request.note or [] if n.text) or None,
        "extended_supply_reason": next((e.valueString for e in request.extension or []
                                        if e.url == systems.EXT_EXTENDED_SUPPLY_REASON), None),
        "lines": [{
            "product_id": await _product_id(ctx, request),
            "dose": quantity.value if quantity else None,
            "dose_unit": quantity.unit if quantity else None,
            "route": (dosage.route.text or next((c.display for c in dosage.route.coding or []
                                                 if c.display), None))
            if dosage.route else None,
            "frequency": _frequency(dosage),
            "days": supply.value if supply else None,
            "instructions": dosage.text,
        }],
    }
    if supply is not None and supply.code not in (None, "d"):
        raise FhirUnprocessable("用药天数的单位应为天（d）",
                                expression=[DRAFT_PATHS["days"]], fhir_code="business-rule")
    try:
        return DraftIn.model_validate(data)
    except ValidationError as exc:
        problems = [(draft_path(".".join(str(p) for p in err["loc"])),
                     str(err.get("msg", "")).removeprefix("Value error, "))
                    for err in exc.errors()]
        raise FhirInvalid(f"{problems[0][0]}: {problems[0][1]}", expression=[problems[0][0]],
                          issues=[{"message": f"{path}: {message}", "expression": [path]}
                                  for path, message in problems[1:]]) from None
