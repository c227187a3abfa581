"""`<app> --self-test`: Qt's part of the installation self-test, and the run of it all;
`<app> --configure` (common.workstation_setup) is dispatched from here too.

Each app names itself in an `AppSelfTest` (its catalogues, the modules it loads on demand, its
own checks) and its `__main__` runs it when `--self-test` is on the command line. Qt always
starts offscreen here: the test runs over SSH, from an installer, or on a kiosk whose screen
belongs to the running kiosk. The Qt-free checks are in `common.selftest`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from common import workstation_setup
from common.selftest import (
    CheckResult,
    ExtraCheck,
    configured_checks,
    exit_code,
    parse_args,
    requested,
)

# The platform plugin a bundle needs to show windows on each OS (offscreen is what runs here).
NATIVE_PLATFORM_PLUGINS = {"linux": ("xcb", "wayland"), "win32": ("windows",),
                           "darwin": ("cocoa",)}


@dataclass(frozen=True)
class AppSelfTest:
    app_name: str
    catalogues: Sequence[tuple[str, Path]]  # the app's own, as given to create_application
    modules: tuple[str, ...] = ()  # loaded only on demand: device drivers, native libraries
    signing: bool = False  # the app signs (doctor, pharmacist)
    extra: Sequence[ExtraCheck] = field(default=())
    devices: bool = False  # its workstation file may name devices (kiosk, pharmacy)
    kiosk: bool = False  # its workstation file must name the kiosk

    def run(self, argv: Sequence[str], *, out: TextIO | None = None) -> int:
        """Every check, one line each on stdout; 0 when all passed, else 1."""
        _attach_console()
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        options = parse_args(argv, prog=self.app_name)
        results = qt_checks(self.app_name, self.catalogues)
        results += configured_checks(options, modules=self.modules, signing=self.signing,
                                     extra=self.extra)
        stream = out or sys.stdout
        for result in results:
            print(result.line(), file=stream, flush=True)
        return exit_code(results)


def run_install_command(app: AppSelfTest, argv: Sequence[str]) -> int | None:
    """`--self-test` or `--configure` (common.workstation_setup) on the command line: run it
    and return the exit status; otherwise None, and the app starts as usual."""
    if requested(argv):
        return app.run(argv)
    if workstation_setup.requested(argv):
        _attach_console()
        return workstation_setup.main(argv, app=app.app_name, devices=app.devices,
                                      kiosk=app.kiosk)
    return None


def qt_checks(app_name: str, catalogues: Sequence[tuple[str, Path]]) -> list[CheckResult]:
    """Qt starts (and the native platform plugin is there), the translations load, a font with
    Chinese glyphs is installed (fonts are the OS's, not the bundle's)."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QLibraryInfo, qVersion

    from common.qt.app import CJK_FONT_PACKAGE, COMMON_CATALOGUE, create_application

    try:
        app, defaults = create_application(app_name, [app_name], catalogues=catalogues,
                                           gui_thread_gc=False)
    except Exception as exc:
        return [CheckResult("qt", False, f"{type(exc).__name__}: {exc}")]
    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    present = sorted(p.stem.removeprefix("lib").removeprefix("q") for p in plugins.glob("*q*")
                     if p.suffix in (".so", ".dll", ".dylib"))
    wanted = NATIVE_PLATFORM_PLUGINS.get(sys.platform, ())
    native = [name for name in wanted if name in present]
    qt = CheckResult(
        "qt", bool(native) or not wanted,
        f"Qt {qVersion()} (PySide6 {pyside_version}), platform {app.platformName()}; "
        f"window plugins: {', '.join(present) or 'none'}")

    expected = ["qtbase", COMMON_CATALOGUE, *(name for name, _ in catalogues)]
    loaded = [Path(path).name for path in defaults.catalogues]
    missing = [name for name in expected if not any(f.startswith(f"{name}_") for f in loaded)]
    translations = CheckResult(
        "translations", not missing,
        f"{defaults.locale}: {', '.join(loaded)}" if not missing
        else f"{defaults.locale}: missing {', '.join(missing)} (loaded: {', '.join(loaded)})")

    font = CheckResult("font", True, defaults.font_family) if defaults.font_family else \
        CheckResult("font", False, "no installed font draws Chinese; install one (Debian: "
                                   f"{CJK_FONT_PACKAGE}; Windows has Microsoft YaHei)")
    return [qt, translations, font]


def _attach_console() -> None:
    """A windowed Windows program has no stdout: print into the console it was started from."""
    if sys.platform != "win32" or sys.stdout is not None:
        return
    import ctypes

    if ctypes.windll.kernel32.AttachConsole(-1):  # the parent process's console
        sys.stdout = open("CONOUT$", "w", encoding="utf-8")  # for the rest of the process
        sys.stderr = sys.stdout
