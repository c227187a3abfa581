"""The relay as its own process (`python -m server.outbox`), killed with SIGKILL in the middle
of delivering a load of HL7 messages to the HIS simulator, then started again: every message
arrives, the receiver processes none twice (it deduplicates by message id; the redeliveries it
saw are counted), and each prescription's messages arrive in the order they were queued."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from server.hl7.simulator import HisSimulator
from server.outbox.service import enqueue
from tests.helpers import sql
from tests.server.hl7.conftest import connect, listener, patient, rde_o11

__all__ = ["connect", "listener"]  # the MLLP fixtures, to place the prescriptions

ROOT = Path(__file__).resolve().parents[3]
KEYS = 8
PER_KEY = 40
BATCH = 20


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"outbox_relay": False})


@pytest.fixture
async def his() -> AsyncIterator[HisSimulator]:
    simulator = HisSimulator(answer_delay=0.005)
    await simulator.start()
    yield simulator
    await simulator.stop()


def relay_env(db, key_dir: Path, checkpoint_dir: Path, his: HisSimulator) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RXP_", "DATABASE_"))}
    return {**env, "PYTHONPATH": str(ROOT), "RXP_ENV": "test", "DATABASE_URL": db.app,
            "RXP_KEY_DIR": str(key_dir), "RXP_AUDIT_CHECKPOINT_DIR": str(checkpoint_dir),
            "RXP_HL7_HIS_ADDRESSES": f"his-h1={his.address}", "RXP_OUTBOX_BATCH": str(BATCH),
            "RXP_OUTBOX_POLL_SECONDS": "0.2"}


async def start_relay(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    handle = log.open("ab")
    try:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "server.outbox", env=env, cwd=ROOT, stdout=handle,
            stderr=asyncio.subprocess.STDOUT)
    finally:
        handle.close()


async def until(condition, *, within: float, what: str, every: float = 0.005) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(every)


@pytest.mark.slow
async def test_a_killed_relay_loses_nothing_doubles_nothing_reorders_nothing(
        app, connect, db, demo, his, key_dir, checkpoint_dir, tmp_path):
    svc = app.state.services
    # Prescriptions placed by the HIS: the messages are about them.
    groups = []
    client = await connect()
    for k in range(KEYS):
        who = patient(demo, "张伟" if k % 2 else "李娜")
        group = f"G-KILL-{k}"
        answer = await client.send(rde_o11(patient_card=who["hospital_card"], placer_group=group))
        assert answer.code == "AA", answer.text
        groups.append(group)
    placed = dict(sql(db.owner, "SELECT placer_group, prescription_id FROM hl7_order"))

    queued: dict[str, list[str]] = {group: [] for group in groups}
    async with svc.db.session() as session, session.begin():
        for n in range(PER_KEY):
            for group in groups:
                rx_id = placed[group]
                snapshot = {
                    "event": "order.dispensed", "prescription_id": str(rx_id),
                    "prescription_number": f"RX-{group}", "status": "dispensing",
                    "status_label": f"第{n}次", "order_number": f"O-{group}",
                    "occurred_at": "2026-03-01T10:00:00+08:00", "pharmacy_code": "P1",
                    "pharmacy_name": "康宁大药房", "lines": [{
                        "line_no": 1, "placer": f"{group}-1", "product_code": "X",
                        "product_name": "苯磺酸氨氯地平片", "specification": "5mg",
                        "route": "口服", "unit": "盒", "prescribed": PER_KEY, "dispensed": n,
                        "not_dispensed_reason": None, "batches": []}]}
                # Due by the wall clock: the relay is a process of its own, on the real
                # clock, not the app's (which may be hours ahead: tests/helpers.py).
                row = await enqueue(session, destination="hl7", topic="his-h1",
                                    ordering_key=str(rx_id), now=datetime.now(UTC),
                                    payload=json.dumps(snapshot, ensure_ascii=False),
                                    message_id=uuid.uuid4())
                queued[group].append(row.id.hex)
    total = KEYS * PER_KEY

    env = relay_env(db, key_dir, checkpoint_dir, his)
    log = tmp_path / "relay.log"
    first = await start_relay(env, log)
    def delivered() -> int:
        return int(sql(db.owner, "SELECT count(*) FROM outbox_message"
                                 " WHERE status = 'delivered'")[0][0])

    def mid_round() -> bool:
        # Well under way, with messages the HIS has that the relay has not committed yet.
        return len(his.received) >= total // 4 and delivered() < len(his.received)

    try:
        await until(mid_round, within=60, what=f"the first relay delivering (log: {log})")
        first.send_signal(signal.SIGKILL)
        await first.wait()
    finally:
        if first.returncode is None:
            first.kill()
            await first.wait()
    assert first.returncode == -signal.SIGKILL
    await asyncio.sleep(0.3)  # frames the HIS was working on when the relay died
    at_kill, committed = len(his.received), delivered()
    assert at_kill < total, "the relay finished before it could be killed: raise the load"
    assert committed <= at_kill

    second = await start_relay(env, log)
    try:
        await until(lambda: delivered() == total, within=120,
                    what=f"the second relay finishing (log: {log})", every=0.2)
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.wait(), 30)
    assert second.returncode == 0, log.read_text()

    # Every message processed exactly once by the receiver, whatever was redelivered.
    received = [m.control_id for m in his.received]
    assert len(received) == len(set(received)) == total
    assert set(received) == {i for ids in queued.values() for i in ids}
    # Redelivered: exactly what the HIS had received and the dead relay had not committed,
    # at most one round's worth.
    assert his.duplicates == at_kill - committed <= BATCH
    print(f"received {total} messages; killed after {at_kill} ({committed} committed); "
          f"{his.duplicates} redeliveries deduplicated by the receiver")
    # Each prescription's messages in the order they were queued.
    arrived: dict[str, list[str]] = {}
    for message in his.received:
        arrived.setdefault(message.placer_group, []).append(message.control_id)
    assert arrived == queued
