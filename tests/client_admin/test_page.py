"""What every page shares, on a real worker thread: answers may come back in any order, and
an answer for a choice the user has since changed never shows."""

from __future__ import annotations

import threading
from typing import Any

from pytestqt.qtbot import QtBot

from client_admin.ui.page import Page
from client_admin.ui.services import AppServices
from common.qt.worker import Worker

WAIT = 5_000


def _page(qtbot: QtBot) -> Page:
    services = AppServices(api=None, admin=None, worker=Worker(), me=None)  # type: ignore[arg-type]
    page = Page(services)
    qtbot.addWidget(page)
    return page


def _slow(release: threading.Event, value: str) -> Any:
    def call() -> str:
        assert release.wait(WAIT / 1000)
        return value
    return call


def test_an_answer_for_an_earlier_choice_arriving_last_is_dropped(qtbot: QtBot) -> None:
    page, shown, release = _page(qtbot), [], threading.Event()
    page.call(_slow(release, "内科"), shown.append, latest="rights")
    page.call(lambda: "外科", shown.append, latest="rights")
    qtbot.waitUntil(lambda: shown == ["外科"], timeout=WAIT)
    release.set()  # the earlier department's answer now arrives, after the later one's
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT)
    assert shown == ["外科"]


def test_a_failure_superseded_is_dropped_too_and_other_names_are_not(qtbot: QtBot) -> None:
    page, shown, release = _page(qtbot), [], threading.Event()

    def refused() -> None:
        assert release.wait(WAIT / 1000)
        raise RuntimeError("超时")

    page.call(refused, shown.append, lambda exc: shown.append(str(exc)), latest="rights")
    page.call(_slow(release, "模板"), shown.append, latest="templates")
    page.call(lambda: "外科", shown.append, latest="rights")
    release.set()
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT)
    assert sorted(shown) == sorted(["外科", "模板"])
    assert page.message.text() == ""


def test_calls_without_a_name_all_answer(qtbot: QtBot) -> None:
    page, shown = _page(qtbot), []
    page.call(lambda: 1, shown.append)
    page.call(lambda: 2, shown.append)
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT)
    assert sorted(shown) == [1, 2]
