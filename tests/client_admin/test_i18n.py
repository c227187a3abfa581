"""The app's translation files are current: every source string of client_admin is in the
.ts and translated, and the .qm is the compiled .ts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QTranslator

from client_admin.app import CATALOGUE, I18N_DIR

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
    assert regenerated == TS.read_text(encoding="utf-8"), "run lupdate: see i18n/README.md"


def test_qm_is_the_compiled_ts(tmp_path: Path) -> None:
    compiled = tmp_path / QM.name
    subprocess.run([BIN / "pyside6-lrelease", "-silent", str(TS), "-qm", str(compiled)],
                   check=True, capture_output=True)
    assert compiled.read_bytes() == QM.read_bytes(), "run lrelease: see i18n/README.md"


def test_qm_translates_plurals_and_placeholders() -> None:
    translator = QTranslator()
    assert translator.load(str(QM))
    assert translator.translate("AuditView", "Verify the audit chain") == "校验审计链"
    assert translator.translate("KnowledgeView", "Nothing was imported: %n row(s) need fixing.",
                                None, 2) == "未导入任何数据：有 %n 处需要修改。"
