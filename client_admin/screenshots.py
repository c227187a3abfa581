"""Every screen of the administration app with demo data, for `rxp screenshots`: admin_group
(the group's hospital administrator) and the auditor log in to the demo server and the screens
are built from what it returns (`client_admin.screens`)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from client_admin.app import CATALOGUE, I18N_DIR
from client_admin.screens import build_screens
from common.demo import DemoDirectory

# The translations the screens need (`installers/screenshots.py` loads them).
CATALOGUES = [(CATALOGUE, I18N_DIR)]


def screenshots(demo: DemoDirectory) -> dict[str, QWidget]:
    admin = demo.api()
    demo.login("admin_group", admin)
    auditor = demo.api()
    demo.login("auditor", auditor)
    return build_screens(admin, auditor)
