"""The MLLP listener: an asyncio TCP server the HIS connects to (RXP_HL7_HOST:RXP_HL7_PORT).

Each connection carries frames one after another; each frame gets exactly one answer. What
is not a frame gets an AR; a connection is closed after an idle timeout, after a frame that
does not finish within the frame timeout, and after a frame over the size limit (each of the
last two answered with an AR first), so no client can hang the listener or a connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from server.core.services import Services
from server.hl7 import ack, inbound, mllp
from server.hl7.ack import Answer, Problem

log = logging.getLogger(__name__)


class MllpListener:
    def __init__(self, svc: Services, *, host: str | None = None,
                 port: int | None = None) -> None:
        self.svc = svc
        self.host = host if host is not None else svc.settings.hl7_host
        self.port = port if port is not None else svc.settings.hl7_port
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def start(self) -> int:
        """Listen; the port actually bound (port 0 picks a free one)."""
        self._server = await asyncio.start_server(
            self._serve, self.host, self.port, limit=self.svc.settings.hl7_max_frame_bytes)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("HL7 MLLP listener on %s:%d", self.host, self.port)
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._connections):
                task.cancel()
            await asyncio.gather(*self._connections, return_exceptions=True)
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        peer = writer.get_extra_info("peername")
        address = peer[0] if isinstance(peer, tuple) else None
        settings = self.svc.settings
        try:
            while True:
                try:
                    frame = await mllp.read_frame(reader, idle_timeout=settings.hl7_idle_timeout,
                                                  frame_timeout=settings.hl7_frame_timeout)
                except mllp.IdleTimeout:
                    break
                except mllp.FrameError as exc:
                    log.info("HL7 from %s: %s", address, exc.reason)
                    await self._send(writer, self._reject(exc.reason))
                    if exc.resync:
                        continue
                    break
                if frame is None:
                    break
                await self._send(writer, await inbound.answer(self.svc, frame, peer=address))
        except (ConnectionError, OSError) as exc:
            log.info("HL7 connection from %s ended: %s", address, exc)
        except asyncio.CancelledError:
            # The listener is stopping. Ending quietly: asyncio's stream protocol reports a
            # connection task that ends cancelled as an unhandled error.
            pass
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 5)

    def _reject(self, reason: str) -> bytes:
        text = ack.build(ack.Request(), Answer("AR", [Problem("MSH", reason, code="100")]),
                         now=self.svc.clock.now())
        return text.encode("utf-8")

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, payload: bytes) -> None:
        writer.write(mllp.wrap(payload))
        await asyncio.wait_for(writer.drain(), 30)
