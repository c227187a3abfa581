"""Delivering queued HL7 messages to each HIS over MLLP (the outbox handler for `hl7`).

The RDS^O13 is rendered from the queued snapshot at delivery: MSH-10 is the outbox message id,
so a redelivery carries the same control id and the HIS can recognise it; the patient's
identifier is decrypted here, not stored in the queue. The HIS's answer decides: AA/CA is
delivered, AE/CE (the HIS refuses this message) is a dead letter at once, AR/CR (the HIS cannot
take it now) and any connection trouble are retried.

Connections are kept open per address and reused one message at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from datetime import datetime
from typing import Any

from hl7apy.core import Message

from server.access import scope
from server.core.services import Services
from server.hl7 import mllp, repository
from server.hl7.ack import OUR_APPLICATION, OUR_FACILITY, VERSION, escape
from server.hl7.inbound import IDENTIFIER_FIELDS
from server.outbox.handlers import Delivery, DeliveryFailed, DeliveryRefused
from server.patients import identity as patient_identity
from server.patients.models import Patient
from server.prescriptions.models import Prescription

CHARSET = ("UNICODE UTF-8", "utf-8")
# Order status (HL7 table 0038) by our prescription status.
ORDER_STATUS = {"collected": "CM", "delivered": "CM", "settled": "CM", "not_dispensed": "DC"}
Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


def _ts(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%Y%m%d%H%M%S")


def render_rds(delivery: Delivery, snapshot: dict[str, Any], *, facility: str,
               patient_identifier: tuple[str, str] | None, visit_number: str | None,
               placer_group: str) -> str:
    """The RDS^O13 for one queued snapshot (ER7 text)."""
    message = Message("RDS_O13", version=VERSION)
    msh = message.msh
    msh.msh_3, msh.msh_4 = OUR_APPLICATION, OUR_FACILITY
    msh.msh_5, msh.msh_6 = escape(delivery.topic), escape(facility)
    msh.msh_7 = _ts(snapshot["occurred_at"])
    msh.msh_9 = "RDS^O13^RDS_O13"
    msh.msh_10 = delivery.id.hex
    msh.msh_11, msh.msh_12, msh.msh_18 = "P", VERSION, CHARSET[0]
    patient = message.add_group("RDS_O13_PATIENT")
    if patient_identifier is not None:
        value, kind = patient_identifier
        patient.pid.pid_3 = f"{escape(value)}^^^{escape(facility)}^{escape(kind)}"
    if visit_number:
        visit = patient.add_group("RDS_O13_PATIENT_VISIT")
        visit.pv1.pv1_2 = "O"
        visit.pv1.pv1_19 = escape(visit_number)
    status = snapshot["status"]
    for line in snapshot["lines"]:
        order = message.add_group("RDS_O13_ORDER")
        orc = order.orc
        orc.orc_1 = "RE"
        orc.orc_2 = escape(line["placer"])
        orc.orc_3 = f"{escape(snapshot['prescription_number'])}-{line['line_no']}" \
                    f"^{OUR_APPLICATION}"
        orc.orc_4 = escape(placer_group)
        orc.orc_5 = ORDER_STATUS.get(status, "IP")
        orc.orc_9 = msh.msh_7.value
        orc.orc_16 = f"{status}^{escape(snapshot['status_label'])}^RXP"
        orc.orc_21 = escape(snapshot["pharmacy_name"]) + "^^" + escape(snapshot["pharmacy_code"])
        rxd = order.rxd
        rxd.rxd_1 = str(line["line_no"])
        rxd.rxd_2 = f"{escape(line['product_code'])}^{escape(line['product_name'])}^RXP"
        rxd.rxd_3 = msh.msh_7.value
        rxd.rxd_4 = str(line["dispensed"])
        rxd.rxd_5 = f"^{escape(line['unit'])}"
        rxd.rxd_7 = escape(snapshot["prescription_number"])
        if line.get("not_dispensed_reason"):
            rxd.rxd_9 = escape(str(line["not_dispensed_reason"])[:200])
        for batch, expiry in line["batches"]:
            rxd.add_field("RXD_19").value = escape(batch)
            rxd.add_field("RXD_20").value = expiry.replace("-", "")
        order.rxr.rxr_1 = f"^{escape(line['route'])}"
    return str(message.to_er7())


def acknowledgement_code(answer: bytes, control_id: str) -> str:
    """MSA-1 of an acknowledgement of `control_id`; raises DeliveryFailed when it is not one."""
    text = answer.decode("utf-8", errors="replace").replace("\n", "\r")
    segments = {s[:3]: s for s in reversed(text.split("\r")) if s}
    msh, msa = segments.get("MSH"), segments.get("MSA")
    if msh is None or msa is None or len(msh) < 4:
        raise DeliveryFailed("HIS 的应答不是 HL7 确认消息（缺少 MSA）")
    fields = msa.split(msh[3])
    code = fields[1].strip().upper() if len(fields) > 1 else ""
    acknowledged = fields[2].strip() if len(fields) > 2 else ""
    if acknowledged != control_id:
        raise DeliveryFailed(f"HIS 确认的消息号「{acknowledged}」不是所发的「{control_id}」")
    return code


class Hl7Sender:
    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self._idle: dict[str, list[Connection]] = {}

    async def deliver(self, delivery: Delivery) -> None:
        address = self.svc.settings.hl7_his_addresses.get(delivery.topic)
        if not address:
            raise DeliveryFailed(f"未配置 HIS「{delivery.topic}」的地址（RXP_HL7_HIS_ADDRESSES）")
        text = await self._render(delivery)
        answer = await self._exchange(address, text.encode(CHARSET[1]))
        code = acknowledgement_code(answer, delivery.id.hex)
        if code in ("AA", "CA"):
            return
        reason = answer.decode("utf-8", errors="replace").replace("\r", " | ")[:300]
        if code in ("AE", "CE"):
            raise DeliveryRefused(f"HIS 拒收（{code}）：{reason}")
        raise DeliveryFailed(f"HIS 暂不能接收（{code or '无确认码'}）：{reason}")

    async def _render(self, delivery: Delivery) -> str:
        snapshot = json.loads(delivery.payload)
        async with self.svc.db.session() as session, session.begin():
            await scope.system_scope(session)
            placed = await repository.order_of(session, uuid.UUID(snapshot["prescription_id"]))
            if placed is None:
                raise DeliveryRefused("处方不是经 HL7 从 HIS 接收的，没有可回传的 HIS")
            rx = await session.get(Prescription, placed.prescription_id)
            patient = await session.get(Patient, rx.patient_id) if rx else None
        identifier = None
        if patient is not None:
            field = IDENTIFIER_FIELDS.get(placed.patient_id_type, "hospital_card")
            value = getattr(patient_identity.open_identity(self.svc.cipher, patient), field)
            if value:
                identifier = (value, placed.patient_id_type)
        return render_rds(delivery, snapshot, facility=placed.facility,
                          patient_identifier=identifier, visit_number=placed.visit_number,
                          placer_group=placed.placer_group)

    async def _exchange(self, address: str, payload: bytes) -> bytes:
        host, _, port = address.rpartition(":")
        timeout = self.svc.settings.outbox_delivery_timeout
        pool = self._idle.setdefault(address, [])
        connection = pool.pop() if pool else None
        if connection is not None and connection[0].at_eof():
            _close(connection)
            connection = None
        try:
            if connection is None:
                connection = await asyncio.wait_for(asyncio.open_connection(host, int(port)),
                                                    timeout)
            answer = await mllp.exchange(*connection, payload, wait=timeout)
        except (OSError, ConnectionError, TimeoutError, mllp.FrameError, mllp.IdleTimeout,
                ValueError) as exc:
            if connection is not None:
                _close(connection)
            raise DeliveryFailed(f"无法与 HIS {address} 通信：{type(exc).__name__} {exc}") from None
        except BaseException:
            if connection is not None:
                _close(connection)
            raise
        pool.append(connection)
        return answer

    async def aclose(self) -> None:
        for pool in self._idle.values():
            for connection in pool:
                _close(connection)
        self._idle.clear()


def _close(connection: Connection) -> None:
    with contextlib.suppress(Exception):
        connection[1].close()

