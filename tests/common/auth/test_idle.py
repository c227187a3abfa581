"""IdleLock with a clock moved by hand."""

from __future__ import annotations

import pytest

from common.auth import IdleLock
from tests.clients import ManualClock


class TestIdleLock:
    def test_locks_after_the_timeout_without_activity(self):
        clock = ManualClock()
        idle = IdleLock(300, clock=clock)
        fired: list[bool] = []
        idle.add_listener(lambda: fired.append(True))
        clock.advance(seconds=299)
        assert idle.check() is False and idle.seconds_left() == pytest.approx(1)
        clock.advance(seconds=1)
        assert idle.check() is True and idle.locked
        assert idle.check() is True
        assert fired == [True]  # once per locking
        assert idle.seconds_left() == 0

    def test_activity_restarts_the_countdown_but_does_not_unlock(self):
        clock = ManualClock()
        idle = IdleLock(300, clock=clock)
        clock.advance(seconds=200)
        idle.touch()
        clock.advance(seconds=200)
        assert idle.check() is False
        idle.lock()
        idle.touch()
        assert idle.locked
        idle.release()
        assert not idle.locked and idle.seconds_left() == 300

    def test_a_timeout_must_be_positive(self):
        with pytest.raises(ValueError, match="锁定时间"):
            IdleLock(0)
