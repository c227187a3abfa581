"""The review workstation's main window: duty toggle, the live queue beside the review screen,
my reviews, and (senior pharmacists) the hospital queue and spot checks. Keyboard shortcuts for
the frequent actions are shown on the buttons and in the toolbar."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from client_pharmacist.queue import EventEffect, QueueModel, effect_of, event_task_id
from client_pharmacist.ui.history_view import HistoryView
from client_pharmacist.ui.queue_view import QueueView
from client_pharmacist.ui.review_panel import ANNOTATE_KEY, APPROVE_KEY, REJECT_KEY, ReviewPanel
from client_pharmacist.ui.senior_view import SeniorView
from client_pharmacist.ui.services import SENIOR_LEVELS, AppServices, LiveBridge, failure_text
from common.api.models import (
    Duty,
    DutyState,
    HistoryPage,
    LiveEvent,
    Pharmacist,
    QueuePage,
    ReviewStats,
    ReviewTask,
)
from common.events import RESYNC
from common.offline.monitor import Connectivity
from common.qt.widgets import OfflineBanner
from common.qt.widgets.offline_banner import elapsed_text
from common.qt.worker import LatestOnly

REFRESH_KEY = "F5"
NEXT_KEY = "Ctrl+N"


class ReviewOfflineBanner(OfflineBanner):
    """The shared banner, in the review app's words: nothing the pharmacist decides is kept
    for later (the shared wording promises that work is kept and sent afterwards)."""

    def refresh(self) -> None:
        if self.since is None:
            return
        now = self._clock()
        self.message.setText(self.tr(
            "Offline since %1 (%2). The queue shown may be out of date. Decisions are signed "
            "against the server's prescription and are NOT queued offline: approve or reject "
            "when the connection is back.")
            .replace("%1", f"{self.since.astimezone():%H:%M}")
            .replace("%2", elapsed_text(now - self.since)))


class MainWindow(QMainWindow):
    def __init__(self, services: AppServices, bridge: LiveBridge,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.queue = QueueModel(services.clock)
        self.on_duty: bool | None = None
        self.senior = False
        self.level_known = False  # the pharmacists list answered: senior or not is settled
        self.senior_view: SeniorView | None = None
        self.setWindowTitle(self.tr("Prescription review · %1").replace("%1", services.me.name))
        self.resize(1360, 860)

        # Every live event reads the queue (and the history) again; only the newest read is
        # shown, so an earlier one answering last cannot bring back a task decided since.
        self._queue_reads = LatestOnly(services.worker, self)
        self._queue_reads.succeeded.connect(self._on_queue_loaded)
        self._queue_reads.failed.connect(self._on_failed)
        self._history_reads = LatestOnly(services.worker, self)
        self._history_reads.succeeded.connect(self._on_history_loaded)
        self._history_reads.failed.connect(self._on_failed)
        self.queue_view = QueueView(clock=services.clock)
        self.queue_view.task_chosen.connect(self.open_task)
        self.review = ReviewPanel(services)
        self.review.decided.connect(self._on_review_decided)
        self.review.task_gone.connect(self._on_review_task_gone)
        self.review.message.connect(self.show_message)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.queue_view)
        split.addWidget(self.review)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 5)
        split.setSizes([500, 860])
        self.history = HistoryView()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.addTab(split, self.tr("Review"))
        self.tabs.addTab(self.history, self.tr("My reviews"))
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)

        self.offline_banner = ReviewOfflineBanner(clock=services.clock)
        central = QWidget()
        box = QVBoxLayout(central)
        box.setContentsMargins(4, 4, 4, 4)
        box.addWidget(self.offline_banner)
        box.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.duty_action = QAction(self.tr("On duty"), self)
        self.duty_action.setObjectName("duty")
        self.duty_action.setCheckable(True)
        self.duty_action.triggered.connect(self._on_duty_action_triggered)
        self.refresh_action = self._action(self.tr("Refresh"), REFRESH_KEY, self.refresh)
        self.next_action = self._action(self.tr("Next task"), NEXT_KEY, self.open_next)
        self.approve_action = self._action(self.tr("Approve"), APPROVE_KEY, self.review.approve)
        self.reject_action = self._action(self.tr("Reject"), REJECT_KEY, self.review.reject)
        self.annotate_action = self._action(self.tr("Annotate"), ANNOTATE_KEY,
                                            self._focus_annotation)
        toolbar = QToolBar(self.tr("Review"))
        toolbar.setObjectName("toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.duty_action, self.refresh_action, self.next_action):
            toolbar.addAction(action)
        self.user_label = QLabel(services.me.name)
        self.user_label.setObjectName("user")
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addWidget(self.user_label)
        self.addToolBar(toolbar)

        self.connection = QLabel(self.tr("Online"))
        self.connection.setObjectName("connection")
        self.statusBar().addPermanentWidget(self.connection)
        self.statusBar().addPermanentWidget(QLabel(self.tr(
            "%1 approve · %2 reject · %3 next · %4 refresh · %5 annotate")
            .replace("%1", APPROVE_KEY).replace("%2", REJECT_KEY).replace("%3", NEXT_KEY)
            .replace("%4", REFRESH_KEY).replace("%5", ANNOTATE_KEY)))
        bridge.event_received.connect(self._on_bridge_event_received)
        bridge.connectivity_changed.connect(self._on_bridge_connectivity_changed)
        bridge.stream_changed.connect(self._on_bridge_stream_changed)

    def _action(self, text: str, key: str, slot: object) -> QAction:
        action = QAction(f"{text} ({key})", self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    # -- start-up and refreshing ----------------------------------------------------------------

    def start(self) -> None:
        """Read everything once; afterwards the live events keep the queue current."""
        api = self.services.api
        self.services.run(api.duty_state, self._on_duty_loaded, self._on_failed)
        self.services.run(api.rejection_reasons, self.review.set_reasons, self._on_failed)
        self.services.run(api.review_pharmacists, self._on_pharmacists_loaded, self._on_failed)
        self.refresh()

    def refresh(self) -> None:
        self.refresh_queue()
        self.refresh_history()
        if self.senior_view is not None:
            self.senior_view.refresh()
        if self.review.task_id is not None and not self.review.busy:
            self.review.open_task(self.review.task_id)

    def refresh_queue(self) -> None:
        api = self.services.api
        self._queue_reads.request(lambda: api.review_queue(limit=200))

    def _on_queue_loaded(self, page: QueuePage) -> None:
        self.queue.replace(page.items, page.total)
        self.queue_view.set_rows(self.queue.rows)
        if self.review.task_id is not None:
            self.queue_view.table.select(self.review.task_id)

    def refresh_history(self) -> None:
        api, me = self.services.api, self.services.me.id
        self._history_reads.request(lambda: (api.review_history(limit=100),
                                             api.review_stats(pharmacist_id=me)))

    def _on_history_loaded(self, loaded: tuple[HistoryPage, ReviewStats]) -> None:
        page, stats = loaded
        self.history.set_history(page.items, page.total)
        self.history.set_stats(stats)

    def _on_pharmacists_loaded(self, pharmacists: list[Pharmacist]) -> None:
        me = next((p for p in pharmacists if p.id == self.services.me.id), None)
        senior = me is not None and me.pharmacist_level in SENIOR_LEVELS
        self.level_known = True
        if senior and self.senior_view is None:
            self.senior = self.services.senior = True
            view = SeniorView(self.services)
            view.task_chosen.connect(self._on_senior_task_chosen)
            view.message.connect(self.show_message)
            self.senior_view = view
            self.tabs.addTab(view, self.tr("Spot checks and reassignment"))
            view.refresh()

    def _on_failed(self, exc: BaseException) -> None:
        self.show_message(failure_text(exc))

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 15_000)

    # -- duty -------------------------------------------------------------------------------------

    def _on_duty_loaded(self, state: DutyState) -> None:
        self._show_duty(state.on_duty)

    def _show_duty(self, on: bool, moved: int | None = None) -> None:
        self.on_duty = on
        self.duty_action.setChecked(on)
        self.duty_action.setText(self.tr("On duty") if on else self.tr("Off duty"))
        if on:
            self.queue_view.set_duty_note("")
        elif moved is None:
            self.queue_view.set_duty_note(self.tr(
                "You are off duty: no new tasks are assigned to you."))
        else:
            self.queue_view.set_duty_note(self.tr(
                "You are off duty: %n open task(s) were handed back for reassignment. No new "
                "tasks are assigned to you.", None, moved))

    def set_duty(self, on: bool) -> None:
        api = self.services.api
        self.duty_action.setEnabled(False)
        self.services.run(lambda: api.set_duty(on), self._on_duty_set, self._on_duty_failed)

    def _on_duty_action_triggered(self, checked: bool) -> None:
        self.set_duty(checked)

    def _on_duty_set(self, duty: Duty) -> None:
        self.duty_action.setEnabled(True)
        self._show_duty(duty.on_duty, duty.tasks_moved)
        self.show_message(self.tr("On duty: tasks will be assigned to you.") if duty.on_duty
                          else self.tr("Off duty: %n task(s) handed back.", None,
                                       duty.tasks_moved))
        if not duty.on_duty and self.review.task_id and self.queue.find(self.review.task_id):
            self.review.clear()
        self.refresh_queue()

    def _on_duty_failed(self, exc: BaseException) -> None:
        self.duty_action.setEnabled(True)
        self.duty_action.setChecked(bool(self.on_duty))
        self.show_message(failure_text(exc))

    # -- tasks ------------------------------------------------------------------------------------

    def open_task(self, task_id: uuid.UUID) -> None:
        self.tabs.setCurrentIndex(0)
        self.queue_view.table.select(task_id)
        self.review.open_task(task_id)

    def open_next(self) -> None:
        following = self.queue.next_after(self.review.task_id)
        if following is None:
            self.show_message(self.tr("No other task is waiting."))
            return
        self.open_task(following.task_id)

    def _focus_annotation(self) -> None:
        if self.review.view is not None:
            self.review.annotation_text.setFocus()

    def _on_senior_task_chosen(self, task_id: uuid.UUID) -> None:
        self.open_task(task_id)

    def _on_review_decided(self, task: ReviewTask) -> None:
        self.queue.remove(task.id)
        self.queue_view.set_rows(self.queue.rows)
        self.refresh_queue()
        self.refresh_history()
        if self.senior_view is not None:
            self.senior_view.refresh()

    def _on_review_task_gone(self, task_id: uuid.UUID) -> None:
        self.queue.remove(task_id)
        self.queue_view.set_rows(self.queue.rows)
        self.refresh_queue()
        if self.senior_view is not None:
            self.senior_view.refresh_open_tasks()

    def _on_tabs_current_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.history:
            self.refresh_history()

    # -- background news --------------------------------------------------------------------------

    def _on_bridge_event_received(self, event: LiveEvent) -> None:
        effect = effect_of(event)
        if effect is EventEffect.IGNORE:
            return
        task_id = event_task_id(event)
        if effect is EventEffect.REMOVE and task_id is not None:
            self.queue.remove(task_id)
            self.queue_view.set_rows(self.queue.rows)
            if task_id == self.review.task_id and not self.review.busy and (
                    event.type != "review.task_decided"
                    or event.payload.get("decided_by_id") != str(self.services.me.id)):
                self.review.open_task(task_id)  # show it as it is now (no longer open)
        if event.type == RESYNC and self.review.task_id is not None and not self.review.busy:
            self.review.open_task(self.review.task_id)  # what was missed may have changed it
        self.refresh_queue()
        if self.senior_view is not None:
            self.senior_view.refresh_open_tasks()

    def _on_bridge_stream_changed(self, connected: bool) -> None:
        # The stream starts with the events published from its (re)connection on: read the
        # queue again so that nothing assigned just before is missed.
        if connected:
            self.refresh_queue()

    def _on_bridge_connectivity_changed(self, state: Connectivity) -> None:
        self.connection.setText(state.label())
        self.review.set_online(state.online)
        if state.online:
            self.offline_banner.set_online()
            self.refresh()
        else:
            self.offline_banner.set_offline(state.since)
