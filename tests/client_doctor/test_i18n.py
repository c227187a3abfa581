"""The doctor app's translation files are current: every source string of client_doctor is
in the .ts and translated, and the .qm is the compiled .ts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QTranslator

from client_doctor.app import CATALOGUE, I18N_DIR

BIN = Path(sys.executable).parent
TS = I18N_DIR / f"{CATALOGUE}_zh_CN.ts"
QM = I18N_DIR / f"{CATALOGUE}_zh_CN.qm"


def test_ts_covers_the_sources_and_is_all_translated(tmp_path: Path) -> None:
    copy = tmp_path / TS.name
    shutil.copy(TS, copy)
    subprocess.run([BIN / "pyside6-lupdate", "-silent", "-locations", "none", "-no-obsolete",
                    "-extensions", "py", str(I18N_DIR.parent), "-ts", str(copy)],
                   check=True, capture_output=True)
    regenerated = copy.read_text(encoding="utf-8")
    assert 'type="unfinished"' not in regenerated, "untranslated strings: see i18n/README.md"
    assert regenerated == TS.read_text(encoding="utf-8"), "run lupdate: see i18n/README.md"


def test_qm_is_the_compiled_ts(tmp_path: Path) -> None:
    compiled = tmp_path / QM.name
    subprocess.run([BIN / "pyside6-lrelease", "-silent", str(TS), "-qm", str(compiled)],
                   check=True, capture_output=True)
    assert compiled.read_bytes() == QM.read_bytes(), "run lrelease: see i18n/README.md"


def test_qm_translates() -> None:
    translator = QTranslator()
    assert translator.load(str(QM))
    assert translator.translate("EditorView", "Sign and submit (F9)") == "签名提交（F9）"
    assert translator.translate("MainWindow", "%n waiting to be sent", None, 2) == "%n 项待发送"
