"""Patient, Practitioner, Organization and Medication: who and what the prescriptions name.

Patients leave masked, as every integration client sees them (server/patients/masking_policy.py,
DOMAIN.md section 9): the HIS already holds its patients' records and finds ours by the
identifier it knows (exact match on the blind index); it needs no clear copy from us.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from server.catalogue.models import CatalogueProduct, ProductStatus
from server.core.context import Principal, RequestContext
from server.core.errors import Unprocessable
from server.core.services import Services
from server.fhir import repository, systems
from server.fhir.outcome import FhirInvalid, build
from server.fhir.search import Search, as_uuid
from server.identity.models import StaffUser, UserStatus
from server.organisations.models import Organisation, OrganisationStatus
from server.patients import repository as patient_repository
from server.patients import service as patient_service
from server.patients.schemas import PatientOut

# Identifier system -> the patients' searchable field.
PATIENT_IDENTIFIERS = {systems.ID_NUMBER: "id_number", systems.HOSPITAL_CARD: "hospital_card",
                       systems.INSURANCE_CARD: "insurance_card"}
IDENTIFIER_TYPES = {"id_number": ("NNCHN", "居民身份证号"), "hospital_card": ("MR", "就诊卡号"),
                    "insurance_card": ("SB", "医保卡号")}


def meta(version: int, updated: Any) -> dict[str, Any]:
    return {"versionId": str(version), "lastUpdated": updated.isoformat()}


# -- Patient -----------------------------------------------------------------------------------

def patient_resource(shown: PatientOut) -> dict[str, Any]:
    identifiers = []
    for field, system in ((f, s) for s, f in PATIENT_IDENTIFIERS.items()):
        value = getattr(shown, field)
        if value:
            code, label = IDENTIFIER_TYPES[field]
            identifiers.append({"use": "official" if field == "id_number" else "secondary",
                                "type": {"coding": [{"system": systems.V2_IDENTIFIER_TYPE,
                                                     "code": code}], "text": label},
                                "system": system, "value": value})
    data: dict[str, Any] = {
        "resourceType": "Patient", "id": str(shown.id),
        "meta": {**meta(shown.version, shown.updated_at),
                 # The masked view (DOMAIN.md section 9), marked as such for the receiver.
                 "security": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
                               "code": "MASKED", "display": "masked"}]},
        "identifier": identifiers, "active": True,
        "name": [{"use": "official", "text": shown.name}],
        "managingOrganization": {"reference": f"Organization/{shown.org_id}"},
    }
    if shown.sex in ("male", "female"):
        data["gender"] = shown.sex
    if shown.birth_date is not None:
        data["birthDate"] = shown.birth_date.isoformat()
    if shown.phone:
        data["telecom"] = [{"system": "phone", "value": shown.phone, "use": "mobile"}]
    return build("Patient", data)


async def search_patients(ctx: RequestContext, svc: Services, principal: Principal,
                          search: Search) -> tuple[list[dict[str, Any]], int]:
    ids = [as_uuid(v, "_id") for v in search.values("_id")]
    criteria: dict[str, str | None] = {}
    for token in search.tokens("identifier"):
        field = PATIENT_IDENTIFIERS.get(token.system or "")
        if field is None or token.value is None:
            raise FhirInvalid("患者标识须写作 system|value，system 为身份证号、就诊卡号或医保卡号的"
                              f"命名系统（{', '.join(PATIENT_IDENTIFIERS)}）",
                              expression=["identifier"])
        if criteria.get(field, token.value) != token.value:
            return [], 0  # two different values of one identifier: no one has both
        criteria[field] = token.value
    name = search.one("name")
    if name is not None:
        criteria["name"] = name
    if not criteria and not ids:
        raise FhirInvalid("请按 _id、identifier 或 name 查找患者（不提供全部患者列表）",
                          expression=["identifier"])
    if criteria:
        try:
            found = await patient_service.search(
                ctx, svc, principal, criteria=criteria, limit=100, offset=0)
        except Unprocessable:
            return [], 0  # a malformed ID or card number belongs to no one
        shown = [p for p in found.items if not ids or p.id in ids]
    else:
        shown = []
        for patient_id in ids:
            patient = await patient_repository.get(ctx.session, patient_id) \
                if patient_id else None
            if patient is not None:
                shown.append(patient_service.present(svc, principal, patient, full=False))
    window = shown[search.offset:search.offset + search.count]
    return [patient_resource(p) for p in window], len(shown)


# -- Practitioner ------------------------------------------------------------------------------

def practitioner_resource(user: StaffUser) -> dict[str, Any]:
    data: dict[str, Any] = {
        "resourceType": "Practitioner", "id": str(user.id), "meta": meta(user.version,
                                                                         user.updated_at),
        "identifier": [{"system": systems.STAFF_USERNAME, "value": user.username}],
        "active": user.status == UserStatus.ACTIVE,
        "name": [{"use": "official", "text": user.display_name}],
    }
    if user.professional_title or user.pharmacist_level:
        code = user.professional_title or user.pharmacist_level
        data["qualification"] = [{"code": {"coding": [{"system": systems.PROFESSIONAL_TITLE,
                                                       "code": code}]},
                                  "issuer": {"reference": f"Organization/{user.org_id}"}}]
    return build("Practitioner", data)


async def search_practitioners(ctx: RequestContext, svc: Services, principal: Principal,
                               search: Search) -> tuple[list[dict[str, Any]], int]:
    query = repository.practitioners()
    ids = search.values("_id")
    if ids:
        query = query.where(StaffUser.id.in_([i for i in map(lambda v: as_uuid(v, "_id"), ids)
                                              if i]))
    for token in search.tokens("identifier"):
        if token.system not in (None, systems.STAFF_USERNAME):
            return [], 0
        if token.value is not None:
            query = query.where(StaffUser.username == token.value)
    orgs = search.reference_ids("organization", "Organization")
    if orgs:
        query = query.where(StaffUser.org_id.in_([i for i in (as_uuid(o, "organization")
                                                              for o in orgs) if i]))
    rows, total = await repository.page(ctx.session, query, search)
    return [practitioner_resource(row[0]) for row in rows], total


# -- Organization ------------------------------------------------------------------------------

def organization_resource(org: Organisation) -> dict[str, Any]:
    data: dict[str, Any] = {
        "resourceType": "Organization", "id": str(org.id), "meta": meta(org.version,
                                                                        org.updated_at),
        "identifier": [{"system": systems.ORGANISATION_CODE, "value": org.code}],
        "active": org.status == OrganisationStatus.ACTIVE,
        "type": [{"coding": [{"system": systems.ORGANISATION_KIND, "code": org.kind}]}],
        "name": org.name,
    }
    if org.parent_id:
        data["partOf"] = {"reference": f"Organization/{org.parent_id}"}
    if org.phone:
        data["telecom"] = [{"system": "phone", "value": org.phone, "use": "work"}]
    if org.address:
        data["address"] = [{"text": org.address}]
    return build("Organization", data)


async def search_organisations(ctx: RequestContext, svc: Services, principal: Principal,
                               search: Search) -> tuple[list[dict[str, Any]], int]:
    query = repository.organisations()
    ids = [i for i in (as_uuid(v, "_id") for v in search.values("_id")) if i]
    if search.values("_id"):
        query = query.where(Organisation.id.in_(ids))
    for token in search.tokens("identifier"):
        if token.system not in (None, systems.ORGANISATION_CODE):
            return [], 0
        if token.value is not None:
            query = query.where(Organisation.code == token.value)
    name = search.one("name")
    if name is not None:
        query = query.where(Organisation.name.contains(name, autoescape=True))
    kinds = [t.value for t in search.tokens("type") if t.value]
    if kinds:
        query = query.where(Organisation.kind.in_(kinds))
    parents = search.reference_ids("partof", "Organization")
    if parents:
        query = query.where(Organisation.parent_id.in_(
            [i for i in (as_uuid(p, "partof") for p in parents) if i]))
    rows, total = await repository.page(ctx.session, query, search)
    return [organization_resource(row[0]) for row in rows], total


# -- Medication --------------------------------------------------------------------------------

def medication_resource(product: CatalogueProduct) -> dict[str, Any]:
    coding = [{"system": systems.PRODUCT_ID, "code": str(product.id),
               "display": f"{product.generic_name} {product.specification}"}]
    if product.insurance_code:
        coding.append({"system": systems.INSURANCE_DRUG_CODE, "code": product.insurance_code})
    if product.standard_code:
        coding.append({"system": systems.STANDARD_DRUG_CODE, "code": product.standard_code})
    if product.atc_code:
        coding.append({"system": systems.ATC, "code": product.atc_code})
    identifiers = [{"system": systems.PRODUCT_ID, "value": str(product.id)}]
    if product.approval_number:
        identifiers.append({"system": systems.APPROVAL_NUMBER, "value": product.approval_number})
    data: dict[str, Any] = {
        "resourceType": "Medication", "id": str(product.id),
        "meta": meta(product.version, product.updated_at),
        "extension": [
            {"url": systems.EXT_CHRONIC_LIST, "valueBoolean": product.chronic_list},
            {"url": systems.EXT_DRUG_CLASS,
             "valueCoding": {"system": systems.DRUG_CLASS, "code": product.drug_class}}],
        "identifier": identifiers,
        "code": {"coding": coding, "text": product.generic_name},
        "status": "active" if product.status == ProductStatus.ACTIVE else "inactive",
        "manufacturer": {"display": product.manufacturer},
        "amount": {"numerator": {"value": 1, "unit": product.unit},
                   "denominator": {"value": 1, "unit": product.package}},
    }
    if product.dosage_form:
        data["form"] = {"text": product.dosage_form}
    return build("Medication", data)


CODE_COLUMNS = {systems.INSURANCE_DRUG_CODE: CatalogueProduct.insurance_code,
                systems.STANDARD_DRUG_CODE: CatalogueProduct.standard_code,
                systems.ATC: CatalogueProduct.atc_code}


async def search_medications(ctx: RequestContext, svc: Services, principal: Principal,
                             search: Search) -> tuple[list[dict[str, Any]], int]:
    query = repository.medications()
    if search.values("_id"):
        query = query.where(CatalogueProduct.id.in_(
            [i for i in (as_uuid(v, "_id") for v in search.values("_id")) if i]))
    for token in search.tokens("code"):
        column = CODE_COLUMNS.get(token.system or "")
        if column is None or token.value is None:
            raise FhirInvalid(f"code 须写作 system|value，system 为 {', '.join(CODE_COLUMNS)}",
                              expression=["code"])
        query = query.where(column == token.value)
    for token in search.tokens("identifier"):
        if token.system == systems.PRODUCT_ID and token.value:
            product_id = as_uuid(token.value, "identifier")
            query = query.where(CatalogueProduct.id == product_id) if product_id else \
                query.where(CatalogueProduct.id.is_(None))
        elif token.system == systems.APPROVAL_NUMBER and token.value:
            query = query.where(CatalogueProduct.approval_number == token.value)
        else:
            return [], 0
    statuses = [t.value for t in search.tokens("status")]
    if statuses:
        wanted = set()
        if "active" in statuses:
            wanted.add(ProductStatus.ACTIVE.value)
        if "inactive" in statuses:
            wanted |= {ProductStatus.SUSPENDED.value, ProductStatus.WITHDRAWN.value}
        query = query.where(CatalogueProduct.status.in_(wanted))
    rows, total = await repository.page(ctx.session, query, search)
    return [medication_resource(row[0]) for row in rows], total


@dataclass(frozen=True)
class Found:
    """A reference resolved to our record."""

    id: uuid.UUID
    display: str | None = None
