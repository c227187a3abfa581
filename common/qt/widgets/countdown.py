"""Time left until a deadline (a review task's time limit, a pharmacy's acceptance window),
orange when it is close, red once it has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from PySide6.QtCore import QCoreApplication, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from common.qt.clock import Clock, utc_now

# Module-level calls lupdate can read (it extracts `translate("Context", "text")`).
translate = QCoreApplication.translate

DUE_SOON_STYLE = "color: #ef6c00; font-weight: bold;"
OVERDUE_STYLE = "color: #ffffff; background: #c62828; font-weight: bold; padding: 1px 4px;"


class CountdownState(StrEnum):
    NO_DEADLINE = "no_deadline"
    RUNNING = "running"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Countdown:
    state: CountdownState
    text: str
    remaining: timedelta | None  # negative once overdue


def clock_text(span: timedelta) -> str:
    """m:ss under an hour, h:mm:ss from one hour; whole seconds, never negative."""
    seconds = int(abs(span).total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes:02d}:{seconds:02d}"


def countdown(deadline: datetime | None, now: datetime, due_soon: timedelta) -> Countdown:
    if deadline is None:
        return Countdown(CountdownState.NO_DEADLINE, "", None)
    remaining = deadline - now
    if remaining <= timedelta(0):
        text = translate("Countdown", "Overdue %1").replace("%1", clock_text(remaining))
        return Countdown(CountdownState.OVERDUE, text, remaining)
    # Round up: "00:00 left" while time is still left would read as overdue.
    shown = timedelta(seconds=-(-remaining // timedelta(seconds=1)))
    state = CountdownState.DUE_SOON if remaining <= due_soon else CountdownState.RUNNING
    text = translate("Countdown", "%1 left").replace("%1", clock_text(shown))
    return Countdown(state, text, remaining)


class CountdownLabel(QLabel):
    """Ticks every `interval_ms` on the given clock; `overdue` fires once per deadline."""

    overdue = Signal()

    def __init__(self, *, clock: Clock = utc_now, due_soon: timedelta = timedelta(minutes=5),
                 interval_ms: int = 1000, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._due_soon = due_soon
        self.deadline: datetime | None = None
        self.current = countdown(None, clock(), due_soon)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.refresh)

    @property
    def state(self) -> CountdownState:
        return self.current.state

    def set_deadline(self, deadline: datetime | None) -> None:
        self.deadline = deadline
        self.current = countdown(None, self._clock(), self._due_soon)
        self.refresh()
        if deadline is None:
            self._timer.stop()
        else:
            self._timer.start()

    def refresh(self) -> None:
        was = self.current.state
        self.current = countdown(self.deadline, self._clock(), self._due_soon)
        self.setText(self.current.text)
        self.setStyleSheet({CountdownState.DUE_SOON: DUE_SOON_STYLE,
                            CountdownState.OVERDUE: OVERDUE_STYLE}.get(self.current.state, ""))
        if self.current.state is CountdownState.OVERDUE and was is not CountdownState.OVERDUE:
            self.overdue.emit()
