"""The prescription as FHIR: MedicationRequest (one per line), Task (the circulation state with
its business status), MedicationDispense (one per package handed out, by traceability code),
Provenance (the doctor's and the pharmacist's signatures), AuditEvent and DetectedIssue."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, any_, func, literal, or_, select

from server.audit.models import AuditEvent
from server.catalogue.models import CatalogueProduct
from server.checks.frequency import frequency_label
from server.circulation.models import CirculationOrder, DispensedPackage, OrderLine
from server.core.context import Principal, RequestContext
from server.core.services import Services
from server.fhir import repository, systems, vocabulary
from server.fhir.directory import meta
from server.fhir.outcome import build
from server.fhir.search import Search, as_uuid
from server.prescriptions.lifecycle import Status
from server.prescriptions.models import (
    Prescription,
    PrescriptionIssue,
    PrescriptionLine,
    ReviewTask,
)

Found = tuple[list[dict[str, Any]], int]


def request_id(prescription_id: uuid.UUID, line_no: int) -> str:
    return f"{prescription_id}-{line_no}"


def split_request_id(value: str) -> tuple[uuid.UUID, int] | None:
    """(prescription, line) of a MedicationRequest id; None for an id that is not one."""
    head, _, line = value.rpartition("-")
    prescription_id = as_uuid(head, "_id")
    if prescription_id is None or not line.isdigit() or len(line) > 3:
        return None
    return prescription_id, int(line)


def _ref(kind: str, logical: object, display: str | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {"reference": f"{kind}/{logical}"}
    if display:
        ref["display"] = display
    return ref


def _requests_of(ids: Sequence[str]) -> ColumnElement[bool]:
    """Rows of the MedicationRequests named (prescription and line)."""
    wanted = [found for found in map(split_request_id, ids) if found]
    return or_(*(and_(Prescription.id == p, PrescriptionLine.line_no == n) for p, n in wanted)) \
        if wanted else Prescription.id.is_(None)


def _prescriptions_named(values: Sequence[str]) -> list[uuid.UUID]:
    """Prescriptions referenced as Task/{id}, MedicationRequest/{id}-{n} or a bare id."""
    found: list[uuid.UUID] = []
    for value in values:
        logical = value.rsplit("/", 1)[-1]
        parts = split_request_id(logical)
        if parts:
            found.append(parts[0])
        elif (plain := as_uuid(logical, "reference")) is not None:
            found.append(plain)
    return found


def _patients(search: Search) -> list[uuid.UUID] | None:
    named = search.reference_ids("patient", "Patient") + search.reference_ids("subject", "Patient")
    if not named:
        return None
    return [i for i in (as_uuid(v, "patient") for v in named) if i]


# -- MedicationRequest -------------------------------------------------------------------------

def request_resource(rx: Prescription, line: PrescriptionLine, *, doctor: str | None,
                     identifiers: list[tuple[str, str]],
                     issues: list[PrescriptionIssue]) -> dict[str, Any]:
    status = Status(rx.status)
    data: dict[str, Any] = {
        "resourceType": "MedicationRequest", "id": request_id(rx.id, line.line_no),
        "meta": meta(rx.version, rx.updated_at),
        "identifier": [{"system": systems.PRESCRIPTION_NUMBER, "value": rx.number}]
        + [{"system": system, "value": value} for system, value in identifiers],
        "groupIdentifier": {"system": systems.PRESCRIPTION_NUMBER, "value": rx.number},
        "status": vocabulary.REQUEST_STATUS[status],
        "intent": "order",
        "category": [{"coding": [{"system": systems.VISIT_TYPE, "code": rx.visit_type}]}],
        "medicationReference": _ref("Medication", line.product_id,
                                    f"{line.generic_name} {line.specification}"),
        "subject": _ref("Patient", rx.patient_id),
        "authoredOn": rx.created_at.isoformat(),
        "requester": _ref("Practitioner", rx.doctor_id, doctor),
        "reasonCode": [{"coding": [{"system": systems.ICD10, "code": d["code"],
                                    "display": d.get("name")}], "text": d.get("name")}
                       for d in rx.diagnoses],
        "dosageInstruction": [{
            "sequence": 1,
            "text": line.instructions or f"{line.route} {line.dose}{line.dose_unit} "
                                         f"{frequency_label(line.frequency)}",
            "timing": {"code": {"coding": [{"system": systems.FREQUENCY,
                                            "code": line.frequency,
                                            "display": frequency_label(line.frequency)}]}},
            "route": {"text": line.route},
            "doseAndRate": [{"doseQuantity": {"value": line.dose, "unit": line.dose_unit}}]}],
        "dispenseRequest": {
            "quantity": {"value": line.quantity, "unit": line.unit},
            "expectedSupplyDuration": {"value": line.days, "unit": "d", "system": systems.UCUM,
                                       "code": "d"}},
    }
    if rx.issued_at and rx.expires_at:
        data["dispenseRequest"]["validityPeriod"] = {"start": rx.issued_at.isoformat(),
                                                     "end": rx.expires_at.isoformat()}
    if status in (Status.VOIDED, Status.REJECTED) and rx.void_reason:
        data["statusReason"] = {"text": rx.void_reason}
    if rx.notes:
        data["note"] = [{"text": rx.notes}]
    if rx.extended_supply_reason:
        data["extension"] = [{"url": systems.EXT_EXTENDED_SUPPLY_REASON,
                              "valueString": rx.extended_supply_reason}]
    if rx.supersedes_id:
        data["priorPrescription"] = _ref("MedicationRequest", request_id(rx.supersedes_id, 1))
    mine = [i for i in issues if not i.line_numbers or line.line_no in i.line_numbers]
    if mine:
        data["detectedIssue"] = [_ref("DetectedIssue", i.id) for i in mine]
    return build("MedicationRequest", data)


async def search_requests(ctx: RequestContext, svc: Services, principal: Principal,
                          search: Search) -> Found:
    query = repository.request_lines()
    if search.values("_id"):
        query = query.where(_requests_of(search.values("_id")))
    patients = _patients(search)
    if patients is not None:
        query = query.where(Prescription.patient_id.in_(patients))
    statuses = search.values("status")
    if statuses:
        query = query.where(Prescription.status.in_(
            vocabulary.statuses_for(vocabulary.REQUEST_STATUS, statuses)))
    for name in ("authoredon", "date"):
        query = query.where(*repository.in_range(Prescription.created_at, search.dates(name)))
    tokens = search.tokens("identifier")
    if tokens:
        query = query.where(or_(*(repository.prescription_identifier(t.system, t.value)
                                  for t in tokens)))
    requesters = search.reference_ids("requester", "Practitioner")
    if requesters:
        query = query.where(Prescription.doctor_id.in_(
            [i for i in (as_uuid(r, "requester") for r in requesters) if i]))
    intents = search.values("intent")
    if intents and "order" not in intents:
        query = query.where(Prescription.id.is_(None))
    rows, total = await repository.page(ctx.session, query, search)
    return await request_resources(ctx, [(row[1], row[0]) for row in rows]), total


async def request_resources(ctx: RequestContext, pairs: Sequence[tuple[Prescription,
                                                                       PrescriptionLine]]
                            ) -> list[dict[str, Any]]:
    session = ctx.session
    prescriptions = list({rx.id: rx for rx, _ in pairs}.values())
    doctors = await repository.staff(session, [rx.doctor_id for rx in prescriptions])
    identifiers = await repository.client_identifiers(session, [rx.id for rx in prescriptions])
    issues = await repository.issue_rows(session, prescriptions)
    return [request_resource(rx, line, doctor=doctors.get(rx.doctor_id),
                             identifiers=identifiers.get(rx.id, []),
                             issues=issues.get(rx.id, [])) for rx, line in pairs]


# -- Task --------------------------------------------------------------------------------------

def task_resource(rx: Prescription, lines: int, order: CirculationOrder | None,
                  pharmacy: str | None, doctor: str | None) -> dict[str, Any]:
    status = Status(rx.status)
    data: dict[str, Any] = {
        "resourceType": "Task", "id": str(rx.id), "meta": meta(rx.version, rx.updated_at),
        "identifier": [{"system": systems.PRESCRIPTION_NUMBER, "value": rx.number}],
        "groupIdentifier": {"system": systems.PRESCRIPTION_NUMBER, "value": rx.number},
        "basedOn": [_ref("MedicationRequest", request_id(rx.id, n)) for n in range(1, lines + 1)],
        "status": vocabulary.TASK_STATUS[status],
        "businessStatus": vocabulary.business_status(
            rx.status, awaits_dispatch=order is not None and order.awaits_dispatch),
        "intent": "order",
        "code": {"coding": [{"system": "http://hl7.org/fhir/CodeSystem/task-code",
                             "code": "fulfill"}], "text": "处方流转"},
        "for": _ref("Patient", rx.patient_id),
        "authoredOn": rx.created_at.isoformat(),
        "lastModified": rx.status_changed_at.isoformat(),
        "requester": _ref("Practitioner", rx.doctor_id, doctor),
    }
    if rx.void_reason and status == Status.VOIDED:
        data["statusReason"] = {"text": rx.void_reason}
    if rx.issued_at and rx.expires_at:
        data["restriction"] = {"period": {"start": rx.issued_at.isoformat(),
                                          "end": rx.expires_at.isoformat()}}
    if order is not None:
        data["owner"] = _ref("Organization", order.pharmacy_id, pharmacy)
        data["identifier"].append({"system": systems.ORDER_NUMBER, "value": order.number})
    return build("Task", data)


async def search_tasks(ctx: RequestContext, svc: Services, principal: Principal,
                       search: Search) -> Found:
    query = repository.prescriptions()
    if search.values("_id"):
        query = query.where(Prescription.id.in_(
            [i for i in (as_uuid(v, "_id") for v in search.values("_id")) if i]))
    patients = (search.reference_ids("patient", "Patient")
                + search.reference_ids("for", "Patient"))
    if patients:
        query = query.where(Prescription.patient_id.in_(
            [i for i in (as_uuid(p, "patient") for p in patients) if i]))
    if search.values("status"):
        query = query.where(Prescription.status.in_(
            vocabulary.statuses_for(vocabulary.TASK_STATUS, search.values("status"))))
    business = [t.value for t in search.tokens("business-status") if t.value]
    if business:
        query = query.where(Prescription.status.in_(business))
    tokens = search.tokens("identifier")
    if tokens:
        query = query.where(or_(*(repository.prescription_identifier(t.system, t.value)
                                  for t in tokens)))
    owners = search.reference_ids("owner", "Organization")
    if owners:
        query = query.where(Prescription.id.in_(
            select(CirculationOrder.prescription_id).where(CirculationOrder.pharmacy_id.in_(
                [i for i in (as_uuid(o, "owner") for o in owners) if i]))))
    query = query.where(*repository.in_range(Prescription.status_changed_at,
                                             search.dates("modified")))
    rows, total = await repository.page(ctx.session, query, search)
    prescriptions = [row[0] for row in rows]
    return await task_resources(ctx, prescriptions), total


async def task_resources(ctx: RequestContext,
                         prescriptions: Sequence[Prescription]) -> list[dict[str, Any]]:
    session = ctx.session
    ids = [rx.id for rx in prescriptions]
    counts = dict((await session.execute(
        select(PrescriptionLine.prescription_id, func.count())
        .where(PrescriptionLine.prescription_id.in_(ids))
        .group_by(PrescriptionLine.prescription_id))).all()) if ids else {}
    orders = await repository.latest_orders(session, ids)
    pharmacies = await repository.organisation_names(
        session, [o.pharmacy_id for o in orders.values()])
    doctors = await repository.staff(session, [rx.doctor_id for rx in prescriptions])
    return [task_resource(rx, counts.get(rx.id, 0), orders.get(rx.id),
                          pharmacies.get(orders[rx.id].pharmacy_id) if rx.id in orders else None,
                          doctors.get(rx.doctor_id)) for rx in prescriptions]


# -- MedicationDispense ------------------------------------------------------------------------

def dispense_resource(package: DispensedPackage, line: OrderLine, order: CirculationOrder,
                      rx: Prescription, product_name: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "resourceType": "MedicationDispense", "id": str(package.id),
        "identifier": [{"system": systems.TRACE_CODE, "value": package.trace_code}],
        "status": vocabulary.DISPENSE_STATUS.get(Status(rx.status), "in-progress"),
        "contained": [{"resourceType": "Medication", "id": "package",
                       "code": {"coding": [{"system": systems.PRODUCT_ID,
                                            "code": str(package.product_id),
                                            "display": product_name}], "text": product_name},
                       "batch": {"lotNumber": package.batch,
                                 "expirationDate": package.expiry.isoformat()}}],
        "medicationReference": {"reference": "#package", "display": product_name},
        "subject": _ref("Patient", order.patient_id),
        "performer": [{"actor": _ref("Practitioner", package.scanned_by_id, package.scanned_by)},
                      {"actor": _ref("Organization", package.pharmacy_id)}],
        "location": {"display": order.number},
        "authorizingPrescription": [_ref("MedicationRequest",
                                         request_id(rx.id, line.line_no))],
        "quantity": {"value": 1, "unit": "包装"},
        "whenPrepared": package.scanned_at.isoformat(),
    }
    if order.handed_over_at:
        data["whenHandedOver"] = order.handed_over_at.isoformat()
    if order.checker_id:
        data["performer"].append({
            "function": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                               "medicationdispense-performer-function",
                                     "code": "checker"}]},
            "actor": _ref("Practitioner", order.checker_id)})
    return build("MedicationDispense", data)


async def search_dispenses(ctx: RequestContext, svc: Services, principal: Principal,
                           search: Search) -> Found:
    query = repository.dispensed()
    if search.values("_id"):
        query = query.where(DispensedPackage.id.in_(
            [i for i in (as_uuid(v, "_id") for v in search.values("_id")) if i]))
    for token in search.tokens("identifier"):
        if token.system not in (None, systems.TRACE_CODE) or token.value is None:
            query = query.where(DispensedPackage.id.is_(None))
        else:
            query = query.where(DispensedPackage.trace_code == token.value)
    patients = _patients(search)
    if patients is not None:
        query = query.where(CirculationOrder.patient_id.in_(patients))
    named = search.reference_ids("prescription", "MedicationRequest")
    if named:
        wanted = [p for p in map(split_request_id, named) if p]
        query = query.where(or_(*(and_(Prescription.id == p, OrderLine.line_no == n)
                                  for p, n in wanted)) if wanted else Prescription.id.is_(None))
    if search.values("status"):
        query = query.where(Prescription.status.in_(
            vocabulary.statuses_for(vocabulary.DISPENSE_STATUS, search.values("status"))))
    rows, total = await repository.page(ctx.session, query, search)
    names = {}
    if rows:
        names = dict((await ctx.session.execute(
            select(CatalogueProduct.id, CatalogueProduct.generic_name)
            .where(CatalogueProduct.id.in_({row[0].product_id for row in rows})))).all())
    return [dispense_resource(row[0], row[1], row[2], row[3], names.get(row[0].product_id))
            for row in rows], total


# -- Provenance --------------------------------------------------------------------------------

# The algorithms of common/signing.py; what was signed is the canonical JSON of the document.
SIGNATURE_FORMATS = {"sm2-sm3": "application/x-sm2-sm3-signature",
                     "ecdsa-p256-sha256": "application/x-ecdsa-p256-sha256-signature"}


def _signature(kind_code: str, kind_display: str, when: Any, who: dict[str, Any],
               algorithm: str | None, blob: bytes) -> dict[str, Any]:
    return {"type": [{"system": systems.SIGNATURE_TYPE, "code": kind_code,
                      "display": kind_display}],
            "when": when.isoformat(), "who": who,
            "targetFormat": "application/json",
            "sigFormat": SIGNATURE_FORMATS.get((algorithm or "").lower(),
                                               "application/octet-stream"),
            "data": base64.b64encode(blob).decode()}


def prescription_provenance(rx: Prescription, lines: int, doctor: str | None) -> dict[str, Any]:
    assert rx.signed_at is not None and rx.signature is not None
    who = _ref("Practitioner", rx.doctor_id, doctor)
    return build("Provenance", {
        "resourceType": "Provenance", "id": f"rx-{rx.id}",
        "target": [_ref("MedicationRequest", request_id(rx.id, n)) for n in range(1, lines + 1)],
        "recorded": rx.signed_at.isoformat(),
        "activity": {"coding": [{"system": systems.PROVENANCE_ACTIVITY, "code": "CREATE"}],
                     "text": f"医生签名（第{rx.revision}次）"},
        "agent": [{"type": {"coding": [{"system": systems.PROVENANCE_AGENT_TYPE,
                                        "code": "author"}]}, "who": who}],
        "signature": [_signature("1.2.840.10065.1.12.1.1", "Author's Signature", rx.signed_at,
                                 who, rx.signature_algorithm, rx.signature)],
    })


def review_provenance(task: ReviewTask, rx: Prescription, pharmacist: str | None
                      ) -> dict[str, Any]:
    assert task.decided_at is not None and task.signature is not None
    who = _ref("Practitioner", task.decided_by_id, pharmacist)
    return build("Provenance", {
        "resourceType": "Provenance", "id": f"review-{task.id}",
        "target": [_ref("Task", rx.id)],
        "recorded": task.decided_at.isoformat(),
        "activity": {"coding": [{"system": systems.PROVENANCE_ACTIVITY, "code": "UPDATE"}],
                     "text": "药师审核通过" if task.decision == "approved" else "药师审核驳回"},
        "agent": [{"type": {"coding": [{"system": systems.PROVENANCE_AGENT_TYPE,
                                        "code": "verifier"}]}, "who": who}],
        "signature": [_signature("1.2.840.10065.1.12.1.5", "Verification Signature",
                                 task.decided_at, who, task.signature_algorithm,
                                 task.signature)],
    })


async def search_provenance(ctx: RequestContext, svc: Services, principal: Principal,
                            search: Search) -> Found:
    """Signatures of prescriptions (rx-{id}) and of review decisions (review-{task id})."""
    query = repository.prescriptions().where(Prescription.signature.is_not(None))
    ids = search.values("_id")
    wanted_rx = [i for i in (as_uuid(v.removeprefix("rx-"), "_id") for v in ids
                             if v.startswith("rx-")) if i]
    wanted_review = [i for i in (as_uuid(v.removeprefix("review-"), "_id") for v in ids
                                 if v.startswith("review-")) if i]
    targets = _prescriptions_named(search.values("target"))
    patients = _patients(search)
    session = ctx.session

    def narrow(q: Any) -> Any:
        if targets or search.values("target"):
            q = q.where(Prescription.id.in_(targets))
        if patients is not None:
            q = q.where(Prescription.patient_id.in_(patients))
        return q

    signed = narrow(query)
    reviews = narrow(repository.decided_reviews())
    if ids:
        signed = signed.where(Prescription.id.in_(wanted_rx))
        reviews = reviews.where(ReviewTask.id.in_(wanted_review))
    rx_rows = (await session.execute(signed.limit(search.offset + search.count + 1))).all()
    review_rows = (await session.execute(
        reviews.order_by(ReviewTask.decided_at.desc())
        .limit(search.offset + search.count + 1))).all()
    total = ((await session.execute(select(func.count()).select_from(
        signed.order_by(None).subquery()))).scalar_one()
        + (await session.execute(select(func.count()).select_from(
            reviews.order_by(None).subquery()))).scalar_one())
    counts = dict((await session.execute(
        select(PrescriptionLine.prescription_id, func.count())
        .where(PrescriptionLine.prescription_id.in_([r[0].id for r in rx_rows]))
        .group_by(PrescriptionLine.prescription_id))).all()) if rx_rows else {}
    names = await repository.staff(session, [r[0].doctor_id for r in rx_rows]
                                   + [r[0].decided_by_id for r in review_rows
                                      if r[0].decided_by_id])
    entries = [(r[0].signed_at, prescription_provenance(r[0], counts.get(r[0].id, 0),
                                                        names.get(r[0].doctor_id)))
               for r in rx_rows]
    entries += [(r[0].decided_at, review_provenance(r[0], r[1], names.get(r[0].decided_by_id)))
                for r in review_rows]
    entries.sort(key=lambda pair: pair[0], reverse=True)
    window = entries[search.offset:search.offset + search.count]
    return [resource for _, resource in window], total


# -- AuditEvent --------------------------------------------------------------------------------

AUDIT_ACTIONS = {"create": "C", "read": "R", "update": "U", "delete": "D"}


def audit_resource(event: AuditEvent, prescription_id: uuid.UUID) -> dict[str, Any]:
    verb = event.action.rsplit(".", 1)[-1]
    action = next((code for word, code in AUDIT_ACTIONS.items() if word in verb), "E")
    outcome = {"success": "0", "failure": "4", "denied": "8"}.get(event.outcome, "4")
    agent: dict[str, Any] = {"type": {"text": event.actor_role or event.actor_kind or "unknown"},
                             "requestor": True}
    if event.actor_name or event.actor_id:
        agent["who"] = {"display": event.actor_name or str(event.actor_id)}
        if event.actor_id and event.actor_kind == "user":
            agent["who"]["reference"] = f"Practitioner/{event.actor_id}"
    if event.ip:
        agent["network"] = {"address": event.ip, "type": "2"}
    return build("AuditEvent", {
        "resourceType": "AuditEvent", "id": str(event.seq),
        "type": {"system": systems.AUDIT_EVENT_TYPE, "code": "rest",
                 "display": "RESTful Operation"},
        "subtype": [{"system": systems.AUDIT_ACTION, "code": event.action}],
        "action": action, "recorded": event.occurred_at.isoformat(),
        "outcome": outcome, "agent": [agent],
        "source": {"site": event.workstation or None,
                   "observer": {"display": "处方流转平台"}},
        "entity": [{"what": _ref("Task", prescription_id)}],
    })


async def search_audit(ctx: RequestContext, svc: Services, principal: Principal,
                       search: Search) -> Found:
    query = repository.prescription_audit()
    ids = [v for v in search.values("_id") if v.isdigit() and len(v) < 19]
    if search.values("_id"):
        query = query.where(AuditEvent.seq.in_([int(v) for v in ids]))
    if search.values("entity"):
        query = query.where(Prescription.id.in_(_prescriptions_named(search.values("entity"))))
    query = query.where(*repository.in_range(AuditEvent.occurred_at, search.dates("date")))
    rows, total = await repository.page(ctx.session, query, search)
    return [audit_resource(row[0], row[1]) for row in rows], total


# -- DetectedIssue -----------------------------------------------------------------------------

def detected_issue_resource(hit: PrescriptionIssue, rx: Prescription) -> dict[str, Any]:
    lines = hit.line_numbers or []
    data: dict[str, Any] = {
        "resourceType": "DetectedIssue", "id": str(hit.id),
        "status": "final",
        "code": {"coding": [{"system": systems.CHECK_KIND, "code": hit.kind},
                            {"system": systems.CHECK_LEVEL, "code": str(hit.level)}],
                 "text": hit.rule_id or hit.kind},
        "patient": _ref("Patient", rx.patient_id),
        "implicated": [_ref("MedicationRequest", request_id(rx.id, n)) for n in lines],
        "detail": hit.message,
    }
    severity = vocabulary.issue_severity(hit.level)
    if severity:
        data["severity"] = severity
    if rx.signed_at:
        data["identifiedDateTime"] = rx.signed_at.isoformat()
    if hit.advice:
        data["mitigation"] = [{"action": {"text": hit.advice}}]
    if hit.override_reason:
        override: dict[str, Any] = {"action": {"text": f"继续开具：{hit.override_reason}"}}
        if hit.overridden_at:
            override["date"] = hit.overridden_at.isoformat()
        if hit.overridden_by_id:
            override["author"] = _ref("Practitioner", hit.overridden_by_id,
                                      hit.overridden_by_name)
        data.setdefault("mitigation", []).append(override)
    return build("DetectedIssue", data)


async def search_detected_issues(ctx: RequestContext, svc: Services, principal: Principal,
                                 search: Search) -> Found:
    query = repository.detected_issues()
    if search.values("_id"):
        query = query.where(PrescriptionIssue.id.in_(
            [i for i in (as_uuid(v, "_id") for v in search.values("_id")) if i]))
    patients = _patients(search)
    if patients is not None:
        query = query.where(Prescription.patient_id.in_(patients))
    implicated = [p for p in map(split_request_id, search.reference_ids(
        "implicated", "MedicationRequest")) if p]
    if search.values("implicated"):
        query = query.where(or_(*(and_(Prescription.id == p,
                                       literal(n) == any_(PrescriptionIssue.line_numbers))
                                  for p, n in implicated)) if implicated
                            else Prescription.id.is_(None))
    rows, total = await repository.page(ctx.session, query, search)
    return [detected_issue_resource(row[0], row[1]) for row in rows], total
