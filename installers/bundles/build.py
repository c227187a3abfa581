"""`rxp build <app>|all`: run PyInstaller on the one spec for each app, into .rxp/dist/<app>/.

PyInstaller keeps its work (the module graph, the collected binaries) in `.rxp/build/<app>/`
and its cache in `.rxp/pyinstaller/`, so a rebuild after a small change redoes only what
changed. The same command builds on Windows, where PyInstaller makes .exe programs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from installers.bundles import BUNDLE_APPS, BundleApp, bundle_app

SPEC = Path(__file__).resolve().parent / "rxp.spec"


@dataclass(frozen=True)
class Bundle:
    app: BundleApp
    folder: Path
    seconds: float

    @property
    def program(self) -> Path:
        return self.folder / (self.app.executable + (".exe" if sys.platform == "win32" else ""))

    @property
    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file()
                   and not p.is_symlink())


def apps_named(names: list[str]) -> list[BundleApp]:
    if not names or names == ["all"]:
        return list(BUNDLE_APPS.values())
    return [bundle_app(name) for name in names]


def build(app: BundleApp, *, dist: Path, work: Path, quiet: bool = True) -> Bundle:
    """Build one app's folder `dist/<app.name>/`; raises CalledProcessError when PyInstaller
    fails (its output says why)."""
    started = time.monotonic()
    env = dict(os.environ, PYINSTALLER_CONFIG_DIR=str(work / "pyinstaller-cache"))
    command = [sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm",
               "--distpath", str(dist), "--workpath", str(work / app.name),
               "--log-level", "WARN" if quiet else "INFO", "--", app.name]
    subprocess.run(command, check=True, env=env, cwd=SPEC.parent)
    folder = dist / app.name
    if not (folder / "_internal").is_dir():
        raise RuntimeError(f"PyInstaller made no bundle in {folder}")
    return Bundle(app, folder, time.monotonic() - started)


def copy_bundle(bundle: Bundle, into: Path) -> Bundle:
    """The folder copied elsewhere, as an installer would (symlinks kept as links)."""
    target = into / bundle.folder.name
    shutil.copytree(bundle.folder, target, symlinks=True)
    return Bundle(bundle.app, target, bundle.seconds)
