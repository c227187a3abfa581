"""Orders at the demo store for `rxp screenshots`, made the way production makes them: the demo
doctor signs and submits, a demo pharmacist signs the approval, the patient identifies at the
kiosk by insurance card and chooses the store. Demo servers only (it needs the demo accounts'
passwords and signing keys from `.rxp/demo.json`)."""

from __future__ import annotations

from typing import Any, Protocol

import httpx

from common import signing
from common.api import ApiClient
from common.api.models import DraftIn, Override
from common.auth import Session

DOCTOR = "doctor_wang"
PHARMACISTS = ("pharm_chen", "pharm_liu")
STORE = "P1"


class Demo(Protocol):
    """What `common.demo.DemoDirectory` gives (tests pass an equivalent)."""

    base_url: str
    data: dict[str, Any]

    def login(self, username: str) -> Session: ...

    def signing_keys(self) -> dict[str, str]: ...


class DemoOrders:
    def __init__(self, demo: Demo) -> None:
        self.demo = demo
        self._doctor: ApiClient | None = None
        self._pharmacists: list[tuple[str, ApiClient]] = []
        self._kiosk_token: str | None = None

    def _patient(self, name: str) -> dict[str, Any]:
        return next(p for p in self.demo.data["patients"] if p["name"] == name)

    def approved(self, patient: str, query: str) -> str:
        """A prescription of the demo doctor for `patient`, approved; its id."""
        if self._doctor is None:
            self._doctor = self.demo.login(DOCTOR).api
            self._pharmacists = [(u, self.demo.login(u).api) for u in PHARMACISTS]
        doctor, keys = self._doctor, self.demo.signing_keys()
        product = doctor.search_catalogue(query, limit=1).items[0]
        unit = product.package.split("/")[0].lstrip("0123456789.")
        body = DraftIn.model_validate({
            "patient_id": self._patient(patient)["id"], "visit_type": "outpatient",
            "diagnoses": [{"code": "J02.9", "name": "急性咽炎"}],
            "lines": [{"product_id": product.id, "dose": "1", "dose_unit": unit,
                       "route": "口服", "frequency": "tid", "days": 5}]})
        check = doctor.check_prescription(body)
        created = doctor.create_draft(body)
        document = doctor.signing_document(created.id)
        key = keys[DOCTOR]
        rx = doctor.submit_prescription(
            created.id, version=created.version,
            signature=signing.sign_document(key, document.document),
            algorithm=signing.load_private_key(key).algorithm,
            overrides=[Override(key=i.key, reason="已评估，获益大于风险")
                       for i in check.issues if i.needs_override])
        for username, api in self._pharmacists:
            for item in api.review_queue(limit=200).items:
                if item.task.prescription_id == rx.id:
                    decision = api.decision_document(item.task.id, "approved")
                    key = keys[username]
                    api.approve(item.task.id, version=item.task.version,
                                signature=signing.sign_document(key, decision.document),
                                algorithm=signing.load_private_key(key).algorithm)
                    return str(rx.id)
        raise RuntimeError("no demo pharmacist's queue holds the review task")

    def order(self, prescription_id: str, patient: str, mode: str = "store_pickup"
              ) -> tuple[dict[str, Any], dict[str, str]]:
        """The patient chooses the demo store: the order as the patient sees it (with the
        pickup code) and the patient's headers for more patient calls."""
        with httpx.Client(base_url=self.demo.base_url, timeout=15) as http:
            if self._kiosk_token is None:
                kiosk = next(c for c in self.demo.data["clients"] if c["kind"] == "kiosk")
                token = http.post("/auth/token", json={"client_id": kiosk["client_id"],
                                                       "client_secret": kiosk["client_secret"]})
                token.raise_for_status()
                self._kiosk_token = token.json()["access_token"]
            person = self._patient(patient)
            access = http.post("/patient-access/card", json={
                "card_type": "insurance", "card_number": person["insurance_card"]},
                headers={"Authorization": f"Bearer {self._kiosk_token}"})
            access.raise_for_status()
            headers = {"Authorization": f"Bearer {access.json()['access_token']}"}
            body: dict[str, Any] = {"pharmacy_id": self.demo.data["organisations"][STORE],
                                    "mode": mode}
            if mode == "courier":
                body["address"] = {"region_code": "330106", "detail": "文三路 88 号 2 幢 301 室",
                                   "recipient": person["name"], "phone": person["phone"]}
            chosen = http.post(f"/patient/prescriptions/{prescription_id}/order", json=body,
                               headers=headers)
            chosen.raise_for_status()
            return chosen.json(), headers

    def queue_number(self, order_id: str, headers: dict[str, str]) -> str:
        with httpx.Client(base_url=self.demo.base_url, timeout=15) as http:
            answer = http.post(f"/patient/orders/{order_id}/queue-number", headers=headers)
            answer.raise_for_status()
            return str(answer.json()["queue_number"])

    def carrier_moves(self, tracking_number: str, steps: int) -> None:
        """The simulated carrier's next tracking events (揽收, 运输中, …)."""
        with httpx.Client(base_url=self.demo.base_url, timeout=15) as http:
            for _ in range(steps):
                http.post(f"/carriers/sim/{tracking_number}/advance").raise_for_status()
