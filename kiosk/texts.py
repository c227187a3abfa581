"""The kiosk's words outside Qt (the flow's messages, the receipt), translated like the rest of
the kiosk: English source strings in Qt's translation catalogue `kiosk/i18n/rxp_kiosk_zh_CN`
(see its README), which the app loads after Qt's and the shared widgets' catalogues.

The flow stays free of Qt: it marks its texts with `QT_TRANSLATE_NOOP` (a name that
`pyside6-lupdate` reads, so the texts land in the catalogue) and hands them on as `Message`s; the
window translates a message when it shows it. A message that is already for the patient
(a server's or a device's Chinese error) goes through unchanged: the catalogue has no entry
for it, and a translator returns what it does not know.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

I18N_DIR = Path(__file__).resolve().parent / "i18n"
CATALOGUE = "rxp_kiosk"
CATALOGUES = [(CATALOGUE, I18N_DIR)]

Translate = Callable[[str, str], str]
"""(context, source text) -> the text to show: `QCoreApplication.translate` in the app."""


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:
    """Marks `source` for the catalogue, in `context`."""
    return source


def untranslated(context: str, source: str) -> str:
    return source


def fill(text: str, *args: object) -> str:
    """Qt's %1, %2, … placeholders, filled (from the last, so %1 does not eat %10)."""
    for number in range(len(args), 0, -1):
        text = text.replace(f"%{number}", str(args[number - 1]))
    return text


@dataclass(frozen=True)
class Message:
    """One line for the patient: a source text and what fills its %1, %2, …"""

    source: str
    args: tuple[str, ...] = ()
    context: str = "KioskFlow"

    def text(self, translate: Translate = untranslated) -> str:
        return fill(translate(self.context, self.source), *self.args)

    def __str__(self) -> str:
        return self.text()
