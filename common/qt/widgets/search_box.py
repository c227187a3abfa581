"""Search as you type (drug names, pinyin initials like `amxl` for 阿莫西林, codes, patients) with
a results popup under the input.

The search callable runs on the worker, latest request only, after a short pause in typing.
Keys stay in the input: Down/Up move through the results, Enter chooses, Escape closes the popup
(and, with it closed, is left to the window). A click chooses too. `chosen` carries the item.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from common.qt.failures import describe_failure
from common.qt.worker import LatestOnly, Worker

POPUP_ROWS = 8


@dataclass
class ResultCursor:
    """Which result is highlighted: the popup's keyboard logic, without Qt."""

    items: Sequence[Any] = field(default_factory=tuple)
    index: int = -1  # -1: none (no results)

    def reset(self, items: Sequence[Any]) -> None:
        self.items = items
        self.index = 0 if items else -1

    def move(self, step: int) -> None:
        """Wraps around: Up on the first result goes to the last."""
        if self.items:
            self.index = (self.index + step) % len(self.items)

    @property
    def current(self) -> Any:
        return self.items[self.index] if self.index >= 0 else None


class SearchPopup(QListWidget):
    """A frameless list under the input that never takes the keyboard focus from it.

    A tool-tip window, because no platform activates one: the input keeps the focus (and the
    input method, for Chinese typed through pinyin), so the keys need no forwarding. A Qt.Popup
    (QCompleter's way) grabs the keyboard; a Tool window with WindowDoesNotAcceptFocus is still
    activated by some platforms (the offscreen one of the tests among them).
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowFlags(Qt.WindowType.ToolTip | Qt.WindowType.FramelessWindowHint)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setUniformItemSizes(True)


class SearchBox(QWidget):
    chosen = Signal(object)

    def __init__(self, search: Callable[[str], Sequence[Any]], *,
                 display: Callable[[Any], str] = str, worker: Worker | None = None,
                 min_chars: int = 1, delay_ms: int = 150, clear_on_choose: bool = True,
                 placeholder: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._search = search
        self._display = display
        self._min_chars = min_chars
        self._clear_on_choose = clear_on_choose
        self.results = ResultCursor()
        self.line_edit = QLineEdit()
        self.line_edit.setObjectName("query")
        self.line_edit.setPlaceholderText(
            placeholder or self.tr("Name, pinyin initials or code"))
        self.line_edit.setClearButtonEnabled(True)
        self.line_edit.installEventFilter(self)
        self.line_edit.textEdited.connect(self._on_line_edit_text_edited)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line_edit)
        self.popup = SearchPopup(self)
        self.popup.itemClicked.connect(self._on_popup_item_clicked)
        self._latest = LatestOnly(worker if worker is not None else Worker(self), self)
        self._latest.succeeded.connect(self._on_latest_succeeded)
        self._latest.failed.connect(self._on_latest_failed)
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(delay_ms)
        self._pause.timeout.connect(self._start_search)
        self._query = ""

    @property
    def searching(self) -> bool:
        return self._latest.busy or self._pause.isActive()

    def _on_line_edit_text_edited(self, _text: str) -> None:
        self._pause.start()

    def _start_search(self) -> None:
        query = self.line_edit.text().strip()
        if len(query) < self._min_chars:
            self._latest.cancel()
            self.hide_popup()
            return
        self._query = query
        search = self._search  # not `self`: the closure outlives the call on the pool thread
        self._latest.request(lambda: search(query))

    def _on_latest_succeeded(self, items: Sequence[Any]) -> None:
        items = list(items)
        self.results.reset(items)
        self.popup.clear()
        if not items:
            self._show_note(self.tr("No match for “%1”").replace("%1", self._query))
            return
        for item in items:
            self.popup.addItem(QListWidgetItem(self._display(item)))
        self._sync_highlight()
        self._show_popup()

    def _on_latest_failed(self, exc: BaseException) -> None:
        self.results.reset(())
        self.popup.clear()
        self._show_note(self.tr("Search failed: %1").replace("%1", describe_failure(exc).message))

    def _show_note(self, text: str) -> None:
        note = QListWidgetItem(text)
        note.setFlags(Qt.ItemFlag.NoItemFlags)  # a message, not a choice
        self.popup.addItem(note)
        self._show_popup()

    def _show_popup(self) -> None:
        rows = min(max(self.popup.count(), 1), POPUP_ROWS)
        height = self.popup.sizeHintForRow(0) * rows + 2 * self.popup.frameWidth() + 2
        self.popup.setFixedSize(max(self.line_edit.width(), 320), height)
        self.popup.move(self.line_edit.mapToGlobal(QPoint(0, self.line_edit.height())))
        self.popup.show()

    def hide_popup(self) -> None:
        self.popup.hide()

    def _sync_highlight(self) -> None:
        if self.results.index >= 0:
            self.popup.setCurrentRow(self.results.index)
            self.popup.scrollToItem(self.popup.item(self.results.index))

    def _on_popup_item_clicked(self, item: QListWidgetItem) -> None:
        row = self.popup.row(item)
        if 0 <= row < len(self.results.items):
            self.results.index = row
            self.choose()

    def choose(self) -> None:
        """Choose the highlighted result (Enter)."""
        item = self.results.current
        if item is None:
            return
        self.hide_popup()
        self.results.reset(())
        if self._clear_on_choose:
            self.line_edit.clear()
        else:
            self.line_edit.setText(self._display(item))
        self.chosen.emit(item)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.line_edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self._key(event.key())
        if watched is self.line_edit and event.type() == QEvent.Type.FocusOut:
            self.hide_popup()
        return super().eventFilter(watched, event)

    def _key(self, key: int) -> bool:
        """True when the key was the popup's."""
        if not self.popup.isVisible():
            if key == Qt.Key.Key_Down and self.results.items:
                self._show_popup()  # bring back the last results
                return True
            return False
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self.results.move(1 if key == Qt.Key.Key_Down else -1)
            self._sync_highlight()
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # The results shown are for older text while a search is pending: never choose
            # from them (a doctor typing fast would get the previous query's first drug).
            if not self.searching:
                self.choose()
            return True
        if key == Qt.Key.Key_Escape:
            self.hide_popup()
            return True
        return False
