"""The `sim://` card reader: the same protocol code as the PC/SC driver, every fault."""

from __future__ import annotations

import pytest

from common.hardware import open_card_reader
from common.hardware.card.profile import CardEventKind, CardKind, CardProfile
from common.hardware.card.reader import CardEventQueue
from common.hardware.card.simulator import SimulatedCardReader
from common.hardware.errors import (
    CardCommunicationError,
    CardRemovedDuringRead,
    CardStatusError,
    DeviceUrlError,
    NoCard,
    NoCardReader,
    UnknownCard,
)


def sim(url: str = "sim://") -> SimulatedCardReader:
    reader = open_card_reader(url)
    assert isinstance(reader, SimulatedCardReader)
    return reader


def test_reads_the_card_named_in_the_url() -> None:
    identity = sim("sim://?card=hospital&number=JZ42&name=%E7%8E%8B%E4%BA%94").read_card()
    assert (identity.kind, identity.number, identity.holder_name) == (
        CardKind.HOSPITAL, "JZ42", "王五")


@pytest.mark.parametrize(("fault", "error"), [
    ("no_reader", NoCardReader),
    ("no_card", NoCard),
    ("card_removed_mid_read", CardRemovedDuringRead),
    ("unknown_card", UnknownCard),
    ("locked", CardStatusError),
    ("communication_error", CardCommunicationError),
])
def test_every_fault_from_the_url_and_injected(fault: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        sim(f"sim://?fault={fault}").read_card()
    reader = sim()
    reader.read_card()
    reader.inject(fault)
    with pytest.raises(error):
        reader.read_card()


def test_one_shot_faults_pass_and_the_card_is_gone_after_a_mid_read_removal() -> None:
    reader = sim("sim://?fault=communication_error")
    with pytest.raises(CardCommunicationError):
        reader.read_card()
    assert reader.read_card().number == CardProfile.insurance().number
    reader.inject("card_removed_mid_read")
    with pytest.raises(CardRemovedDuringRead):
        reader.read_card()
    assert not reader.card_present()
    with pytest.raises(NoCard):
        reader.read_card()


def test_clear_faults() -> None:
    reader = sim("sim://?fault=no_reader,locked")
    reader.clear_faults()
    assert reader.read_card().holder_name == "张三"


def test_events_come_from_a_driver_thread_in_order() -> None:
    reader = sim("sim://?card=none")
    events = CardEventQueue()
    reader.watch(events)
    try:
        reader.insert(CardProfile.hospital())
        reader.inject("unknown_card")  # the patient swaps in a bank card
        kinds = [events.get(timeout=2) for _ in range(3)]
    finally:
        reader.close()
    assert [(e.kind, e.atr) for e in kinds] == [
        (CardEventKind.INSERTED, CardProfile.hospital().atr),
        (CardEventKind.REMOVED, CardProfile.hospital().atr),
        (CardEventKind.INSERTED, CardProfile.foreign().atr),
    ]


def test_a_card_already_present_is_reported_on_watch() -> None:
    reader = sim()
    events = CardEventQueue()
    reader.watch(events)
    try:
        assert events.get(timeout=2).kind is CardEventKind.INSERTED
    finally:
        reader.close()


@pytest.mark.parametrize("url", ["sim://?fault=on_fire", "sim://?card=passport", "usb://1",
                                 "Virtual PCD 00 00"])
def test_bad_urls(url: str) -> None:
    with pytest.raises(DeviceUrlError):
        open_card_reader(url)
