"""Calls run off the GUI thread and report back on it; latest-only drops superseded results."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from common.qt.worker import LatestOnly, ProgressCallback, Worker


class TestSubmit:
    def test_result_arrives_on_the_gui_thread(self, qtbot: QtBot, worker: Worker) -> None:
        ran_on, delivered_on = [], []

        def call() -> int:
            ran_on.append(threading.get_ident())
            return 6 * 7

        task = worker.submit(call)
        task.succeeded.connect(lambda _value: delivered_on.append(threading.get_ident()))
        with qtbot.waitSignal(task.succeeded) as blocker:
            pass
        assert blocker.args == [42]
        assert ran_on and ran_on[0] != threading.get_ident()
        assert delivered_on == [threading.get_ident()]

    def test_error_is_delivered_as_the_exception(self, qtbot: QtBot, worker: Worker) -> None:
        def call() -> None:
            raise LookupError("处方不存在")

        task = worker.submit(call)
        with qtbot.assertNotEmitted(task.succeeded), qtbot.waitSignal(task.failed) as blocker:
            pass
        (error,) = blocker.args
        assert isinstance(error, LookupError)
        assert str(error) == "处方不存在"

    def test_progress_then_result_in_order(self, qtbot: QtBot, worker: Worker) -> None:
        events: list[tuple[object, ...]] = []

        def call(report: ProgressCallback) -> str:
            report(50, "上传中")
            report(100, "完成")
            return "ok"

        task = worker.submit_with_progress(call)
        task.progressed.connect(lambda pct, text: events.append(("progress", pct, text)))
        task.succeeded.connect(lambda value: events.append(("ok", value)))
        with qtbot.waitSignal(task.finished):
            pass
        assert events == [("progress", 50, "上传中"), ("progress", 100, "完成"), ("ok", "ok")]
        qtbot.waitUntil(lambda: worker.pending == 0)

    def test_cancelled_task_delivers_nothing(self, qtbot: QtBot, worker: Worker) -> None:
        release = threading.Event()
        task = worker.submit(lambda: release.wait(5) and "late")
        task.cancel()
        with qtbot.assertNotEmitted(task.succeeded), qtbot.waitSignal(task.discarded):
            release.set()


class TestLatestOnly:
    def test_a_newer_request_drops_the_older_result(self, qtbot: QtBot, worker: Worker) -> None:
        latest = LatestOnly(worker)
        results: list[object] = []
        busy: list[bool] = []
        latest.succeeded.connect(results.append)
        latest.busy_changed.connect(busy.append)
        first_started, release_first = threading.Event(), threading.Event()

        def slow() -> str:
            first_started.set()
            release_first.wait(5)
            return "amx"

        first = latest.request(slow)
        assert first_started.wait(5)
        with qtbot.waitSignal(latest.succeeded):
            latest.request(lambda: "amxl")
        assert results == ["amxl"]
        # The first call now returns, after the newer one: its answer must not show.
        with qtbot.waitSignal(first.discarded):
            release_first.set()
        assert results == ["amxl"]
        assert busy == [True, False]
        assert not latest.busy

    def test_cancel_drops_the_outstanding_request(self, qtbot: QtBot, worker: Worker) -> None:
        latest = LatestOnly(worker)
        release = threading.Event()
        task = latest.request(lambda: release.wait(5))
        with qtbot.waitSignal(latest.busy_changed) as busy:
            latest.cancel()
        assert busy.args == [False]
        with qtbot.assertNotEmitted(latest.succeeded), qtbot.waitSignal(task.discarded):
            release.set()


def test_shutdown_skips_queued_calls() -> None:
    pool = Worker(max_threads=1)
    release = threading.Event()
    ran: list[str] = []
    pool.submit(lambda: release.wait(5))
    queued = pool.submit(lambda: ran.append("queued"))
    release.set()
    assert pool.shutdown(5000)
    assert ran == []
    assert queued.cancelled
