"""The pharmacy counter app against the real server (uvicorn on the test's database), with
real device paths (socat pty pairs, a video file as the camera). A prescription reaches the
store the way it does in production: a doctor signs it, a pharmacist approves it, the patient
identifies at the kiosk by card and chooses the store (`tests/server/circulation` does the
same through the ASGI app)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from client_pharmacy.app import CATALOGUE, I18N_DIR
from client_pharmacy.ui.window import PharmacyWindow
from common.api.models import Prescription
from common.qt.app import UiDefaults, configure_application
from installers.database import DatabaseUrls
from server.circulation.seed import domestic_code
from server.seed.demo import DemoGroup
from tests.clients import (
    ServerThread,
    Staff,
    api,
    clock,
    draft,
    live_server,
    make_api,
    memory_keyring,
    settings,
    sign_and_submit,
    staff,
)
from tests.devices import pty_pair
from tests.helpers import sql

__all__ = ["api", "clock", "live_server", "make_api", "memory_keyring", "pty_pair", "settings",
           "staff"]

PHARMACY = "P1"
STORE_STAFF = "store_kangning"  # 吴芳
CHECKER = "store_qian"  # 钱勇


@pytest.fixture(scope="session")
def ui(qapp: QApplication) -> UiDefaults:
    return configure_application(qapp, catalogues=[(CATALOGUE, I18N_DIR)])


@pytest.fixture(autouse=True)
def no_leaked_windows(ui: UiDefaults, qapp: QApplication) -> Iterator[None]:
    before = {id(w) for w in qapp.topLevelWidgets() if w.isVisible()}
    yield
    qapp.processEvents()
    leaked = [w for w in qapp.topLevelWidgets() if w.isVisible() and id(w) not in before]
    assert not leaked, f"windows left open: {leaked}"


@pytest.fixture
def prefixes(db: DatabaseUrls) -> dict[str, str]:
    """Each product's 7-digit 药品标识码, to make codes of its packages."""
    return {str(row[0]): str(row[1]) for row in
            sql(db.owner, "SELECT id, trace_prefix FROM catalogue_product")}


def code_for(prefixes: dict[str, str], line: dict[str, Any], serial: int) -> str:
    return domestic_code(prefixes[line["product_id"]], serial)


@dataclass
class Patient:
    client: httpx.Client
    headers: dict[str, str]

    def call(self, method: str, url: str, **kw: Any) -> Any:
        response = self.client.request(method, url, headers=self.headers, **kw)
        assert response.is_success, response.text
        return response.json()


@dataclass
class Journey:
    """Makes approved prescriptions and has the patient choose the store."""

    server: ServerThread
    demo: DemoGroup
    staff: Callable[..., Staff]
    clients: list[httpx.Client]

    def approved(self, patient: str = "张伟", query: str = "布洛芬") -> Prescription:
        doctor = self.staff("doctor_wang")
        body = draft(self.demo, doctor.api, patient=patient, query=query)
        rx = sign_and_submit(doctor, body, doctor.api.create_draft(body))
        for username in ("pharm_chen", "pharm_liu"):
            pharmacist = self.staff(username)
            for item in pharmacist.api.review_queue().items:
                if item.task.prescription_id == rx.id:
                    document = pharmacist.api.decision_document(item.task.id, "approved")
                    signature, algorithm = pharmacist.sign(document.document)
                    pharmacist.api.approve(item.task.id, version=item.task.version,
                                           signature=signature, algorithm=algorithm)
                    return rx
        raise AssertionError("the review task is in no pharmacist's queue")

    def at_kiosk(self, name: str = "张伟") -> Patient:
        client = httpx.Client(base_url=self.server.url, timeout=10)
        self.clients.append(client)
        kiosk = next(c for c in self.demo.clients if c["kind"] == "kiosk")
        token = client.post("/auth/token", json={"client_id": kiosk["client_id"],
                                                 "client_secret": kiosk["client_secret"]})
        assert token.status_code == 200, token.text
        person = next(p for p in self.demo.patients if p["name"] == name)
        access = client.post("/patient-access/card", json={
            "card_type": "insurance", "card_number": person["insurance_card"]},
            headers={"Authorization": f"Bearer {token.json()['access_token']}"})
        assert access.status_code == 200, access.text
        return Patient(client, {"Authorization": f"Bearer {access.json()['access_token']}"})

    def order(self, rx: Prescription, *, patient: str = "张伟", mode: str = "store_pickup"
              ) -> tuple[Patient, dict[str, Any]]:
        """The patient chooses P1: the order the store's inbox receives."""
        person = self.at_kiosk(patient)
        body: dict[str, Any] = {"pharmacy_id": self.demo.organisations[PHARMACY], "mode": mode}
        if mode == "courier":
            body["address"] = {"region_code": "330106", "detail": "文三路 88 号 2 幢 301 室",
                               "recipient": "张伟", "phone": "13857101234"}
        return person, person.call("POST", f"/patient/prescriptions/{rx.id}/order", json=body)


@pytest.fixture
def journey(live_server: ServerThread, demo: DemoGroup,
            staff: Callable[..., Staff]) -> Iterator[Journey]:
    made = Journey(live_server, demo, staff, [])
    yield made
    for client in made.clients:
        client.close()


def open_window(qtbot: QtBot, store: Staff, **kw: Any) -> PharmacyWindow:
    """The counter window of a logged-in store staff member, its first loads done."""
    assert store.session.user is not None
    kw.setdefault("live", False)
    window = PharmacyWindow(store.api, me=store.session.user, **kw)
    qtbot.addWidget(window)
    settle(qtbot, window)
    return window


def settle(qtbot: QtBot, window: PharmacyWindow, timeout: int = 15_000) -> None:
    """Until every call the window started has answered."""
    qtbot.waitUntil(lambda: window.services.pending == 0, timeout=timeout)


@pytest.fixture
def counter_window(qtbot: QtBot, staff: Callable[..., Staff]) -> Iterator[PharmacyWindow]:
    window = open_window(qtbot, staff(STORE_STAFF))
    yield window
    window.shutdown()


def business_day(timestamp: str) -> date:
    """The stores' day (Asia/Shanghai) of a server timestamp: the day summary counts by it, so
    a test running across midnight in China asks for the day its orders were accepted on."""
    return datetime.fromisoformat(timestamp).astimezone(ZoneInfo("Asia/Shanghai")).date()
