"""A card that answers APDUs from a `CardProfile`: the heart of the vpcd emulator and of the
`sim://` card reader, so both behave exactly like the layout in `card.profile`.

Commands: SELECT by AID (P1=04), SELECT EF by file id (P1=00/02), READ BINARY (offset in
P1 P2, or SFI in P1 with bit 8 set). Anything else answers the ISO status word a card would:
6E00 wrong class, 6D00 unknown instruction, 6A82 no such application or file, 6986 no file
selected, 6982 protected file, 6B00 offset outside the file, 6700 malformed command.
"""

from __future__ import annotations

from common.hardware.card import status_words as sw
from common.hardware.card.profile import (
    EF_CARD_NUMBER,
    EF_HOLDER_ID,
    EF_HOLDER_NAME,
    NAME_ENCODING,
    SFI,
    CardProfile,
)

INS_SELECT = 0xA4
INS_READ_BINARY = 0xB0


def _status(word: int, data: bytes = b"") -> bytes:
    return data + word.to_bytes(2, "big")


class VirtualCard:
    """One card's state between resets: the selected application and file.

    `locked=True` makes the holder-name file answer 6982, as a card whose holder data needs
    a PIN (or an issuer lock) does.
    """

    def __init__(self, profile: CardProfile, *, locked: bool = False) -> None:
        self.profile = profile
        self.locked = locked
        self._files = {
            EF_CARD_NUMBER: profile.number.encode("ascii"),
            EF_HOLDER_NAME: profile.holder_name.encode(NAME_ENCODING),
            EF_HOLDER_ID: profile.holder_id.encode("ascii"),
        }
        self.reset()

    @property
    def atr(self) -> bytes:
        return self.profile.atr

    def reset(self) -> None:
        self._app_selected = False
        self._current_ef: int | None = None

    def reads_holder_name(self, apdu: bytes) -> bool:
        """Whether this APDU is the READ BINARY of the holder-name file: the moment the
        `card_removed_mid_read` fault pulls the card (the number is read, the name is not)."""
        return (len(apdu) >= 4 and apdu[1] == INS_READ_BINARY
                and (self._current_ef == EF_HOLDER_NAME
                     or apdu[2] == 0x80 | SFI[EF_HOLDER_NAME]))

    def protected(self, fid: int) -> bool:
        return fid == EF_HOLDER_ID or (self.locked and fid == EF_HOLDER_NAME)

    def process(self, apdu: bytes) -> bytes:
        if len(apdu) < 4:
            return _status(sw.SW_WRONG_LENGTH)
        cla, ins, p1, p2 = apdu[:4]
        if cla != 0x00:
            return _status(sw.SW_CLA_NOT_SUPPORTED)
        body = apdu[4:]
        if ins == INS_SELECT:
            return self._select(p1, body)
        if ins == INS_READ_BINARY:
            return self._read_binary(p1, p2, body)
        return _status(sw.SW_INS_NOT_SUPPORTED)

    def _select(self, p1: int, body: bytes) -> bytes:
        if not body or len(body) < 1 + body[0]:
            return _status(sw.SW_WRONG_LENGTH)
        data = body[1:1 + body[0]]
        if p1 == 0x04:
            self._app_selected = data == self.profile.aid
            self._current_ef = None
            return _status(sw.SW_OK if self._app_selected else sw.SW_FILE_NOT_FOUND)
        if p1 in (0x00, 0x02):
            if len(data) != 2:
                return _status(sw.SW_WRONG_LENGTH)
            fid = int.from_bytes(data, "big")
            if not self._app_selected or fid not in self._files:
                return _status(sw.SW_FILE_NOT_FOUND)
            self._current_ef = fid
            return _status(sw.SW_OK)
        return _status(sw.SW_WRONG_P1P2)

    def _read_binary(self, p1: int, p2: int, body: bytes) -> bytes:
        if len(body) > 1:
            return _status(sw.SW_WRONG_LENGTH)
        le = body[0] if body else 0
        if p1 & 0x80:
            by_sfi = {sfi: fid for fid, sfi in SFI.items()}
            fid = by_sfi.get(p1 & 0x1F)
            if not self._app_selected or fid is None:
                return _status(sw.SW_FILE_NOT_FOUND)
            self._current_ef, offset = fid, p2
        else:
            if self._current_ef is None:
                return _status(sw.SW_NO_CURRENT_EF)
            offset = (p1 << 8) | p2
        if self.protected(self._current_ef):
            return _status(sw.SW_SECURITY_NOT_SATISFIED)
        content = self._files[self._current_ef]
        if offset > len(content):
            return _status(sw.SW_OFFSET_OUTSIDE)
        wanted = le or 256
        data = content[offset:offset + wanted]
        short = le != 0 and len(data) < wanted
        return _status(sw.SW_END_OF_FILE if short else sw.SW_OK, data)
