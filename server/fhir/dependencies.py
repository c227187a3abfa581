"""Who may use the FHIR API: the HIS and the regional chronic-disease system, by their client
credentials (POST /auth/token). Row-level security then scopes every read to the client's
organisation: an HIS sees its own hospital, the regional system (of the group) all of it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from server.core.context import Principal
from server.core.errors import NotPermitted
from server.identity.dependencies import CurrentPrincipal
from server.identity.models import ClientKind

FHIR_CLIENT_KINDS = frozenset({ClientKind.HIS.value, ClientKind.REGIONAL.value})


async def fhir_client(principal: CurrentPrincipal) -> Principal:
    if principal.kind != "client" or principal.attributes.get("client_kind") \
            not in FHIR_CLIENT_KINDS:
        raise NotPermitted("FHIR 接口只对医院 HIS 和区域慢病管理系统的客户端开放",
                           fhir_code="forbidden")
    return principal


FhirClient = Annotated[Principal, Depends(fhir_client)]


def is_regional(principal: Principal) -> bool:
    return principal.attributes.get("client_kind") == ClientKind.REGIONAL.value
