"""The CapabilityStatement (GET /fhir/metadata), built from the same tables the router serves,
so it lists exactly the resources, interactions and search parameters the server supports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.fhir.outcome import FHIR_VERSION, MEDIA_TYPE, build
from server.fhir.search import SEARCH_PARAMETERS

# What each resource supports beyond read and search-type.
CREATABLE = frozenset({"MedicationRequest"})
SEARCH_PARAMETER_TYPES = {"token", "string", "date", "reference"}


def capability_statement(*, base: str, software_version: str,
                         now: datetime) -> dict[str, Any]:
    resources = []
    for resource_type, parameters in SEARCH_PARAMETERS.items():
        interactions = [{"code": "read"}, {"code": "search-type"}]
        entry: dict[str, Any] = {
            "type": resource_type, "versioning": "no-version", "readHistory": False,
            "searchParam": [{"name": name, "type": kind, "documentation": text}
                            for name, (kind, text) in parameters.items()
                            if kind in SEARCH_PARAMETER_TYPES],
        }
        if resource_type in CREATABLE:
            interactions.append({"code": "create"})
            entry["conditionalCreate"] = True
        entry["interaction"] = interactions
        resources.append(entry)
    return build("CapabilityStatement", {
        "resourceType": "CapabilityStatement", "status": "active",
        "date": now.isoformat(), "publisher": "处方流转平台", "kind": "instance",
        "software": {"name": "rxp 处方流转平台", "version": software_version},
        "implementation": {"description": "医院集团处方流转平台 FHIR R4 接口", "url": base},
        "fhirVersion": FHIR_VERSION, "format": [MEDIA_TYPE, "json"],
        "rest": [{
            "mode": "server",
            "documentation": "客户端凭据（POST /auth/token）换取的 Bearer 令牌；"
                             "仅对医院 HIS 与区域慢病管理系统开放。分页：_count（最多100）与"
                             "Bundle 的 next/previous 链接；未支持的搜索参数返回 400"
                             "（Prefer: handling=lenient 时忽略）。",
            "security": {"cors": False, "service": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                "code": "OAuth"}], "text": "OAuth2 client credentials"}]},
            "resource": resources,
            "searchParam": [{"name": "_count", "type": "number"}],
        }],
    })
