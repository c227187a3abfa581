"""A doctor, a pharmacist and the other staff acting through the HTTP API (shared by the
prescription and circulation tests; `clinic` is their fixture)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from common import signing
from server.core.clock import FakeClock
from server.seed.demo import DemoAccount, DemoGroup
from tests.helpers import login


@dataclass
class Actor:
    """A logged-in demo user who can sign."""

    client: httpx.AsyncClient
    account: DemoAccount
    headers: dict[str, str]

    async def call(self, method: str, url: str, **kw: Any) -> httpx.Response:
        return await self.client.request(method, url, headers=self.headers, **kw)

    def sign(self, document: dict[str, Any]) -> dict[str, str]:
        assert self.account.signing_key and self.account.signing_algorithm
        return {"signature": signing.sign_document(self.account.signing_key, document),
                "algorithm": self.account.signing_algorithm}


@dataclass
class Clinic:
    client: httpx.AsyncClient
    demo: DemoGroup
    clock: FakeClock

    async def actor(self, username: str) -> Actor:
        account = self.demo.account(username)
        return Actor(self.client, account, await login(self.client, account, self.clock))

    def patient(self, name: str) -> str:
        return next(p["id"] for p in self.demo.patients if p["name"] == name)

    async def product(self, actor: Actor, query: str,
                      specification: str | None = None) -> dict[str, Any]:
        response = await actor.call("GET", "/catalogue/search", params={"q": query, "limit": 50})
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        for item in items:
            if specification is None or item["specification"] == specification:
                return item
        raise AssertionError(f"no product {query} {specification}: {items[:3]}")


@pytest.fixture
def clinic(client: httpx.AsyncClient, demo: DemoGroup, clock: FakeClock) -> Clinic:
    return Clinic(client, demo, clock)


def line(product: dict[str, Any], *, dose: str = "1", unit: str | None = None,
         frequency: str = "tid", days: int = 5, route: str = "口服") -> dict[str, Any]:
    count_unit = product["package"].split("/")[0].lstrip("0123456789.")
    return {"product_id": product["id"], "dose": dose, "dose_unit": unit or count_unit,
            "route": route, "frequency": frequency, "days": days}


def draft(patient_id: str, *lines: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {"patient_id": patient_id, "visit_type": "outpatient",
            "diagnoses": [{"code": "J02.9", "name": "急性咽炎"}], "lines": list(lines), **kw}


async def sign_and_submit(doctor: Actor, prescription: dict[str, Any], *,
                          overrides: list[dict[str, str]] | None = None) -> httpx.Response:
    doc = await doctor.call("GET", f"/prescriptions/{prescription['id']}/signing-document")
    assert doc.status_code == 200, doc.text
    return await doctor.call("POST", f"/prescriptions/{prescription['id']}/submit", json={
        "version": prescription["version"], **doctor.sign(doc.json()["document"]),
        "overrides": overrides or []})


def overrides_for(prescription_or_check: dict[str, Any]) -> list[dict[str, str]]:
    return [{"key": issue["key"], "reason": "已评估，获益大于风险"}
            for issue in prescription_or_check["issues"] if issue["needs_override"]]


async def submitted(clinic: Clinic, *, patient: str = "李娜", query: str = "布洛芬",
                    doctor: str = "doctor_wang", **line_kw: Any) -> dict[str, Any]:
    """A prescription signed and submitted, its review task open."""
    actor = await clinic.actor(doctor)
    product = await clinic.product(actor, query)
    created = await actor.call("POST", "/prescriptions",
                               json=draft(clinic.patient(patient), line(product, **line_kw)))
    assert created.status_code == 201, created.text
    check = await actor.call("POST", "/prescriptions/check",
                             json=draft(clinic.patient(patient), line(product, **line_kw)))
    response = await sign_and_submit(actor, created.json(), overrides=overrides_for(check.json()))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def review_task(clinic: Clinic, rx: dict[str, Any]) -> tuple[Actor, dict[str, Any]]:
    """The pharmacist the review of `rx` was assigned to, and the task."""
    for username in ("pharm_chen", "pharm_liu"):
        pharmacist = await clinic.actor(username)
        queue = (await pharmacist.call("GET", "/review/queue")).json()
        for item in queue["items"]:
            if item["task"]["prescription_id"] == rx["id"]:
                return pharmacist, item["task"]
    raise AssertionError("task not in any queue")


async def decide(pharmacist: Actor, task: dict[str, Any], decision: str,
                 **reason: Any) -> httpx.Response:
    doc = await pharmacist.call("POST", f"/review/tasks/{task['id']}/decision-document",
                                json={"decision": decision, **reason})
    verb = "approve" if decision == "approved" else "reject"
    return await pharmacist.call("POST", f"/review/tasks/{task['id']}/{verb}", json={
        "version": task["version"], **pharmacist.sign(doc.json()["document"]), **reason})


async def approved(clinic: Clinic, **kw: Any) -> dict[str, Any]:
    """A prescription approved by its pharmacist, awaiting the patient's choice."""
    rx = await submitted(clinic, **kw)
    pharmacist, task = await review_task(clinic, rx)
    response = await decide(pharmacist, task, "approved")
    assert response.status_code == 200, response.text
    return rx
