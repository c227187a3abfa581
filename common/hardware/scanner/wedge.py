"""Telling a keyboard-wedge scanner from a person at the keyboard.

A wedge scanner "types" a whole code in a burst, a few milliseconds per key, and ends it with
Enter; people type far slower. Keys are held back while they could still be a scan: a burst of
at least `min_length` keys, none more than `max_interval` apart, ended by a terminator, is a
scan; anything else is handed back as typing, to be delivered to the focused field. The GUI
feeds every key with its monotonic timestamp and calls `flush` from a timer, so a person's
keys are held back by at most `max_interval`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WedgeScan:
    code: str


@dataclass(frozen=True)
class WedgeTyping:
    text: str  # the keys to pass on, in order (a human Enter included)


WedgeOutput = WedgeScan | WedgeTyping


class KeyboardWedge:
    def __init__(self, *, max_interval: float = 0.05, min_length: int = 6,
                 terminators: str = "\r\n") -> None:
        self.max_interval = max_interval
        self.min_length = min_length
        self.terminators = terminators
        self._burst = ""
        self._last_at = 0.0

    def feed(self, char: str, at: float) -> list[WedgeOutput]:
        out: list[WedgeOutput] = []
        if self._burst and at - self._last_at > self.max_interval:
            out.append(WedgeTyping(self._burst))
            self._burst = ""
        self._last_at = at
        if char in self.terminators:
            if len(self._burst) >= self.min_length:
                out.append(WedgeScan(self._burst))
            else:
                out.append(WedgeTyping(self._burst + char))
            self._burst = ""
        else:
            self._burst += char
        return out

    def flush(self, now: float) -> list[WedgeOutput]:
        """Keys held back longer than a scanner would pause are a person's typing."""
        if self._burst and now - self._last_at > self.max_interval:
            text, self._burst = self._burst, ""
            return [WedgeTyping(text)]
        return []
