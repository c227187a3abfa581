"""Every screen of the pharmacist app with demo data, for `rxp screenshots`: pharm_chen (a
senior pharmacist) logs in to the demo server and the screens are built from what it returns
(`client_pharmacist.screens`)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from client_pharmacist.app import CATALOGUE, I18N_DIR
from client_pharmacist.screens import build_screens
from common.demo import DemoDirectory

# The translations the screens need (`installers/screenshots.py` loads them).
CATALOGUES = [(CATALOGUE, I18N_DIR)]


def screenshots(demo: DemoDirectory) -> dict[str, QWidget]:
    api = demo.api()
    demo.login("pharm_chen", api)
    return build_screens(api)
