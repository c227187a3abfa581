"""HL7 test helpers: RDE^O11 messages built with hl7apy, the MLLP listener on a real socket
(started on the app's services), and a client that sends frames and reads the answers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from hl7apy.core import Message
from hl7apy.parser import parse_message

from server.hl7 import mllp
from server.hl7.listener import MllpListener
from server.seed.demo import DemoGroup

# 苯磺酸氨氯地平片 5mg 28片/盒 in the seeded catalogue.
AMLODIPINE = "XC08CAA004A001632400248"
# 硝苯地平控释片 30mg 7片/盒, by its 本位码.
NIFEDIPINE_STANDARD_CODE = "86900100000019"


def patient(demo: DemoGroup, name: str) -> dict[str, str]:
    return next(p for p in demo.patients if p["name"] == name)


def rde_o11(*, control_id: str | None = None, sender: str = "his-h1", facility: str = "H1",
            patient_card: str | None = None, patient_name: tuple[str, str] | None = None,
            with_pid: bool = True, doctor: str = "doctor_wang", placer_group: str | None = None,
            lines: list[dict[str, Any]] | None = None, charset: str = "UNICODE UTF-8",
            order_control: str = "OP") -> Message:
    message = Message("RDE_O11", version="2.5")
    msh = message.msh
    msh.msh_3, msh.msh_4, msh.msh_5, msh.msh_6 = sender, facility, "RXP", "RXP"
    msh.msh_7 = "20260301093000"
    msh.msh_9 = "RDE^O11^RDE_O11"
    msh.msh_10 = control_id or uuid.uuid4().hex[:20]
    msh.msh_11, msh.msh_12 = "P", "2.5"
    if charset:
        msh.msh_18 = charset
    group = placer_group or f"G{uuid.uuid4().hex[:10]}"
    if with_pid:
        person = message.add_group("RDE_O11_PATIENT")
        person.pid.pid_3 = f"{patient_card}^^^H1^MR"
        if patient_name:
            person.pid.pid_5 = f"{patient_name[0]}^{patient_name[1]}"
        visit = person.add_group("RDE_O11_PATIENT_VISIT")
        visit.pv1.pv1_2 = "O"
        visit.pv1.pv1_19 = "V20260301001"
    for n, line in enumerate(lines or [{}], start=1):
        order = message.add_group("RDE_O11_ORDER")
        order.orc.orc_1 = order_control
        order.orc.orc_2 = f"{group}-{n}^HIS"
        order.orc.orc_4 = group
        order.orc.orc_12 = f"{doctor}^王^建国"
        name = line.get("name", "苯磺酸氨氯地平片")
        order.rxe.rxe_2 = f"{line.get('code', AMLODIPINE)}^{name}^YB"
        order.rxe.rxe_3 = str(line.get("dose", "5"))
        order.rxe.rxe_5 = line.get("unit", "mg")
        order.rxe.rxe_7 = "^晨起服用"
        order.rxe.rxe_27 = line.get("diagnosis", "I10^原发性高血压^I10")
        timing = order.add_group("RDE_O11_TIMING_ENCODED")
        timing.tq1.tq1_3 = line.get("frequency", "QD")
        timing.tq1.tq1_6 = line.get("days", "7^d")
        order.add_segment("RXR")
        order.rxr.rxr_1 = "PO^口服"
    return message


def er7(message: Message) -> str:
    return str(message.to_er7())


@dataclass
class Acknowledgement:
    raw: bytes
    text: str
    message: Any

    @property
    def code(self) -> str:
        return str(self.message.msa.msa_1.value)

    @property
    def control_id(self) -> str:
        return str(self.message.msa.msa_2.value)

    def errors(self) -> list[tuple[str, str, str]]:
        """(location, HL7 code, text) of every ERR segment."""
        return [(str(e.err_2.to_er7()), str(e.err_3.to_er7()).split("^")[0],
                 str(e.err_8.to_er7())) for e in self.message.children.get("ERR")]


class MllpClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def send_raw(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def answer(self, *, within: float = 15.0,
                     encoding: str = "utf-8") -> Acknowledgement:
        frame = await mllp.read_frame(self.reader, idle_timeout=within, frame_timeout=within)
        assert frame is not None, "the listener closed the connection without answering"
        text = frame.decode(encoding)
        return Acknowledgement(frame, text, parse_message(text, find_groups=True))

    async def send(self, message: Message | str, *, encoding: str = "utf-8") -> Acknowledgement:
        text = message if isinstance(message, str) else er7(message)
        await self.send_raw(mllp.wrap(text.encode(encoding)))
        return await self.answer(encoding=encoding)

    async def closed_by_peer(self, *, within: float) -> bool:
        try:
            data = await asyncio.wait_for(self.reader.read(), within)
        except TimeoutError:
            return False
        return data == b""

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


@pytest.fixture
async def listener(app: FastAPI) -> AsyncIterator[MllpListener]:
    mllp_listener = MllpListener(app.state.services, host="127.0.0.1", port=0)
    await mllp_listener.start()
    yield mllp_listener
    await mllp_listener.stop()


@pytest.fixture
async def connect(listener: MllpListener):
    opened: list[MllpClient] = []

    async def open_client() -> MllpClient:
        reader, writer = await asyncio.open_connection("127.0.0.1", listener.port)
        client = MllpClient(reader, writer)
        opened.append(client)
        return client

    yield open_client
    for client in opened:
        client.writer.close()
