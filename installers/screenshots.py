"""`rxp screenshots`: every screen of every app that exists, rendered offscreen with demo data
to `.rxp/screenshots/<app>/<screen>.png`, for people to look at (Chinese as text, real data).

The one place apps register: `APPS` maps the folder name to the module whose
`screenshots(demo: common.demo.DemoDirectory) -> dict[str, QWidget]` builds the screens. An app
whose package is not built yet (no module) is skipped.

Like `rxp demo --headless`, it starts the embedded database and a server with the demo group
(or uses a running server given with --demo-file), then renders in a process of its own with
`QT_QPA_PLATFORM=offscreen` and a keyring that keeps nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

APPS: dict[str, str] = {
    "doctor": "client_doctor.screenshots",
    "pharmacist": "client_pharmacist.screenshots",
    "pharmacy": "client_pharmacy.screenshots",
    "admin": "client_admin.screenshots",
    "kiosk": "kiosk.screenshots",
}
DEMO_SCREENS = "demo"  # the launcher of `rxp demo`


def available_apps() -> dict[str, str]:
    return {name: module for name, module in APPS.items()
            if importlib.util.find_spec(module.split(".")[0]) is not None
            and importlib.util.find_spec(module) is not None}


def render(demo_file: Path, out_dir: Path, apps: list[str] | None = None) -> list[Path]:
    """In this process: the Qt application, each app's screens, one PNG each."""
    import keyring
    from keyring.backends import null

    from common.demo import DemoDirectory
    from common.qt.app import create_application
    from common.qt.screens import save_screen
    from installers.launcher import LauncherWindow

    keyring.set_keyring(null.Keyring())  # the demo's secrets stay in memory
    modules = {name: importlib.import_module(module) for name, module in
               available_apps().items() if not apps or name in apps}
    # Each app's own translations (its module's CATALOGUES), after Qt's and the shared ones.
    catalogues = [c for module in modules.values() for c in getattr(module, "CATALOGUES", [])]
    app, defaults = create_application("rxp-screenshots", [], catalogues=catalogues,
                                       require_cjk_font=True)
    demo = DemoDirectory.load(demo_file)
    written = []
    for name, module in modules.items():
        for screen, widget in module.screenshots(demo).items():
            written.append(save_screen(widget, out_dir / name / f"{screen}.png"))
            print(f"rxp screenshots: {written[-1]}", flush=True)
    launcher = LauncherWindow(demo, demo_file)
    written.append(save_screen(launcher, out_dir / DEMO_SCREENS / "launcher.png"))
    print(f"rxp screenshots: {written[-1]} (font {defaults.font_family})", flush=True)
    close_all(app)
    return written


def close_all(app: Any) -> None:
    """Close and delete every window while the application still runs, as quitting an app
    does, instead of leaving the widgets to the interpreter's exit, which frees Qt objects
    in no particular order (parents before their children's wrappers)."""
    from PySide6.QtCore import QEvent

    for widget in app.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()


def run_screenshots(out_dir: Path, apps: list[str] | None = None,
                    demo_file: Path | None = None) -> int:
    """Start the demo database and server (unless `demo_file` names a running one), render in
    a child process, stop what was started."""
    from installers import cli
    from installers.demo import (
        _port_free,
        start_server,
        stop_server,
        wait_ready,
        write_demo_json,
    )
    from installers.local import LocalEnvironment
    from installers.pgcluster import free_port

    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "installers.screenshots", "--render",
               "--out", str(out_dir), *(["--app", *apps] if apps else [])]
    if demo_file is not None:
        return subprocess.run([*command, "--demo-file", str(demo_file)], env=env,
                              check=False).returncode
    local = LocalEnvironment.load()
    was_running = local.cluster.is_running()
    local.start_database()
    server = None
    try:
        cli._ensure_keys()
        cli._migrate_local()
        group = asyncio.run(cli._seed_local())
        port = local.server_port if _port_free(local.server_port) else free_port()
        base_url = f"http://127.0.0.1:{port}"
        path = write_demo_json(local, group, base_url=base_url)
        server = start_server(local.server_env(), port, local.state / "server.log")
        wait_ready(base_url, server)
        return subprocess.run([*command, "--demo-file", str(path)], env=env,
                              check=False).returncode
    finally:
        if server is not None:
            stop_server(server)
        if not was_running:
            local.cluster.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rxp screenshots")
    parser.add_argument("--render", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--demo-file", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--app", nargs="*", default=None)
    args = parser.parse_args(argv)
    if args.render:
        render(args.demo_file, args.out, args.app)
        return 0
    return run_screenshots(args.out, args.app, args.demo_file)


if __name__ == "__main__":
    raise SystemExit(main())
