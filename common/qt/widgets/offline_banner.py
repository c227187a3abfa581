"""The banner that says the server cannot be reached, and since when.

Shown by the pharmacy app and the kiosk while their offline outbox holds what the user did;
hidden when the connection is back.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from common.qt.clock import Clock, utc_now

# Module-level calls lupdate can read (it extracts `translate("Context", "text")`).
translate = QCoreApplication.translate

BANNER_STYLE = "#offline_banner { background: #fff3e0; border-bottom: 2px solid #ef6c00; }"


def elapsed_text(span: timedelta) -> str:
    minutes = max(int(span.total_seconds()) // 60, 0)
    if minutes < 1:
        return translate("OfflineBanner", "less than a minute")
    hours, minutes = divmod(minutes, 60)
    if hours == 0:
        return translate("OfflineBanner", "%n minutes", None, minutes)
    if minutes == 0:
        return translate("OfflineBanner", "%n hours", None, hours)
    return (translate("OfflineBanner", "%1 h %2 min")
            .replace("%1", str(hours)).replace("%2", str(minutes)))


def offline_text(since: datetime, now: datetime, tz: tzinfo | None = None) -> str:
    """`tz` is where the user is (default: this machine's zone); `since` is aware."""
    local_since, local_now = since.astimezone(tz), now.astimezone(tz)
    when = (f"{local_since:%H:%M}" if local_since.date() == local_now.date()
            else f"{local_since:%m-%d %H:%M}")
    return (translate("OfflineBanner", "Offline since %1 (%2). Your work is kept and will be "
                      "sent when the connection is back.")
            .replace("%1", when).replace("%2", elapsed_text(now - since)))


class OfflineBanner(QWidget):
    def __init__(self, *, clock: Clock = utc_now, interval_ms: int = 30_000,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self.since: datetime | None = None
        self.setObjectName("offline_banner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(BANNER_STYLE)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setStyleSheet("color: #e65100; font-weight: bold;")
        self.message.setWordWrap(True)
        row = QHBoxLayout(self)
        row.addWidget(self.message)
        # The elapsed time only moves by minutes; the timer keeps it honest.
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.refresh)
        self.hide()

    @property
    def offline(self) -> bool:
        return self.since is not None

    def set_offline(self, since: datetime) -> None:
        """Idempotent while offline: the first `since` stands."""
        if self.since is None:
            self.since = since
        self.refresh()
        self._timer.start()
        self.show()

    def set_online(self) -> None:
        self.since = None
        self._timer.stop()
        self.message.clear()
        self.hide()

    def refresh(self) -> None:
        if self.since is not None:
            self.message.setText(offline_text(self.since, self._clock()))
