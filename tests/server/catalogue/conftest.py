"""Fixtures of the catalogue tests: logged-in headers per demo account, a valid proposal, and
the database reached as the schema owner (audit log, seeding)."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import Engine, text

from server.catalogue.codes import gs1_check_digit
from tests.helpers import HeadersFor

ADMIN = "admin_h1"  # hospital administrator: proposes and approves
OTHER_ADMIN = "admin_group"
DOCTOR = "doctor_wang"
PHARMACIST = "pharm_chen"  # proposes
STORE = "store_kangning"


def standard_code(body: str) -> str:
    """A valid 本位码 from its first 13 digits."""
    return body + str(gs1_check_digit(body))


# A real product (Sanofi's Plavix sibling from another maker) that is not in the seed file.
PROPOSAL: dict[str, Any] = {
    "item_type": "drug",
    "generic_name": "硫酸氢氯吡格雷片",
    "brand_name": "帅泰",
    "specification": "75mg",
    "dosage_form": "片剂",
    "package": "14片/盒",
    "unit": "盒",
    "manufacturer": "乐普药业股份有限公司",
    "approval_number": "国药准字H20193110",
    "insurance_code": "XB01ACL075A001001400571",
    "standard_code": standard_code("8699876500012"),
    "atc_code": "B01AC04",
    "drug_class": "ordinary",
    "chronic_list": True,
    "price": "18.60",
    "reason": "集采中选品种，替换原研",
}


def audit_actions(engine: Engine, entity_id: str) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text(
            "SELECT action FROM audit_event WHERE entity_id = :id ORDER BY seq"),
            {"id": entity_id}).scalars())


async def propose(client: httpx.AsyncClient, headers: dict[str, str],
                  **overrides: Any) -> httpx.Response:
    body = {k: v for k, v in {**PROPOSAL, **overrides}.items() if v is not ...}
    return await client.post("/catalogue/proposals", json=body, headers=headers)


async def proposed(client: httpx.AsyncClient, headers_for: HeadersFor,
                   **overrides: Any) -> dict[str, Any]:
    response = await propose(client, await headers_for(PHARMACIST), **overrides)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def transition(client: httpx.AsyncClient, headers: dict[str, str], product: dict[str, Any],
                     action: str, reason: str | None = "测试原因") -> httpx.Response:
    body: dict[str, Any] = {"version": product["version"]}
    if reason is not None:
        body["reason"] = reason
    return await client.post(f"/catalogue/products/{product['id']}/{action}", json=body,
                             headers=headers)


async def active(client: httpx.AsyncClient, headers_for: HeadersFor,
                 **overrides: Any) -> dict[str, Any]:
    """A product proposed by the pharmacist and approved by the hospital administrator."""
    product = await proposed(client, headers_for, **overrides)
    response = await transition(client, await headers_for(ADMIN), product, "approve", None)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def search(client: httpx.AsyncClient, headers: dict[str, str],
                 **params: Any) -> dict[str, Any]:
    response = await client.get("/catalogue/search", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
