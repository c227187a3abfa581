"""Application bootstrap every desktop app and the kiosk share: the QApplication with Chinese UI
defaults, the translations, and a font that has Chinese glyphs.

Source strings are English and go through Qt's translation system (`self.tr`,
`QCoreApplication.translate`); the Chinese UI is the `zh_CN` catalogue in `common/qt/i18n/`, so an
English build is the same code without it. Each app adds its own catalogue next to ours.

Without a CJK font Qt draws every Chinese character as an empty box, and nothing fails: the
check here makes that a loud error (or a logged warning) naming the Debian package to install.
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QRawFont
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

I18N_DIR = Path(__file__).resolve().parent / "i18n"
# The shared widgets' catalogue: i18n/rxp_common_<locale>.qm
COMMON_CATALOGUE = "rxp_common"
UI_LOCALE = "zh_CN"

# The characters the check asks for: the platform's own name, so "found" means it renders.
CJK_SAMPLE = "处方流转"
CJK_FONT_PACKAGE = "fonts-wqy-microhei"
# Tried first, in this order: the Debian font the installers ship, then what Windows and other
# Linux installs usually have. Any other family with the glyphs is accepted after these.
PREFERRED_CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
)
UI_POINT_SIZE = 10


class MissingCJKFont(RuntimeError):
    """No installed font can draw Chinese: the UI would be empty boxes."""

    def __init__(self, sample: str = CJK_SAMPLE) -> None:
        super().__init__(
            f"No installed font has glyphs for {sample!r}; Chinese text would show as empty "
            f"boxes. Install a CJK font, on Debian/Ubuntu: apt-get install {CJK_FONT_PACKAGE}")


@dataclass(frozen=True)
class UiDefaults:
    """What `configure_application` set up, for the app's log and its tests."""

    locale: str
    font_family: str | None
    catalogues: tuple[str, ...]  # the .qm files that loaded


def _family_draws(family: str, sample: str) -> bool:
    # QFontMetrics.inFont answers for the font plus its fallbacks (a Latin font "has" 处 because
    # another font would draw it); a raw font is the one file the family resolved to.
    raw = QRawFont.fromFont(QFont(family))
    if not raw.isValid() or raw.familyName().casefold() != family.casefold():
        return False
    # The code point overload: the one-character one misreads some CJK (转 U+8F6C).
    return all(raw.supportsCharacter(ord(ch)) for ch in sample)


def find_cjk_font(sample: str = CJK_SAMPLE,
                  preferred: Sequence[str] = PREFERRED_CJK_FAMILIES) -> str | None:
    """The family of an installed font with glyphs for every character of `sample`, or None."""
    installed = QFontDatabase.families()
    by_name = {name.casefold(): name for name in installed}
    for wanted in preferred:
        family = by_name.get(wanted.casefold())
        if family and _family_draws(family, sample):
            return family
    chinese = set(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))
    for family in installed:
        if family in chinese and _family_draws(family, sample):
            return family
    return None


def install_cjk_font(app: QApplication, *, required: bool = False,
                     point_size: int = UI_POINT_SIZE, sample: str = CJK_SAMPLE) -> str | None:
    """Make a CJK font the application font; returns its family.

    With none installed: raises `MissingCJKFont` when `required` (the kiosk, whose screen nobody
    at a desk would notice), otherwise logs the same message as an error and carries on.
    """
    family = find_cjk_font(sample)
    if family is None:
        if required:
            raise MissingCJKFont(sample)
        log.error("%s", MissingCJKFont(sample))
        return None
    font = QFont(family, point_size)
    app.setFont(font)
    return family


def install_translations(app: QCoreApplication, locale: QLocale,
                         catalogues: Iterable[tuple[str, Path]]) -> list[str]:
    """Load each `(name, folder)` catalogue as `folder/name_<locale>.qm` and install it.

    Returns the files that loaded; a missing one is logged, not fatal (the UI falls back to the
    English source strings). The translators are parented to the app so they live as long as it.
    """
    loaded = []
    for name, folder in catalogues:
        translator = QTranslator(app)
        if translator.load(locale, name, "_", str(folder), ".qm"):
            app.installTranslator(translator)
            loaded.append(translator.filePath())
        else:
            log.warning("no %s translation %s in %s", locale.name(), name, folder)
            translator.deleteLater()
    return loaded


def qt_catalogues() -> list[tuple[str, Path]]:
    """Qt's own translations (standard buttons, file dialogs, context menus)."""
    return [("qtbase", Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)))]


def configure_application(app: QApplication, *, locale: str = UI_LOCALE,
                          catalogues: Iterable[tuple[str, Path]] = (),
                          require_cjk_font: bool = False) -> UiDefaults:
    """Chinese UI defaults on an existing QApplication: locale, translations, CJK font.

    `catalogues` are the app's own `(name, folder)` translation catalogues, loaded after Qt's
    and the shared widgets' so the app's wording wins where both translate the same text.
    """
    qlocale = QLocale(locale)
    QLocale.setDefault(qlocale)
    loaded = install_translations(
        app, qlocale, [*qt_catalogues(), (COMMON_CATALOGUE, I18N_DIR), *catalogues])
    family = install_cjk_font(app, required=require_cjk_font)
    return UiDefaults(locale=qlocale.name(), font_family=family, catalogues=tuple(loaded))


class GuiThreadCollector(QObject):
    """Runs Python's cyclic garbage collection on the GUI thread only.

    The collector otherwise runs in whichever thread happens to allocate, a worker thread
    included; a cycle that holds a Qt object then destroys that object on the wrong thread,
    which crashes at random later (pyqtgraph's GarbageCollector does the same for this reason).
    """

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self._threshold = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()

    def check(self) -> None:
        """Collect the generations whose counts passed the interpreter's thresholds."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._threshold[generation]:
                gc.collect(generation)
                return


def create_application(app_name: str, argv: Sequence[str] | None = None, *,
                       locale: str = UI_LOCALE,
                       catalogues: Iterable[tuple[str, Path]] = (),
                       require_cjk_font: bool = False,
                       gui_thread_gc: bool = True) -> tuple[QApplication, UiDefaults]:
    """Create (or, in tests, reuse) the QApplication and configure it for the Chinese UI.

    `gui_thread_gc` moves garbage collection onto the GUI thread (`GuiThreadCollector`);
    off in tests that share the process with code that never runs an event loop.
    """
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(
        list(argv if argv is not None else sys.argv))
    app.setApplicationName(app_name)
    app.setOrganizationName("rxp")
    if gui_thread_gc:
        GuiThreadCollector(app).start()
    defaults = configure_application(app, locale=locale, catalogues=catalogues,
                                     require_cjk_font=require_cjk_font)
    log.info("UI locale %s, font %s, translations %s", defaults.locale, defaults.font_family,
             ", ".join(defaults.catalogues) or "none")
    return app, defaults
