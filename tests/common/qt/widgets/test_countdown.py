"""Time left until a deadline, on a clock the test moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from common.qt.widgets.countdown import (
    CountdownLabel,
    CountdownState,
    clock_text,
    countdown,
)
from tests.common.qt.screenshots import save_screenshot

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SOON = timedelta(minutes=5)


class MovableClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.mark.parametrize(("left", "state", "text"), [
    (timedelta(minutes=30), CountdownState.RUNNING, "剩余 30:00"),
    (timedelta(hours=2, minutes=5, seconds=9), CountdownState.RUNNING, "剩余 2:05:09"),
    (timedelta(minutes=5), CountdownState.DUE_SOON, "剩余 05:00"),
    # Rounded up: while any time is left it never reads 00:00.
    (timedelta(milliseconds=300), CountdownState.DUE_SOON, "剩余 00:01"),
    (timedelta(0), CountdownState.OVERDUE, "已超时 00:00"),
    (timedelta(minutes=-12, seconds=-3), CountdownState.OVERDUE, "已超时 12:03"),
])
def test_countdown(left: timedelta, state: CountdownState, text: str) -> None:
    result = countdown(START + left, START, SOON)
    assert (result.state, result.text, result.remaining) == (state, text, left)


def test_no_deadline() -> None:
    assert countdown(None, START, SOON).state is CountdownState.NO_DEADLINE


def test_clock_text_is_never_negative() -> None:
    assert clock_text(timedelta(seconds=-61)) == "01:01"


def test_label_turns_red_when_overdue(qtbot: QtBot) -> None:
    clock = MovableClock(START)
    label = CountdownLabel(clock=clock, due_soon=SOON, interval_ms=10)
    qtbot.addWidget(label)
    label.set_deadline(START + timedelta(minutes=15))
    label.show()
    assert (label.state, label.text()) == (CountdownState.RUNNING, "剩余 15:00")

    clock.advance(minutes=11)
    qtbot.waitUntil(lambda: label.state is CountdownState.DUE_SOON)  # the timer ticked
    assert label.text() == "剩余 04:00"

    clock.advance(minutes=4, seconds=30)
    with qtbot.waitSignal(label.overdue):
        pass
    assert label.text() == "已超时 00:30"
    image = label.grab().toImage()
    assert image.pixelColor(1, 1) == QColor("#c62828")
    save_screenshot("countdown", label)

    # Once per deadline: further ticks while overdue do not fire again.
    clock.advance(seconds=30)
    with qtbot.assertNotEmitted(label.overdue, wait=50):
        pass
    assert label.text() == "已超时 01:00"

    label.set_deadline(None)
    assert label.text() == ""
    assert label.state is CountdownState.NO_DEADLINE
