"""The card layout this product reads, and what a read yields.

Profile (the same for the PC/SC driver, the simulator and the vpcd card emulator):

- Each card kind is an application selected by AID (`00 A4 04 00 Lc AID`). The AIDs are
  proprietary (first nibble F, ISO 7816-5) and stand in for the issuers' own: a site with real
  cards configures the real AIDs and file ids here, nothing else changes.

  ====================  ==========================  ==========
  kind                  AID                         ATR hist.
  ====================  ==========================  ==========
  社保卡/医保卡          F0 52 58 50 49 4E 53 ("RXPINS")  RXP-SSCARD
  就诊卡                 F0 52 58 50 48 4F 53 ("RXPHOS")  RXP-HOSPCD
  ====================  ==========================  ==========

- Inside the application, two transparent elementary files, read with SELECT by file id
  (`00 A4 02 0C 02 FID`) and READ BINARY (`00 B0 00 00 00`, or with the SFI in P1):

  - EF 0005 (SFI 5): the card number, ASCII digits and capital letters.
  - EF 0006 (SFI 6): the holder's name, **GB18030** (Chinese cards carry GBK/GB18030 text,
    not UTF-8). Padding with 00, FF or spaces is ignored.
  - EF 0007 (SFI 7): the holder's ID number; protected (6982) and not read by this product.

- ATR: `3B 8A 80 01` + 10 historical bytes + TCK (offers T=0 and T=1).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

NAME_ENCODING = "gb18030"

EF_CARD_NUMBER = 0x0005
EF_HOLDER_NAME = 0x0006
EF_HOLDER_ID = 0x0007
SFI = {EF_CARD_NUMBER: 5, EF_HOLDER_NAME: 6, EF_HOLDER_ID: 7}


class CardKind(enum.StrEnum):
    INSURANCE = "insurance"  # 社保卡 / 医保卡
    HOSPITAL = "hospital"  # 就诊卡

    @property
    def label(self) -> str:
        return {CardKind.INSURANCE: "社保卡（医保卡）", CardKind.HOSPITAL: "就诊卡"}[self]


AIDS: dict[CardKind, bytes] = {
    CardKind.INSURANCE: bytes.fromhex("F0525850494E53"),
    CardKind.HOSPITAL: bytes.fromhex("F0525850484F53"),
}

# A UnionPay debit application: the card a patient most often inserts by mistake.
FOREIGN_AID = bytes.fromhex("A000000333010101")


def build_atr(historical: bytes) -> bytes:
    """`3B 8A 80 01` + historical bytes + TCK: T=0 and T=1, `len(historical)` == 10."""
    if len(historical) != 10:
        raise ValueError("ATR historical bytes must be 10 bytes long")
    body = bytes([0x8A, 0x80, 0x01]) + historical
    tck = 0
    for byte in body:
        tck ^= byte
    return bytes([0x3B]) + body + bytes([tck])


@dataclass(frozen=True)
class CardIdentity:
    """What reading a card yields."""

    kind: CardKind
    number: str
    holder_name: str
    reader: str


class CardEventKind(enum.StrEnum):
    INSERTED = "inserted"
    REMOVED = "removed"


@dataclass(frozen=True)
class CardEvent:
    kind: CardEventKind
    reader: str
    atr: bytes


@dataclass(frozen=True)
class CardProfile:
    """The contents of one card, for the emulator and the simulator."""

    aid: bytes
    atr: bytes
    number: str
    holder_name: str
    holder_id: str = ""

    @classmethod
    def insurance(cls, number: str = "H32010012345678", holder_name: str = "张三",
                  holder_id: str = "") -> CardProfile:
        return cls(AIDS[CardKind.INSURANCE], build_atr(b"RXP-SSCARD"), number, holder_name,
                   holder_id)

    @classmethod
    def hospital(cls, number: str = "JZ0000123456", holder_name: str = "李四") -> CardProfile:
        return cls(AIDS[CardKind.HOSPITAL], build_atr(b"RXP-HOSPCD"), number, holder_name)

    @classmethod
    def foreign(cls) -> CardProfile:
        """A card of another issuer (here a bank card): none of our applications on it."""
        return cls(FOREIGN_AID, build_atr(b"BANK-DEBIT"), "6222020000000000", "")

    @classmethod
    def for_kind(cls, kind: str, number: str | None = None,
                 holder_name: str | None = None) -> CardProfile:
        if kind == "foreign":
            return cls.foreign()
        factory = {"insurance": cls.insurance, "hospital": cls.hospital}.get(kind)
        if factory is None:
            raise ValueError(f"unknown card kind {kind!r} (insurance, hospital, foreign)")
        base = factory()
        return cls(base.aid, base.atr, number or base.number, holder_name or base.holder_name,
                   base.holder_id)
