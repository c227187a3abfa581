"""MLLP framing (HL7 v2 Minimal Lower Layer Protocol): <VT> message <FS><CR>.

`read_frame` never waits without a bound: an idle connection ends after the idle timeout, a
frame that has started must be complete within the frame timeout, and a frame longer than the
stream's limit is refused, so a half-sent message or a client that connects and says nothing
cannot hold a connection (or the listener) forever.
"""

from __future__ import annotations

import asyncio

START = b"\x0b"
END = b"\x1c\r"
BLANK = b"\r\n\t "


class FrameError(Exception):
    """What arrived is not a complete frame. `resync`: the stream is at a frame boundary again
    and the connection can go on; otherwise it must be closed after the answer."""

    def __init__(self, reason: str, *, resync: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.resync = resync


class IdleTimeout(Exception):
    """Nothing arrived within the idle timeout."""


def wrap(payload: bytes) -> bytes:
    return START + payload + END


async def read_frame(reader: asyncio.StreamReader, *, idle_timeout: float,
                     frame_timeout: float) -> bytes | None:
    """The next frame's content; None when the peer has closed between frames.

    Raises IdleTimeout, or FrameError for data that is not framed, a frame cut off by the
    peer or by the frame timeout, and a frame over the reader's limit.
    """
    while True:
        try:
            first = await asyncio.wait_for(reader.read(1), idle_timeout)
        except TimeoutError:
            raise IdleTimeout() from None
        if not first:
            return None
        if first not in BLANK:
            break
    if first != START:
        # Not MLLP (a raw HL7 message, or noise): skip to the end marker, if one comes soon.
        try:
            await asyncio.wait_for(reader.readuntil(END), frame_timeout)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            raise FrameError("数据不是 MLLP 帧（缺少起始符 0x0B）", resync=False) from None
        raise FrameError("数据不是 MLLP 帧（缺少起始符 0x0B）", resync=True)
    try:
        frame = await asyncio.wait_for(reader.readuntil(END), frame_timeout)
    except TimeoutError:
        raise FrameError(f"帧在 {frame_timeout:g} 秒内未结束（缺少结束符 0x1C 0x0D）",
                         resync=False) from None
    except asyncio.IncompleteReadError:
        raise FrameError("连接在帧结束前关闭", resync=False) from None
    except asyncio.LimitOverrunError:
        raise FrameError("帧过长", resync=False) from None
    return frame[:-len(END)]


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, payload: bytes,
                   *, wait: float) -> bytes:
    """Send one frame and read the answering frame, waiting at most `wait` seconds for it
    (the sending side of MLLP)."""
    writer.write(wrap(payload))
    await writer.drain()
    answer = await read_frame(reader, idle_timeout=wait, frame_timeout=wait)
    if answer is None:
        raise ConnectionError("对方在应答前关闭了连接")
    return answer
