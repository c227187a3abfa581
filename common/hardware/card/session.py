"""Reading a card's identity with plain APDUs, over any transport.

The PC/SC driver and the simulator both call `read_identity` with their own `transmit`, so the
protocol logic (which application, which files, what each status word means) is written once.
A transport raises `CardRemovedDuringRead` / `CardCommunicationError` itself; this module turns
status words into `UnknownCard` and `CardStatusError`.
"""

from __future__ import annotations

from collections.abc import Callable

from common.hardware.card import status_words as sw
from common.hardware.card.profile import (
    AIDS,
    EF_CARD_NUMBER,
    EF_HOLDER_NAME,
    NAME_ENCODING,
    CardIdentity,
    CardKind,
)
from common.hardware.errors import CardError, CardStatusError, UnknownCard

Transmit = Callable[[bytes], bytes]
"""Sends one command APDU, returns the response data followed by SW1 SW2."""

_PADDING = b"\x00\xff "


def select_aid(aid: bytes) -> bytes:
    return bytes([0x00, 0xA4, 0x04, 0x00, len(aid)]) + aid


def select_ef(fid: int) -> bytes:
    return bytes([0x00, 0xA4, 0x02, 0x0C, 0x02]) + fid.to_bytes(2, "big")


READ_BINARY_ALL = bytes([0x00, 0xB0, 0x00, 0x00, 0x00])


def _exchange(transmit: Transmit, apdu: bytes) -> tuple[bytes, int]:
    response = transmit(apdu)
    if len(response) < 2:
        raise CardError("卡片应答不完整，请重新插卡")
    return response[:-2], int.from_bytes(response[-2:], "big")


def _read_file(transmit: Transmit, fid: int) -> bytes:
    _, word = _exchange(transmit, select_ef(fid))
    if word != sw.SW_OK:
        raise CardStatusError(word)
    data, word = _exchange(transmit, READ_BINARY_ALL)
    if word not in (sw.SW_OK, sw.SW_END_OF_FILE):
        raise CardStatusError(word)
    return data.strip(_PADDING)


def select_application(transmit: Transmit) -> CardKind:
    for kind, aid in AIDS.items():
        _, word = _exchange(transmit, select_aid(aid))
        if word == sw.SW_OK:
            return kind
        if word != sw.SW_FILE_NOT_FOUND:
            raise CardStatusError(word)
    raise UnknownCard()


def read_identity(transmit: Transmit, reader: str) -> CardIdentity:
    kind = select_application(transmit)
    raw_number = _read_file(transmit, EF_CARD_NUMBER)
    raw_name = _read_file(transmit, EF_HOLDER_NAME)
    try:
        number = raw_number.decode("ascii")
        holder_name = raw_name.decode(NAME_ENCODING)
    except UnicodeDecodeError:
        raise CardError("卡片数据无法识别，请到服务台处理") from None
    if not number:
        raise CardError("卡片中没有卡号，请到服务台处理")
    return CardIdentity(kind=kind, number=number, holder_name=holder_name, reader=reader)
