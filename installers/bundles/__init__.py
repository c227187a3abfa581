"""One-folder bundles (PyInstaller) of the desktop apps and the kiosk: what each bundle holds.

`rxp build <app>|all` runs the one spec, `rxp.spec` beside this file, once per app; the spec
reads the app's entry here. The bundles hold Python, Qt and every library the app imports,
the translations (.qm) and Qt's offscreen and native window plugins; fonts are not bundled
(a CJK font comes from the OS: `fonts-wqy-microhei` on Debian, Microsoft YaHei on Windows).
The same spec builds on Windows (docs/operations/workstations.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BundleApp:
    name: str  # `rxp build <name>` and the folder .rxp/dist/<name>/
    package: str  # the app's package; its __main__.py is the bundle's entry point
    executable: str  # the program in the folder (.exe added on Windows)
    qt_modules: tuple[str, ...] = ()  # Qt modules beyond QtCore, QtGui and QtWidgets
    devices: bool = False  # card readers, scanners, printers (common.hardware)
    windowed: bool = True  # no console window on Windows (the self-test still prints)

    @property
    def entry(self) -> str:
        return f"{self.package}/__main__.py"


BUNDLE_APPS: dict[str, BundleApp] = {app.name: app for app in (
    BundleApp("doctor", "client_doctor", "rxp-doctor"),
    BundleApp("pharmacist", "client_pharmacist", "rxp-pharmacist"),
    BundleApp("pharmacy", "client_pharmacy", "rxp-pharmacy", devices=True),
    BundleApp("admin", "client_admin", "rxp-admin", qt_modules=("QtCharts",)),
    BundleApp("kiosk", "kiosk", "rxp-kiosk", devices=True),
)}

# The Qt modules every app uses; all other PySide6 modules are kept out of the bundles
# (QtWebEngine alone is several hundred MB, and nothing here uses QML, 3D or multimedia).
BASE_QT_MODULES = ("QtCore", "QtGui", "QtWidgets")


def bundle_app(name: str) -> BundleApp:
    """The app by its short name (`doctor`) or its package (`client_doctor`)."""
    for app in BUNDLE_APPS.values():
        if name in (app.name, app.package):
            return app
    raise KeyError(f"no app named {name!r}; one of: {', '.join(BUNDLE_APPS)}")
