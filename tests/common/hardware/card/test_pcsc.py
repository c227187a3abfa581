"""The PC/SC driver against the real stack: pcscd, the vpcd reader driver, our card emulator."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from typing import Any

import pytest
from smartcard.System import readers

from common.hardware import open_card_reader
from common.hardware.card.pcsc import PcscCardReader
from common.hardware.card.profile import CardEventKind, CardKind, CardProfile
from common.hardware.card.reader import CardEventQueue
from common.hardware.card.session import READ_BINARY_ALL, select_aid, select_ef
from common.hardware.errors import (
    CardRemovedDuringRead,
    CardStatusError,
    NoCard,
    NoCardReader,
    UnknownCard,
)
from tests.devices import VirtualCardSlot


class TestReading:
    def test_insurance_card_number_and_holder(self, virtual_card: VirtualCardSlot) -> None:
        virtual_card.insert(CardProfile.insurance("H11010098765432", "欧阳娜娜"))
        identity = open_card_reader(virtual_card.url).read_card()
        assert identity.kind is CardKind.INSURANCE
        assert identity.number == "H11010098765432"
        assert identity.holder_name == "欧阳娜娜"
        assert identity.reader == virtual_card.reader_name

    def test_hospital_card(self, virtual_card: VirtualCardSlot) -> None:
        virtual_card.insert(CardProfile.hospital("JZ2024000777", "李䶮"))  # 䶮: GB18030 4-byte
        identity = PcscCardReader(virtual_card.reader_name).read_card()
        assert (identity.kind, identity.number, identity.holder_name) == (
            CardKind.HOSPITAL, "JZ2024000777", "李䶮")

    def test_empty_reader(self, virtual_card: VirtualCardSlot) -> None:
        reader = PcscCardReader(virtual_card.reader_name)
        assert not reader.card_present()
        with pytest.raises(NoCard) as caught:
            reader.read_card()
        assert "请插卡" in caught.value.message


class TestFaults:
    def test_card_removed_mid_read(self, virtual_card: VirtualCardSlot) -> None:
        virtual_card.insert()
        virtual_card.emulator.inject("card_removed_mid_read")
        reader = PcscCardReader(virtual_card.reader_name)
        with pytest.raises(CardRemovedDuringRead) as caught:
            reader.read_card()
        assert "拔出" in caught.value.message
        assert not reader.card_present()

    def test_other_issuers_card_is_unknown(self, virtual_card: VirtualCardSlot) -> None:
        virtual_card.insert(CardProfile.foreign())
        with pytest.raises(UnknownCard) as caught:
            PcscCardReader(virtual_card.reader_name).read_card()
        assert "无法识别" in caught.value.message

    def test_locked_card_reports_its_status_word(self, virtual_card: VirtualCardSlot) -> None:
        virtual_card.insert()
        virtual_card.emulator.inject("locked")
        with pytest.raises(CardStatusError) as caught:
            PcscCardReader(virtual_card.reader_name).read_card()
        assert caught.value.sw == 0x6982
        assert caught.value.message.startswith("安全状态不满足")
        assert "SW=6982" in caught.value.message

    def test_unknown_reader(self, pcscd: list[str]) -> None:
        with pytest.raises(NoCardReader):
            open_card_reader("pcsc://No Such Reader")
        with pytest.raises(NoCardReader):
            open_card_reader("pcsc://99")

    def test_reader_by_index_and_percent_escaped_name(self, pcscd: list[str]) -> None:
        assert open_card_reader("pcsc://0").name == pcscd[0]
        assert open_card_reader("pcsc://" + pcscd[0].replace(" ", "%20")).name == pcscd[0]


class TestEmulatedCardStatusWords:
    """The emulator answers like a card, seen through pyscard and pcscd."""

    @pytest.fixture
    def connection(self, virtual_card: VirtualCardSlot) -> Iterator[Any]:
        virtual_card.insert(CardProfile.insurance(holder_id="110101199003070012"))
        reader = next(r for r in readers() if str(r) == virtual_card.reader_name)
        connection = reader.createConnection()
        connection.connect()
        yield connection
        connection.disconnect()
        connection.release()

    @staticmethod
    def send(connection: Any, apdu: bytes) -> tuple[bytes, int]:
        data, sw1, sw2 = connection.transmit(list(apdu))
        return bytes(data), sw1 << 8 | sw2

    def test_answers(self, connection: Any) -> None:
        assert self.send(connection, READ_BINARY_ALL) == (b"", 0x6986)  # nothing selected
        assert self.send(connection, bytes([0x00, 0xCA, 0x00, 0x00, 0x00]))[1] == 0x6D00
        assert self.send(connection, bytes([0x80, 0xB0, 0x00, 0x00, 0x00]))[1] == 0x6E00
        assert self.send(connection, select_aid(bytes.fromhex("A0000000031010")))[1] == 0x6A82
        assert self.send(connection, select_aid(CardProfile.insurance().aid))[1] == 0x9000
        assert self.send(connection, select_ef(0x0099))[1] == 0x6A82
        assert self.send(connection, select_ef(0x0007))[1] == 0x9000
        assert self.send(connection, READ_BINARY_ALL)[1] == 0x6982  # the ID number: protected
        assert self.send(connection, select_ef(0x0006))[1] == 0x9000
        assert self.send(connection, READ_BINARY_ALL) == ("张三".encode("gb18030"), 0x9000)
        # READ BINARY by SFI (P1 = 0x80 | 5), from offset 3, 4 bytes
        assert self.send(connection, bytes([0x00, 0xB0, 0x85, 0x03, 0x04])) == (b"0100", 0x9000)
        assert self.send(connection, bytes([0x00, 0xB0, 0x85, 0x40, 0x00]))[1] == 0x6B00


class TestEvents:
    def test_insert_and_remove_are_delivered(self, virtual_card: VirtualCardSlot) -> None:
        reader = PcscCardReader(virtual_card.reader_name)
        events = CardEventQueue()
        reader.watch(events)
        try:
            virtual_card.insert(CardProfile.hospital())
            inserted = events.get(timeout=5)
            assert (inserted.kind, inserted.reader) == (CardEventKind.INSERTED,
                                                        virtual_card.reader_name)
            assert inserted.atr == CardProfile.hospital().atr
            virtual_card.remove()
            removed = events.get(timeout=5)
            assert (removed.kind, removed.atr) == (CardEventKind.REMOVED,
                                                   CardProfile.hospital().atr)
        finally:
            reader.close()
        virtual_card.insert()
        with pytest.raises(queue.Empty):
            events.get(timeout=0.5)  # unwatched: nothing more arrives
