"""The kiosk's translation files are current: every source string of the kiosk is in the .ts
and translated, and the .qm is the compiled .ts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QTranslator

from kiosk.texts import CATALOGUE, I18N_DIR, Message

BIN = Path(sys.executable).parent
TS = I18N_DIR / f"{CATALOGUE}_zh_CN.ts"
QM = I18N_DIR / f"{CATALOGUE}_zh_CN.qm"
SOURCES = I18N_DIR.parent


def test_ts_covers_the_sources_and_is_all_translated(tmp_path: Path) -> None:
    copy = tmp_path / TS.name
    shutil.copy(TS, copy)
    subprocess.run([BIN / "pyside6-lupdate", "-silent", "-locations", "none", "-no-obsolete",
                    "-extensions", "py", str(SOURCES), "-ts", str(copy)],
                   check=True, capture_output=True)
    regenerated = copy.read_text(encoding="utf-8")
    assert 'type="unfinished"' not in regenerated, "untranslated strings: see i18n/README.md"
    assert "<name></name>" not in regenerated, "a text without a context: use QT_TRANSLATE_NOOP"
    assert regenerated == TS.read_text(encoding="utf-8"), "run lupdate: see i18n/README.md"


def test_qm_is_the_compiled_ts(tmp_path: Path) -> None:
    compiled = tmp_path / QM.name
    subprocess.run([BIN / "pyside6-lrelease", "-silent", str(TS), "-qm", str(compiled)],
                   check=True, capture_output=True)
    assert compiled.read_bytes() == QM.read_bytes(), "run lrelease: see i18n/README.md"


def test_the_flow_s_messages_translate_with_their_placeholders() -> None:
    translator = QTranslator()
    assert translator.load(str(QM))

    def translate(context: str, source: str) -> str:
        return translator.translate(context, source) or source

    message = Message("This prescription is %1: no pharmacy can be chosen yet", ("待审核",))
    assert message.text(translate) == "处方待审核，暂不能选择取药方式"
    assert Message("读卡器未连接").text(translate) == "读卡器未连接"  # a device's own words
    assert translate("KioskReceipt", "Pickup code: %1") == "取药码：%1"
