"""Application bootstrap: Chinese translations installed, a CJK font found and made the app
font, and a clear error naming the Debian package when no font can draw Chinese."""

from __future__ import annotations

import gc
import logging
import weakref

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from common.qt.app import (
    CJK_FONT_PACKAGE,
    CJK_SAMPLE,
    GuiThreadCollector,
    UiDefaults,
    create_application,
    find_cjk_font,
    install_cjk_font,
)

# A private-use character: no font on any machine has a glyph for it.
NO_FONT_HAS_IT = "\U000f0000"


class TestCJKFont:
    def test_finds_wenquanyi(self) -> None:
        assert find_cjk_font() == "WenQuanYi Micro Hei"

    def test_skips_a_preferred_family_without_the_glyphs(self) -> None:
        # Noto Sans Mono is installed here but has no Chinese: the scan goes on to one that has.
        family = find_cjk_font(preferred=("Noto Sans Mono",))
        assert family is not None and family != "Noto Sans Mono"

    def test_the_app_font_draws_the_sample(self, ui: UiDefaults, qapp: QApplication) -> None:
        assert ui.font_family == "WenQuanYi Micro Hei"
        assert qapp.font().family() == "WenQuanYi Micro Hei"
        metrics = QFontMetrics(qapp.font())
        assert all(metrics.inFontUcs4(ord(ch)) for ch in CJK_SAMPLE)

    def test_required_and_missing_names_the_package(self, qapp: QApplication) -> None:
        with pytest.raises(RuntimeError, match=CJK_FONT_PACKAGE):
            install_cjk_font(qapp, required=True, sample=NO_FONT_HAS_IT)

    def test_optional_and_missing_logs_and_keeps_the_font(
            self, qapp: QApplication, caplog: pytest.LogCaptureFixture) -> None:
        before = qapp.font().family()
        with caplog.at_level(logging.ERROR, logger="common.qt.app"):
            assert install_cjk_font(qapp, sample=NO_FONT_HAS_IT) is None
        assert CJK_FONT_PACKAGE in caplog.text
        assert qapp.font().family() == before


class TestTranslations:
    def test_catalogues_loaded(self, ui: UiDefaults) -> None:
        names = [path.rsplit("/", 1)[-1] for path in ui.catalogues]
        assert names == ["qtbase_zh_CN.qm", "rxp_common_zh_CN.qm"]
        assert ui.locale == "zh_CN"
        assert QLocale().name() == "zh_CN"

    def test_our_strings_and_qts_come_out_chinese(self, ui: UiDefaults) -> None:
        assert QCoreApplication.translate("LoginDialog", "Log in") == "登录"
        assert QCoreApplication.translate("PassLevel", "Not checked") == "未审查"
        assert QCoreApplication.translate("PatientBanner", "%n years", None, 45) == "45岁"
        assert QCoreApplication.translate("QPlatformTheme", "OK") == "确定"


def test_create_application_reuses_the_running_one(qapp: QApplication) -> None:
    app, defaults = create_application("rxp-test", [], gui_thread_gc=False)
    assert app is qapp
    assert app.applicationName() == "rxp-test"
    assert defaults.font_family == "WenQuanYi Micro Hei"
    # Each call installs translators again; they stack harmlessly but are parented to the app.
    assert QCoreApplication.translate("LoginDialog", "Cancel") == "取消"


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_garbage_is_collected_on_the_gui_thread_timer(qtbot: QtBot) -> None:
    collector = GuiThreadCollector(interval_ms=10)
    collector.start()
    try:
        assert not gc.isenabled()
        first, second = Node(), Node()
        first.other, second.other = second, first
        gone = weakref.ref(first)
        del first, second
        # Enough live new objects to pass the youngest generation's threshold.
        allocated: list[list[int]] = [[] for _ in range(gc.get_threshold()[0] * 2)]
        qtbot.waitUntil(lambda: gone() is None)
        del allocated
    finally:
        collector.stop()
    assert gc.isenabled()
