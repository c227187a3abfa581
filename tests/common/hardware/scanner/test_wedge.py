from __future__ import annotations

from common.hardware.scanner.wedge import KeyboardWedge, WedgeOutput, WedgeScan, WedgeTyping


def feed(wedge: KeyboardWedge, keys: str, start: float, gap: float) -> list[WedgeOutput]:
    out: list[WedgeOutput] = []
    for i, key in enumerate(keys):
        out += wedge.feed(key, start + i * gap)
    return out


def test_a_fast_burst_ending_in_enter_is_a_scan() -> None:
    wedge = KeyboardWedge(max_interval=0.05, min_length=6)
    assert feed(wedge, "81234567890123456789\r", 10.0, 0.004) == [
        WedgeScan("81234567890123456789")]


def test_human_typing_is_handed_back() -> None:
    wedge = KeyboardWedge(max_interval=0.05, min_length=6)
    out = feed(wedge, "张三123\r", 10.0, 0.2)
    assert "".join(o.text for o in out if isinstance(o, WedgeTyping)) == "张三123\r"
    assert not any(isinstance(o, WedgeScan) for o in out)


def test_a_short_fast_burst_is_typing() -> None:
    wedge = KeyboardWedge(max_interval=0.05, min_length=6)
    assert feed(wedge, "ab\r", 1.0, 0.01) == [WedgeTyping("ab\r")]


def test_a_pause_inside_a_burst_makes_it_typing() -> None:
    wedge = KeyboardWedge(max_interval=0.05, min_length=6)
    out = feed(wedge, "123456", 1.0, 0.01) + feed(wedge, "789012\r", 2.0, 0.01)
    assert out == [WedgeTyping("123456"), WedgeScan("789012")]


def test_typing_then_a_scan() -> None:
    wedge = KeyboardWedge(max_interval=0.05, min_length=6)
    out = feed(wedge, "ab", 1.0, 0.3) + feed(wedge, "RX000123\n", 2.0, 0.005)
    assert out == [WedgeTyping("a"), WedgeTyping("b"), WedgeScan("RX000123")]


def test_flush_releases_held_keys_after_the_interval() -> None:
    wedge = KeyboardWedge(max_interval=0.05, min_length=6)
    assert wedge.feed("x", 5.0) == []
    assert wedge.flush(5.03) == []
    assert wedge.flush(5.06) == [WedgeTyping("x")]
    assert wedge.flush(6.0) == []
