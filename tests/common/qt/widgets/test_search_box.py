"""Search as you type: the search runs on the worker, the newest query's results show in the
popup, and the keyboard picks one."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from common.qt.widgets.search_box import ResultCursor, SearchBox
from common.qt.worker import Worker
from tests.common.qt.screenshots import save_screenshot


@dataclass(frozen=True)
class Product:
    name: str
    initials: str
    spec: str


CATALOGUE = [
    Product("阿莫西林胶囊", "amxljn", "0.25g×24粒"),
    Product("阿莫西林克拉维酸钾片", "amxlklwsjp", "0.375g×12片"),
    Product("阿司匹林肠溶片", "asplcrp", "100mg×30片"),
    Product("氨氯地平片", "aldpp", "5mg×7片"),
]


def search_catalogue(query: str) -> list[Product]:
    return [p for p in CATALOGUE if p.initials.startswith(query) or query in p.name]


def show(name: str) -> str:
    return name


def line(product: Product) -> str:
    return f"{product.name}  {product.spec}"


def open_box(qtbot: QtBot, box: SearchBox) -> None:
    qtbot.addWidget(box)
    box.resize(360, box.sizeHint().height())
    box.show()
    qtbot.waitExposed(box)
    box.activateWindow()
    box.line_edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is box.line_edit)


def test_type_down_enter_chooses(qtbot: QtBot, worker: Worker) -> None:
    box = SearchBox(search_catalogue, display=line, worker=worker, delay_ms=20)
    open_box(qtbot, box)
    assert box.line_edit.placeholderText() == "名称、拼音首字母或编码"
    qtbot.keyClicks(box.line_edit, "amxl")
    qtbot.waitUntil(lambda: box.popup.isVisible() and not box.searching)
    assert [box.popup.item(i).text() for i in range(box.popup.count())] == [
        "阿莫西林胶囊  0.25g×24粒", "阿莫西林克拉维酸钾片  0.375g×12片"]
    assert box.popup.currentRow() == 0
    assert QApplication.focusWidget() is box.line_edit, "the popup must not take the keys"
    save_screenshot("search_box", box, box.popup)

    qtbot.keyClick(box.line_edit, Qt.Key.Key_Down)
    assert box.popup.currentRow() == 1
    qtbot.keyClick(box.line_edit, Qt.Key.Key_Down)  # wraps to the first
    qtbot.keyClick(box.line_edit, Qt.Key.Key_Up)  # and back to the last
    assert box.popup.currentRow() == 1
    with qtbot.waitSignal(box.chosen) as chosen:
        qtbot.keyClick(box.line_edit, Qt.Key.Key_Return)
    assert chosen.args == [CATALOGUE[1]]
    assert not box.popup.isVisible()
    assert box.line_edit.text() == ""  # ready for the next line of the prescription


def test_escape_closes_and_down_brings_back(qtbot: QtBot, worker: Worker) -> None:
    box = SearchBox(search_catalogue, worker=worker, display=line, delay_ms=20)
    open_box(qtbot, box)
    qtbot.keyClicks(box.line_edit, "as")
    qtbot.waitUntil(lambda: box.popup.isVisible() and not box.searching)
    qtbot.keyClick(box.line_edit, Qt.Key.Key_Escape)
    assert not box.popup.isVisible()
    assert box.line_edit.text() == "as"
    qtbot.keyClick(box.line_edit, Qt.Key.Key_Down)
    assert box.popup.isVisible() and box.popup.count() == 1


def test_click_chooses(qtbot: QtBot, worker: Worker) -> None:
    box = SearchBox(search_catalogue, worker=worker, display=line, delay_ms=20,
                    clear_on_choose=False)
    open_box(qtbot, box)
    qtbot.keyClicks(box.line_edit, "ald")
    qtbot.waitUntil(lambda: box.popup.isVisible() and not box.searching)
    item = box.popup.item(0)
    with qtbot.waitSignal(box.chosen) as chosen:
        qtbot.mouseClick(box.popup.viewport(), Qt.MouseButton.LeftButton,
                         pos=box.popup.visualItemRect(item).center())
    assert chosen.args == [CATALOGUE[3]]
    assert box.line_edit.text() == "氨氯地平片  5mg×7片"


def test_an_older_slower_answer_never_shows(qtbot: QtBot, worker: Worker) -> None:
    slow_started, release_slow = threading.Event(), threading.Event()

    def search(query: str) -> list[str]:
        if query == "a":
            slow_started.set()
            release_slow.wait(5)
            return ["stale: 阿卡波糖片"]
        return [f"{query}: 阿莫西林胶囊"]

    box = SearchBox(search, worker=worker, delay_ms=20)
    open_box(qtbot, box)
    qtbot.keyClicks(box.line_edit, "a")
    qtbot.waitUntil(slow_started.is_set)
    qtbot.keyClicks(box.line_edit, "m")
    qtbot.waitUntil(lambda: box.popup.isVisible() and box.popup.count() == 1)
    assert box.popup.item(0).text() == "am: 阿莫西林胶囊"
    release_slow.set()
    qtbot.waitUntil(lambda: worker.pending == 0)
    assert box.popup.item(0).text() == "am: 阿莫西林胶囊"


def test_enter_waits_for_the_current_query(qtbot: QtBot, worker: Worker) -> None:
    box = SearchBox(search_catalogue, worker=worker, display=line, delay_ms=20)
    open_box(qtbot, box)
    qtbot.keyClicks(box.line_edit, "am")
    qtbot.waitUntil(lambda: box.popup.isVisible() and not box.searching)
    qtbot.keyClicks(box.line_edit, "xljn")  # results on screen are still those for "am"
    with qtbot.assertNotEmitted(box.chosen):
        qtbot.keyClick(box.line_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not box.searching and box.popup.count() == 1)
    with qtbot.waitSignal(box.chosen) as chosen:
        qtbot.keyClick(box.line_edit, Qt.Key.Key_Return)
    assert chosen.args == [CATALOGUE[0]]


def test_no_match_and_failure_are_notes_not_choices(qtbot: QtBot, worker: Worker) -> None:
    def search(query: str) -> list[str]:
        if query == "err":
            raise ConnectionResetError(104, "reset")
        return []

    box = SearchBox(search, worker=worker, delay_ms=20)
    open_box(qtbot, box)
    qtbot.keyClicks(box.line_edit, "zzz")
    qtbot.waitUntil(lambda: box.popup.isVisible() and not box.searching)
    assert box.popup.item(0).text() == "没有与“zzz”匹配的结果"
    with qtbot.assertNotEmitted(box.chosen):
        qtbot.keyClick(box.line_edit, Qt.Key.Key_Return)
    box.line_edit.clear()
    qtbot.keyClicks(box.line_edit, "err")
    qtbot.waitUntil(lambda: not box.searching and box.popup.item(0).text().startswith("搜索失败"))
    assert box.popup.item(0).text() == "搜索失败：无法连接服务器，请检查网络后重试。"


def test_result_cursor() -> None:
    cursor = ResultCursor()
    cursor.move(1)
    assert cursor.current is None
    cursor.reset(["a", "b", "c"])
    assert cursor.current == "a"
    cursor.move(-1)
    assert cursor.current == "c"
    cursor.move(2)
    assert cursor.current == "b"
