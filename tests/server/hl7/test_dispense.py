"""An HIS-placed prescription goes the whole way (the doctor signs the draft, a pharmacist
approves, a pharmacy dispenses and hands over) and the HIS hears of it: RDS^O13 messages
through the outbox and the app's relay, over MLLP to the HIS simulator, in order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from server.hl7.simulator import HisSimulator
from tests.helpers import sql, wait_until
from tests.server.circulation.conftest import Flow, at_kiosk, prefixes
from tests.server.clinic import Clinic, clinic, decide, review_task, sign_and_submit
from tests.server.hl7.conftest import patient, rde_o11

__all__ = ["clinic", "prefixes"]  # fixtures shared with the circulation tests


@pytest.fixture
async def his() -> AsyncIterator[HisSimulator]:
    simulator = HisSimulator()
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
def settings(settings, his):
    return settings.model_copy(update={"hl7_his_addresses": {"his-h1": his.address},
                                       "outbox_poll_seconds": 0.2})


async def _signed_and_approved(clinic: Clinic, rx_id: str) -> dict[str, Any]:
    doctor = await clinic.actor("doctor_wang")
    rx = (await doctor.call("GET", f"/prescriptions/{rx_id}")).json()
    response = await sign_and_submit(doctor, rx)
    if response.status_code == 422 and response.json().get("issues"):
        rx = (await doctor.call("GET", f"/prescriptions/{rx_id}")).json()
        response = await sign_and_submit(doctor, rx, overrides=[
            {"key": i["key"], "reason": "已评估，获益大于风险"} for i in response.json()["issues"]])
    assert response.status_code == 200, response.text
    pharmacist, task = await review_task(clinic, response.json())
    decided = await decide(pharmacist, task, "approved")
    assert decided.status_code == 200, decided.text
    return response.json()


async def test_dispensing_and_handover_reach_the_his_in_order(connect, clinic, demo, db, his,
                                                              prefixes):
    zhang = patient(demo, "张伟")
    order_message = rde_o11(patient_card=zhang["hospital_card"], placer_group="G-RDS-1")
    accepted = await (await connect()).send(order_message)
    assert accepted.code == "AA", accepted.text
    [(rx_id,)] = sql(db.owner, "SELECT prescription_id FROM hl7_order"
                               " WHERE placer_group = 'G-RDS-1'")
    rx = await _signed_and_approved(clinic, str(rx_id))

    f = Flow(clinic, rx, await at_kiosk(clinic, "张伟"), await clinic.actor("store_kangning"),
             await clinic.actor("store_qian"))
    assert (await f.choose(mode="store_pickup")).status_code == 201
    assert (await f.accept()).status_code == 200
    await f.scan_all(prefixes, batch="B2026HL7")
    assert (await f.complete()).status_code == 200
    assert (await f.staff.call("POST", f"{f.order_url}/offline-payment",
                               json={"receipt_no": "POS-HL7"})).status_code == 200
    assert f.order is not None
    handed = await f.staff.call("POST", f"{f.order_url}/handover",
                                json={"pickup_code": f.order["pickup_code"]})
    assert handed.status_code == 200, handed.text

    async def both_delivered() -> bool:
        return len(his.received) == 2

    await wait_until(both_delivered, within=30, what="two RDS^O13 at the HIS")
    ready, collected = his.received
    assert {ready.message_type, collected.message_type} == {"RDS^O13^RDS_O13"}
    assert (ready.placer_group, collected.placer_group) == ("G-RDS-1", "G-RDS-1")
    assert ready.status == "ready_for_pickup"
    assert collected.status in ("collected", "settled")
    segments = {s[:3]: s.split("|") for s in ready.text.split("\r") if s}
    assert segments["PID"][3] == f"{zhang['hospital_card']}^^^H1^MR"
    assert segments["ORC"][2] == "G-RDS-1-1"
    assert segments["RXD"][2].startswith("XC08CAA004A001632400248^")
    assert int(segments["RXD"][4]) >= 1
    assert segments["RXD"][19].split("~")[0] == "B2026HL7"
    # MSH-10 is the outbox message id, in the order the messages were queued.
    rows = sql(db.owner, "SELECT id, status FROM outbox_message WHERE ordering_key = %s"
                         " ORDER BY seq", (str(rx_id),))
    assert [(r[0].hex, r[1]) for r in rows] == [(ready.control_id, "delivered"),
                                                 (collected.control_id, "delivered")]
    assert his.duplicates == 0
