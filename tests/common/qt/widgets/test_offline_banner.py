"""The offline banner says since when, and goes away when the connection is back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from pytestqt.qtbot import QtBot

from common.qt.widgets.offline_banner import OfflineBanner, elapsed_text, offline_text
from tests.common.qt.screenshots import save_screenshot

SINCE = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_elapsed_text() -> None:
    assert elapsed_text(timedelta(seconds=59)) == "不到 1 分钟"
    assert elapsed_text(timedelta(minutes=5, seconds=59)) == "5 分钟"
    assert elapsed_text(timedelta(hours=2)) == "2 小时"
    assert elapsed_text(timedelta(hours=1, minutes=5)) == "1 小时 5 分钟"


def test_offline_text_in_the_users_zone() -> None:
    text = offline_text(SINCE, SINCE + timedelta(minutes=65), tz=UTC)
    assert text.startswith("网络已断开：自 08:00 起（持续 1 小时 5 分钟）")
    beijing = timezone(timedelta(hours=8))
    assert offline_text(SINCE, SINCE, tz=beijing).startswith(
        "网络已断开：自 16:00 起（持续 不到 1 分钟）")
    # Across midnight the date is shown too.
    assert "自 03-02 08:00 起" in offline_text(SINCE, SINCE + timedelta(days=1), tz=UTC)


def test_banner(qtbot: QtBot) -> None:
    now = [SINCE + timedelta(minutes=3)]
    banner = OfflineBanner(clock=lambda: now[0])
    qtbot.addWidget(banner)
    assert banner.isHidden()
    banner.set_offline(SINCE)
    assert not banner.isHidden() and banner.offline
    assert "（持续 3 分钟）" in banner.message.text()
    assert SINCE.astimezone().strftime("%H:%M") in banner.message.text()
    # A second report while still offline keeps the first moment.
    now[0] = SINCE + timedelta(minutes=20)
    banner.set_offline(SINCE + timedelta(minutes=19))
    assert "（持续 20 分钟）" in banner.message.text()
    banner.resize(640, banner.sizeHint().height())
    banner.show()
    qtbot.waitExposed(banner)
    save_screenshot("offline_banner", banner)
    banner.set_online()
    assert banner.isHidden() and not banner.offline
