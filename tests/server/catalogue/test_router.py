"""The catalogue API over HTTP: proposals and approval, status changes with history, price
versions, product detail, permissions and malformed input."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from server.catalogue.service import business_day
from server.core.clock import FakeClock
from server.seed.demo import DemoGroup
from tests.helpers import login
from tests.server.catalogue.conftest import (
    ADMIN,
    DOCTOR,
    OTHER_ADMIN,
    PHARMACIST,
    PROPOSAL,
    STORE,
    HeadersFor,
    active,
    audit_actions,
    propose,
    proposed,
    search,
    standard_code,
    transition,
)


def field_errors(response: httpx.Response) -> dict[str, str]:
    body = response.json()
    return {f["field"]: f["message"] for f in body.get("fields", [])}


class TestCodeValidation:
    async def test_bad_insurance_code_is_422_naming_the_field(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        response = await propose(client, await headers_for(PHARMACIST),
                                 insurance_code="XB01AC123")
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "ValidationFailed"
        assert "23 位" in field_errors(response)["body.insurance_code"]

    async def test_standard_code_with_a_wrong_check_digit_is_422(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        good = PROPOSAL["standard_code"]
        bad = good[:-1] + str((int(good[-1]) + 1) % 10)
        response = await propose(client, await headers_for(PHARMACIST), standard_code=bad)
        assert response.status_code == 422, response.text
        assert field_errors(response)["body.standard_code"] == "药品本位码校验位不正确"

    async def test_standard_code_must_start_with_86(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        response = await propose(client, await headers_for(PHARMACIST),
                                 standard_code=standard_code("6901234567890"))
        assert response.status_code == 422
        assert "86" in field_errors(response)["body.standard_code"]

    async def test_bad_approval_number_is_422(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        response = await propose(client, await headers_for(PHARMACIST),
                                 approval_number="国药准字H2019311")
        assert response.status_code == 422
        assert "批准文号" in field_errors(response)["body.approval_number"]

    async def test_a_drug_needs_an_approval_number(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        response = await propose(client, await headers_for(PHARMACIST), approval_number=None)
        assert response.status_code == 422
        assert response.json()["field"] == "approval_number"
        assert response.json()["detail"] == "药品必须填写批准文号"

    async def test_a_consumable_needs_a_device_registration_not_an_approval_number(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        headers = await headers_for(PHARMACIST)
        consumable = {"item_type": "consumable", "generic_name": "一次性使用无菌注射器（带针）",
                      "specification": "10ml", "dosage_form": None, "standard_code": None,
                      "atc_code": None, "insurance_code": None, "brand_name": None,
                      "manufacturer": "山东威高集团医用高分子制品股份有限公司",
                      "package": "100支/盒", "unit": "支", "chronic_list": False, "price": "0.6"}
        response = await propose(client, headers, **consumable)
        assert (response.status_code, response.json()["field"]) == (422, "approval_number")
        response = await propose(client, headers, **{**consumable, "approval_number": None})
        assert (response.status_code, response.json()["field"]) == (422, "registration_number")
        response = await propose(client, headers, **{**consumable, "approval_number": None,
                                                     "registration_number": "国食注字TY20180001"})
        assert (response.status_code, response.json()["field"]) == (422, "registration_number")
        response = await propose(client, headers, **{**consumable, "approval_number": None,
                                                     "registration_number": "国械注准20153140491"})
        assert response.status_code == 201, response.text
        assert response.json()["item_type"] == "consumable"

    async def test_chronic_is_a_flag_not_a_drug_class(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        response = await propose(client, await headers_for(PHARMACIST), drug_class="chronic")
        assert response.status_code == 422
        assert "chronic_list" in field_errors(response)["body.drug_class"]


class TestMalformedInput:
    @pytest.mark.parametrize("overrides", [
        {"price": "-1"}, {"price": "0"}, {"price": "abc"}, {"price": "1.23456"},
        {"item_type": "vitamin"}, {"drug_class": "poison"}, {"effective_from": "2026-13-45"},
        {"generic_name": ""}, {"generic_name": "x" * 201}, {"unexpected": 1},
        {"chronic_list": "sometimes"}, {"insurance_code": 12345},
    ])
    async def test_bad_proposal_fields_are_422_never_500(
            self, client: httpx.AsyncClient, headers_for: HeadersFor,
            overrides: dict[str, Any]) -> None:
        response = await propose(client, await headers_for(PHARMACIST), **overrides)
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "ValidationFailed"

    async def test_body_that_is_not_json_is_422(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        headers = {**await headers_for(PHARMACIST), "Content-Type": "application/json"}
        response = await client.post("/catalogue/proposals", content=b"{not json",
                                     headers=headers)
        assert response.status_code == 422

    @pytest.mark.parametrize("params", [
        {}, {"q": ""}, {"q": "a", "limit": 0}, {"q": "a", "limit": 101}, {"q": "a", "limit": "x"},
        {"q": "a", "offset": -1}, {"q": "a", "item_type": "vitamin"},
        {"q": "a", "chronic_only": "maybe"}, {"q": "x" * 61},
    ])
    async def test_bad_search_parameters_are_422(
            self, client: httpx.AsyncClient, headers_for: HeadersFor,
            params: dict[str, Any]) -> None:
        response = await client.get("/catalogue/search", params=params,
                                    headers=await headers_for(DOCTOR))
        assert response.status_code == 422, response.text

    @pytest.mark.parametrize("q", ["%", "_", "%%%", "' OR 1=1 --", "\\", "(*)", "阿%莫", "a_b"])
    async def test_pattern_and_quote_characters_are_searched_safely(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, q: str) -> None:
        body = await search(client, await headers_for(DOCTOR), q=q)
        assert body["total"] <= 1000 or not body["total_exact"]
        if q in ("%", "_", "%%%", "\\", "(*)"):
            assert body == {**body, "items": [], "total": 0}

    async def test_unknown_and_malformed_product_ids(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        headers = await headers_for(ADMIN)
        missing = "00000000-0000-4000-8000-000000000000"
        response = await client.get(f"/catalogue/products/{missing}", headers=headers)
        assert (response.status_code, response.json()["error"]) == (404, "NotFound")
        response = await client.get("/catalogue/products/not-a-uuid", headers=headers)
        assert response.status_code == 422
        response = await client.post(f"/catalogue/products/{missing}/approve",
                                     json={"version": 1}, headers=headers)
        assert response.status_code == 404
        response = await client.post(f"/catalogue/products/{missing}/approve",
                                     json={"version": 0}, headers=headers)
        assert response.status_code == 422


class TestProposalAndApproval:
    async def test_proposal_is_not_searchable_until_approved(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        doctor = await headers_for(DOCTOR)
        product = await proposed(client, headers_for)
        assert (product["status"], product["version"]) == ("proposed", 1)
        assert product["current_price"] == "18.6000"
        assert (await search(client, doctor, q="帅泰"))["total"] == 0

        response = await transition(client, await headers_for(ADMIN), product, "approve", None)
        assert response.status_code == 200, response.text
        assert (response.json()["status"], response.json()["version"]) == ("active", 2)
        hits = (await search(client, doctor, q="帅泰"))["items"]
        assert [h["id"] for h in hits] == [product["id"]]
        assert hits[0]["current_price"] == "18.6000"

    async def test_history_records_who_moved_it_and_why(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, demo: DemoGroup) -> None:
        product = await active(client, headers_for)
        history = product["status_history"]
        assert [(h["from_status"], h["to_status"]) for h in history] == [
            (None, "proposed"), ("proposed", "active")]
        assert history[0]["changed_by_name"] == demo.account(PHARMACIST).display_name
        assert history[0]["reason"] == PROPOSAL["reason"]
        assert history[1]["changed_by_name"] == demo.account(ADMIN).display_name

    async def test_each_change_is_audited(
            self, client: httpx.AsyncClient, headers_for: HeadersFor,
            owner_engine: Engine) -> None:
        product = await active(client, headers_for)
        assert audit_actions(owner_engine, product["id"]) == [
            "catalogue.propose", "catalogue.approve"]

    async def test_a_duplicate_of_an_open_product_is_409(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        first = await proposed(client, headers_for)
        response = await propose(client, await headers_for(ADMIN), brand_name="另一个")
        assert response.status_code == 409
        assert (response.json()["field"], response.json()["product_id"]) == (
            "standard_code", first["id"])
        # Same product under another code: still the same generic name, spec, package, maker.
        response = await propose(client, await headers_for(ADMIN),
                                 standard_code=standard_code("8699876500099"))
        assert (response.status_code, response.json()["field"]) == (409, "generic_name")

    async def test_a_seeded_product_cannot_be_proposed_again(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        doctor = await headers_for(DOCTOR)
        seeded = (await search(client, doctor, q="拜新同"))["items"][0]
        response = await propose(client, await headers_for(PHARMACIST),
                                 standard_code=seeded["standard_code"])
        assert response.status_code == 409

    async def test_a_refused_product_frees_its_code(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        product = await proposed(client, headers_for)
        response = await transition(client, await headers_for(ADMIN), product, "refuse",
                                    "价格高于集采中选价")
        assert response.status_code == 200
        again = await proposed(client, headers_for, price="12.80")
        assert again["id"] != product["id"]


class TestPermissions:
    @pytest.mark.parametrize("account", [DOCTOR, STORE])
    async def test_only_pharmacists_and_administrators_propose(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, account: str) -> None:
        response = await propose(client, await headers_for(account))
        assert (response.status_code, response.json()["error"]) == (403, "NotPermitted")

    @pytest.mark.parametrize("account", [DOCTOR, PHARMACIST, STORE])
    async def test_only_hospital_administrators_approve(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, account: str) -> None:
        product = await proposed(client, headers_for)
        response = await transition(client, await headers_for(account), product, "approve")
        assert response.status_code == 403
        response = await client.get(f"/catalogue/products/{product['id']}",
                                    headers=await headers_for(account))
        assert response.json()["status"] == "proposed"

    async def test_the_proposer_cannot_approve_their_own_proposal(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        response = await propose(client, await headers_for(ADMIN))
        product = response.json()
        response = await transition(client, await headers_for(ADMIN), product, "approve")
        assert response.status_code == 403
        assert response.json()["detail"] == "不能审批自己提交的目录申请"
        response = await transition(client, await headers_for(OTHER_ADMIN), product, "approve")
        assert response.status_code == 200

    @pytest.mark.parametrize("account", [DOCTOR, PHARMACIST, STORE, "auditor"])
    async def test_everyone_who_prescribes_reviews_or_dispenses_can_search(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, account: str) -> None:
        assert (await search(client, await headers_for(account), q="amxl"))["total"] > 0

    async def test_a_system_administrator_cannot_search(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        response = await client.get("/catalogue/search", params={"q": "amxl"},
                                    headers=await headers_for("sysadmin"))
        assert response.status_code == 403

    async def test_an_anonymous_caller_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/catalogue/search", params={"q": "amxl"})
        assert response.status_code == 401

    async def test_only_price_approvers_set_prices(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        product = await active(client, headers_for)
        response = await client.post(f"/catalogue/products/{product['id']}/prices",
                                     json={"price": "1.00"},
                                     headers=await headers_for(PHARMACIST))
        assert response.status_code == 403


class TestStatusChanges:
    @pytest.mark.parametrize(("action", "setup"), [
        ("refuse", []), ("suspend", ["approve"]), ("reinstate", ["approve", "suspend"]),
        ("withdraw", ["approve"])])
    async def test_a_reason_is_required(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, action: str,
            setup: list[str]) -> None:
        admin = await headers_for(ADMIN)
        product = await proposed(client, headers_for)
        for step in setup:
            product = (await transition(client, admin, product, step)).json()
        for reason in (None, "", "   "):
            response = await transition(client, admin, product, action, reason)
            assert response.status_code == 422, (reason, response.text)
            assert response.json()["field"] == "reason"
        response = await transition(client, admin, product, action, "质量公告")
        assert response.status_code == 200, response.text
        assert response.json()["status_history"][-1]["reason"] == "质量公告"

    async def test_suspend_reinstate_withdraw_keep_history_and_searchability(
            self, client: httpx.AsyncClient, headers_for: HeadersFor,
            owner_engine: Engine) -> None:
        admin, doctor = await headers_for(ADMIN), await headers_for(DOCTOR)
        product = await active(client, headers_for)
        product = (await transition(client, admin, product, "suspend", "抽检不合格")).json()
        assert (await search(client, doctor, q="帅泰"))["total"] == 0
        product = (await transition(client, admin, product, "reinstate", "复检合格")).json()
        assert (await search(client, doctor, q="帅泰"))["total"] == 1
        product = (await transition(client, admin, product, "withdraw", "企业停产")).json()
        assert (await search(client, doctor, q="帅泰"))["total"] == 0
        assert [(h["from_status"], h["to_status"], h["reason"])
                for h in product["status_history"]] == [
            (None, "proposed", PROPOSAL["reason"]), ("proposed", "active", None),
            ("active", "suspended", "抽检不合格"), ("suspended", "active", "复检合格"),
            ("active", "withdrawn", "企业停产")]
        assert audit_actions(owner_engine, product["id"])[-3:] == [
            "catalogue.suspend", "catalogue.reinstate", "catalogue.withdraw"]
        # Withdrawn is final; the product is still readable, e.g. from old prescriptions.
        response = await transition(client, admin, product, "reinstate", "误操作")
        assert (response.status_code, response.json()["status"]) == (409, "withdrawn")
        response = await client.get(f"/catalogue/products/{product['id']}", headers=doctor)
        assert response.json()["status"] == "withdrawn"

    @pytest.mark.parametrize(("action", "setup"), [
        ("approve", ["approve"]), ("suspend", []), ("reinstate", ["approve"]),
        ("withdraw", []), ("refuse", ["approve"])])
    async def test_a_change_not_allowed_from_the_current_status_is_409(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, action: str,
            setup: list[str]) -> None:
        admin = await headers_for(ADMIN)
        product = await proposed(client, headers_for)
        for step in setup:
            product = (await transition(client, admin, product, step)).json()
        response = await transition(client, admin, product, action)
        assert (response.status_code, response.json()["error"]) == (409, "Conflict")
        assert "不能" in response.json()["detail"]

    async def test_a_stale_version_is_409_version_conflict(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        admin = await headers_for(ADMIN)
        product = await active(client, headers_for)
        stale = {**product, "version": product["version"] - 1}
        response = await transition(client, admin, stale, "suspend")
        assert (response.status_code, response.json()["error"]) == (409, "VersionConflict")
        assert response.json()["current_version"] == product["version"]


    async def test_of_two_concurrent_changes_exactly_one_wins(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        admin, other = await headers_for(ADMIN), await headers_for(OTHER_ADMIN)
        product = await active(client, headers_for)
        responses = await asyncio.gather(
            transition(client, admin, product, "suspend", "抽检不合格"),
            transition(client, other, product, "withdraw", "企业停产"))
        statuses = sorted((r.status_code, r.json().get("error")) for r in responses)
        assert statuses == [(200, None), (409, "VersionConflict")], [r.text for r in responses]
        history = (await client.get(f"/catalogue/products/{product['id']}",
                                    headers=admin)).json()["status_history"]
        assert len(history) == 3  # proposed, active, and the one change that won


class TestPrices:
    async def test_a_price_from_tomorrow_leaves_today_alone(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, clock: FakeClock,
            demo: DemoGroup) -> None:
        admin = await headers_for(ADMIN)
        product = await active(client, headers_for)
        tomorrow = business_day(clock) + timedelta(days=1)
        response = await client.post(
            f"/catalogue/products/{product['id']}/prices",
            json={"price": "16.20", "effective_from": tomorrow.isoformat(), "note": "集采续约"},
            headers=admin)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["current_price"] == "18.6000"
        assert body["version"] == product["version"]  # a new price row, not a product change
        assert [(p["price"], p["effective_from"]) for p in body["prices"]] == [
            ("16.2000", tomorrow.isoformat()), ("18.6000", business_day(clock).isoformat())]
        assert (await search(client, admin, q="帅泰"))["items"][0]["current_price"] == "18.6000"

        clock.advance(days=1)
        doctor = await login(client, demo.account(DOCTOR), clock)
        response = await client.get(f"/catalogue/products/{product['id']}", headers=doctor)
        assert response.json()["current_price"] == "16.2000"
        assert (await search(client, doctor, q="帅泰"))["items"][0]["current_price"] == "16.2000"

    async def test_a_second_price_for_the_same_day_is_409(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        product = await active(client, headers_for)
        response = await client.post(f"/catalogue/products/{product['id']}/prices",
                                     json={"price": "17"}, headers=await headers_for(ADMIN))
        assert response.status_code == 409  # today already has the proposal's price
        assert response.json()["field"] == "effective_from"

    async def test_a_price_in_the_past_is_422(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, clock: FakeClock) -> None:
        product = await active(client, headers_for)
        yesterday = business_day(clock) - timedelta(days=1)
        response = await client.post(f"/catalogue/products/{product['id']}/prices",
                                     json={"price": "17", "effective_from": yesterday.isoformat()},
                                     headers=await headers_for(ADMIN))
        assert (response.status_code, response.json()["field"]) == (422, "effective_from")

    async def test_a_proposal_priced_from_a_future_day_has_no_current_price_yet(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, clock: FakeClock) -> None:
        later = business_day(clock) + timedelta(days=3)
        product = await proposed(client, headers_for, effective_from=later.isoformat())
        assert product["current_price"] is None

    async def test_a_withdrawn_product_cannot_be_repriced(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, clock: FakeClock) -> None:
        admin = await headers_for(ADMIN)
        product = await active(client, headers_for)
        product = (await transition(client, admin, product, "withdraw", "停产")).json()
        tomorrow = business_day(clock) + timedelta(days=1)
        response = await client.post(f"/catalogue/products/{product['id']}/prices",
                                     json={"price": "1", "effective_from": tomorrow.isoformat()},
                                     headers=admin)
        assert response.status_code == 409


class TestProductList:
    async def test_administrators_list_proposals_waiting_for_approval(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        product = await proposed(client, headers_for)
        response = await client.get("/catalogue/products", params={"status": "proposed"},
                                    headers=await headers_for(ADMIN))
        assert response.status_code == 200
        assert [p["id"] for p in response.json()["items"]] == [product["id"]]
        assert response.json()["total"] == 1

    async def test_doctors_do_not_see_the_administration_list(
            self, client: httpx.AsyncClient, headers_for: HeadersFor) -> None:
        response = await client.get("/catalogue/products", headers=await headers_for(DOCTOR))
        assert response.status_code == 403
