"""An HIS's MLLP receiver, shipped for tests and the demo (`python -m server.hl7.simulator`).

It acknowledges what it receives (RRD^O14 for RDS^O13, ACK otherwise) and, as the HIS must,
deduplicates by the message control id (MSH-10, which is our outbox message id): a repeat is
acknowledged again but recorded only once and counted in `duplicates`. `refuse_next(n, code)`
answers the next n messages with AR (try later) or AE (refused), as a real HIS may.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from server.hl7 import mllp


@dataclass(frozen=True)
class ReceivedMessage:
    control_id: str
    message_type: str
    placer_group: str  # ORC-4: which prescription the message is about
    status: str  # ORC-16.1 of the first order: our business status
    text: str


def _fields(segment: str, separator: str) -> list[str]:
    return segment.split(separator)


def read(text: str) -> ReceivedMessage:
    segments = [s for s in text.replace("\n", "\r").split("\r") if s]
    msh = segments[0] if segments and segments[0].startswith("MSH") else ""
    sep = msh[3] if len(msh) > 3 else "|"
    head = _fields(msh, sep)
    orc = next((_fields(s, sep) for s in segments if s.startswith("ORC")), [])

    def at(fields: list[str], n: int) -> str:
        return fields[n] if len(fields) > n else ""

    return ReceivedMessage(control_id=at(head, 9), message_type=at(head, 8),
                           placer_group=at(orc, 4), status=at(orc, 16).split("^")[0],
                           text=text)


class HisSimulator:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0,
                 log_path: Path | None = None, answer_delay: float = 0.0) -> None:
        self.host, self.port, self.log_path = host, port, log_path
        # Seconds each answer takes, one message at a time across connections (an interface
        # engine that works serially): a slow HIS, and a relay with deliveries in flight.
        self.answer_delay = answer_delay
        self._busy = asyncio.Lock()
        self.received: list[ReceivedMessage] = []
        self.duplicates = 0
        self._seen: set[str] = set()
        self._refuse: list[str] = []
        self._server: asyncio.Server | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def refuse_next(self, count: int, code: str = "AR") -> None:
        self._refuse.extend([code] * count)

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    frame = await mllp.read_frame(reader, idle_timeout=600, frame_timeout=10)
                except (mllp.FrameError, mllp.IdleTimeout):
                    break
                if frame is None:
                    break
                async with self._busy:
                    if self.answer_delay:
                        await asyncio.sleep(self.answer_delay)
                    answer = self._answer(frame.decode("utf-8", "replace"))
                writer.write(mllp.wrap(answer))
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def _answer(self, text: str) -> bytes:
        message = read(text)
        code = self._refuse.pop(0) if self._refuse else "AA"
        if code == "AA":
            if message.control_id in self._seen:
                self.duplicates += 1
            else:
                self._seen.add(message.control_id)
                self.received.append(message)
                self._log(message)
        kind = "RRD^O14^RRD_O14" if message.message_type.startswith("RDS") else "ACK"
        now = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        return (f"MSH|^~\\&|HIS|HIS|RXP|RXP|{now}||{kind}|{uuid.uuid4().hex}|P|2.5\r"
                f"MSA|{code}|{message.control_id}\r").encode()

    def _log(self, message: ReceivedMessage) -> None:
        if self.log_path is not None:
            with self.log_path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(asdict(message), ensure_ascii=False) + "\n")


async def _main(host: str, port: int, log: Path | None) -> None:
    simulator = HisSimulator(host=host, port=port, log_path=log)
    await simulator.start()
    print(f"HIS simulator: MLLP on {simulator.address}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await simulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="HIS 模拟器：接收 HL7（MLLP）、确认并按消息号去重")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2576)
    parser.add_argument("--log", type=Path, default=None, help="每条新消息追加一行 JSON")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(args.host, args.port, args.log))


if __name__ == "__main__":
    main()
