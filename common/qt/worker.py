"""Run blocking calls (the API client, a device) off the GUI thread and hear back through signals.

`Worker.submit(fn)` runs `fn` on the worker's thread pool and returns a `Task` whose signals
(`succeeded`, `failed`, `progressed`, `finished`) are always emitted on the GUI thread, after
`submit` has returned, so slots may touch widgets and a fast call cannot outrun its connections.

`LatestOnly` is for as-you-type searches: each request supersedes the one before, whose result
is dropped when it arrives, so an old, slower answer never overwrites a newer one.

Use from the GUI thread only (the thread the Worker lives in).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

# fn(percent 0..100, text) reports progress from inside a task run with progress=True.
ProgressCallback = Callable[[int, str], None]


class Task(QObject):
    """One call running on a worker thread. Emits exactly one of `succeeded` / `failed`, then
    `finished`; or, once cancelled, none of them and `discarded` when the call comes back."""

    succeeded = Signal(object)  # the call's return value
    failed = Signal(object)  # the exception it raised
    progressed = Signal(int, str)
    finished = Signal()
    discarded = Signal()  # a cancelled task's call returned; its outcome was dropped

    # Emitted from the pool thread; queued so the handlers run in the Task's (the GUI) thread.
    _outcome_ready = Signal()
    _progress = Signal(int, str)
    # Last of all, with the task itself: owners connect bound methods to it, not lambdas,
    # so no reference cycle runs through a C++ connection.
    _settled = Signal(object)

    def __init__(self, fn: Callable[..., Any], with_progress: bool,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        # The callable and its outcome live here, not in the pool thread's frames, so that the
        # last reference to them (a closure over a widget, an exception's traceback) is dropped
        # on the GUI thread: a widget whose wrapper dies on another thread is destroyed there.
        self._fn: Callable[..., Any] | None = fn
        self._with_progress = with_progress
        self._outcome: tuple[bool, object] | None = None
        self._cancelled = False
        self._done = False
        self._outcome_ready.connect(self._on_outcome_ready, Qt.ConnectionType.QueuedConnection)
        self._progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    @property
    def done(self) -> bool:
        return self._done

    def cancel(self) -> None:
        """Drop the outcome. A call already running is not interrupted (Python threads cannot
        be), but nothing it returns or reports reaches the GUI; one not yet started never runs."""
        self._cancelled = True

    def _execute(self, report: ProgressCallback) -> None:
        """On the pool thread."""
        fn = self._fn
        if fn is not None and not self._cancelled:
            try:
                self._outcome = (True, fn(report) if self._with_progress else fn())
            except Exception as exc:  # handed to the GUI thread as the task's failure
                self._outcome = (False, exc)
        del fn
        self._outcome_ready.emit()

    @Slot()
    def _on_outcome_ready(self) -> None:
        outcome, self._outcome, self._fn = self._outcome, None, None
        self._done = True
        if self._cancelled or outcome is None:
            self.discarded.emit()
        else:
            ok, value = outcome
            if ok:
                self.succeeded.emit(value)
            else:
                self.failed.emit(value)
            self.finished.emit()
        self._settled.emit(self)

    @Slot(int, str)
    def _on_progress(self, percent: int, text: str) -> None:
        if not self._cancelled and not self._done:
            self.progressed.emit(percent, text)


class _Job(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task

    def _report(self, percent: int, text: str = "") -> None:
        try:
            self._task._progress.emit(int(percent), text)
        except RuntimeError:  # the Task was deleted with its owner: nobody is listening
            pass

    def run(self) -> None:
        try:
            self._task._execute(self._report)
        except RuntimeError:
            log.debug("task owner deleted before its call returned")


class Worker(QObject):
    """A thread pool of its own (so an app can size it and wait for it on exit)."""

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 4) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        # Held until delivered: the pool thread's Python reference alone may go before the
        # queued outcome is handled.
        self._pending: set[Task] = set()

    def submit(self, fn: Callable[[], Any]) -> Task:
        """Run `fn()` on the pool; connect to the returned Task's signals."""
        return self._start(fn, with_progress=False)

    def submit_with_progress(self, fn: Callable[[ProgressCallback], Any]) -> Task:
        """Run `fn(report)`; `report(percent, text)` becomes the Task's `progressed` signal."""
        return self._start(fn, with_progress=True)

    def _start(self, fn: Callable[..., Any], *, with_progress: bool) -> Task:
        task = Task(fn, with_progress, self)
        self._pending.add(task)
        task._settled.connect(self._release)
        self._pool.start(_Job(task))
        return task

    @Slot(object)
    def _release(self, task: Task) -> None:
        # Do not keep a Task beyond its signals: only its Python attributes (`cancelled`,
        # `done`) outlive it.
        self._pending.discard(task)
        task.deleteLater()

    @property
    def pending(self) -> int:
        """Tasks whose outcome has not been delivered yet."""
        return len(self._pending)

    def shutdown(self, msecs: int = 5000) -> bool:
        """Cancel everything, drop queued jobs and wait for running ones (on app exit)."""
        for task in self._pending:
            task.cancel()
        self._pool.clear()
        return self._pool.waitForDone(msecs)


class LatestOnly(QObject):
    """Only the newest request's outcome is delivered; earlier ones are cancelled."""

    succeeded = Signal(object)
    failed = Signal(object)
    busy_changed = Signal(bool)

    def __init__(self, worker: Worker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker = worker
        self._current: Task | None = None

    @property
    def busy(self) -> bool:
        return self._current is not None

    def request(self, fn: Callable[[], Any]) -> Task:
        was_busy = self.busy
        if self._current is not None:
            self._current.cancel()
        task = self._worker.submit(fn)
        self._current = task
        task.succeeded.connect(self.succeeded)
        task.failed.connect(self.failed)
        task._settled.connect(self._on_task_settled)
        if not was_busy:
            self.busy_changed.emit(True)
        return task

    def cancel(self) -> None:
        """Drop the outstanding request, if any (the user cleared the search)."""
        if self._current is not None:
            self._current.cancel()
            self._current = None
            self.busy_changed.emit(False)

    @Slot(object)
    def _on_task_settled(self, task: Task) -> None:
        if task is self._current:
            self._current = None
            self.busy_changed.emit(False)
