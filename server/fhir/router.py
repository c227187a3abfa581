"""HTTP routes of the FHIR API (mounted at /fhir): metadata, read, search, and create of
MedicationRequest. Every answer is application/fhir+json."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response

from server.core.context import Principal, RequestContext
from server.core.deps import Ctx, Svc
from server.core.services import Services
from server.fhir import directory, prescribing
from server.fhir.capability import capability_statement
from server.fhir.create import create_request
from server.fhir.dependencies import FhirClient
from server.fhir.outcome import FhirInvalid, UnknownResource, fhir_response, issue
from server.fhir.search import SEARCH_PARAMETERS, Search, bundle, parse_search

router = APIRouter()

Searcher = Callable[[RequestContext, Services, Principal, Search],
                    Awaitable[tuple[list[dict[str, Any]], int]]]
SEARCHES: dict[str, Searcher] = {
    "Patient": directory.search_patients,
    "Practitioner": directory.search_practitioners,
    "Organization": directory.search_organisations,
    "Medication": directory.search_medications,
    "MedicationRequest": prescribing.search_requests,
    "MedicationDispense": prescribing.search_dispenses,
    "Task": prescribing.search_tasks,
    "Provenance": prescribing.search_provenance,
    "AuditEvent": prescribing.search_audit,
    "DetectedIssue": prescribing.search_detected_issues,
}
assert set(SEARCHES) == set(SEARCH_PARAMETERS)
LOGICAL_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def _base(request: Request) -> str:
    """The FHIR base URL with a trailing slash: where this app is mounted (its root path)."""
    return f"{request.url.scheme}://{request.url.netloc}{request.scope.get('root_path', '')}/"


def _searcher(resource_type: str) -> Searcher:
    searcher = SEARCHES.get(resource_type)
    if searcher is None:
        raise UnknownResource(f"不支持的资源类型「{resource_type[:64]}」"
                              f"（支持：{', '.join(SEARCHES)}）", fhir_code="not-supported",
                              expression=[resource_type[:64]])
    return searcher


@router.get("/metadata", operation_id="fhir_capabilities")
async def metadata(request: Request, svc: Svc) -> Response:
    """The CapabilityStatement: open to anyone, as FHIR clients discover a server by it."""
    return fhir_response(capability_statement(base=_base(request), software_version="1.0.0",
                                              now=svc.clock.now()))


@router.get("/{resource_type}", operation_id="fhir_search")
async def search(resource_type: str, request: Request, client: FhirClient, ctx: Ctx, svc: Svc,
                 prefer: Annotated[str | None, Header()] = None) -> Response:
    searcher = _searcher(resource_type)
    query = parse_search(resource_type, list(request.query_params.multi_items()),
                         lenient="handling=lenient" in (prefer or ""))
    resources, total = await searcher(ctx, svc, client, query)
    return fhir_response(bundle(_base(request), query, total, resources))


@router.get("/{resource_type}/{logical_id}", operation_id="fhir_read")
async def read(resource_type: str, logical_id: str, client: FhirClient, ctx: Ctx,
               svc: Svc) -> Response:
    searcher = _searcher(resource_type)
    if not LOGICAL_ID.fullmatch(logical_id):
        raise FhirInvalid("资源标识格式不正确（1至64位字母、数字、- 或 .）",
                          expression=[f"{resource_type}.id"])
    found, _ = await searcher(ctx, svc, client, Search(resource_type, [("_id", logical_id)],
                                                       count=1))
    if not found:
        # Also what row-level security hides: no hint that the record exists elsewhere.
        raise UnknownResource(f"{resource_type}/{logical_id} 不存在", fhir_code="not-found")
    resource = found[0]
    version = resource.get("meta", {}).get("versionId")
    return fhir_response(resource, headers={"ETag": f'W/"{version}"'} if version else None)


@router.post("/MedicationRequest", operation_id="fhir_create_medication_request")
async def create(request: Request, client: FhirClient, ctx: Ctx, svc: Svc,
                 if_none_exist: Annotated[str | None, Header()] = None) -> Response:
    """A circulation prescription (a draft of the requesting doctor) from the HIS or the
    regional system. `If-None-Exist: identifier=system|value` makes it idempotent."""
    resource, status = await create_request(ctx, svc, client, await request.body(),
                                            if_none_exist)
    location = f"{_base(request)}MedicationRequest/{resource['id']}"
    headers = {"Location": location, "ETag": f'W/"{resource["meta"]["versionId"]}"'}
    return fhir_response(resource, status=status, headers=headers)


@router.api_route("/{resource_type}", methods=["POST", "PUT", "PATCH", "DELETE"],
                  include_in_schema=False)
@router.api_route("/{resource_type}/{logical_id}", methods=["POST", "PUT", "PATCH", "DELETE"],
                  include_in_schema=False)
async def not_supported(resource_type: str, request: Request, client: FhirClient) -> Response:
    _searcher(resource_type)
    from server.fhir.outcome import outcome_response

    return outcome_response(405, [issue(f"{resource_type} 不支持 {request.method}（只读，"
                                        "MedicationRequest 可新建）", status=405,
                                        code="not-supported")])
