"""The kiosk's one-folder bundle, built by the same code as `rxp build kiosk`, copied to another
folder as an installer would, configured with its own `--configure`, and asked `--self-test`
against the real server, then against a server that is not there.

The build is the slow part (about two minutes from nothing here, less when PyInstaller's work
folder `.rxp/build/kiosk` is still valid): it runs once per session. The bundle runs with none
of the source tree's Python settings, from a working folder of its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from installers.bundles import bundle_app
from installers.bundles.build import Bundle, build, copy_bundle
from installers.pgcluster import free_port
from tests.clients import ServerThread, clock, live_server, settings

__all__ = ["clock", "live_server", "settings"]

ROOT = Path(__file__).resolve().parents[2]
ITEMS = ["qt", "translations", "font", "configuration", "modules", "credential", "server"]

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture(scope="session")
def kiosk_bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bundle]:
    dist = tmp_path_factory.mktemp("dist")
    built = build(bundle_app("kiosk"), dist=dist, work=ROOT / ".rxp" / "build")
    print(f"kiosk bundle built in {built.seconds:.0f} s, {built.size_bytes / 1e6:.0f} MB")
    installed = copy_bundle(built, tmp_path_factory.mktemp("installed"))
    shutil.rmtree(dist)
    yield installed
    shutil.rmtree(installed.folder)  # 400 MB: pytest keeps its last temporary folders


def bundle_env(**extra: str) -> dict[str, str]:
    """The machine's environment without this tree's Python and Qt settings."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "QT_QPA_PLATFORM",
                        "RXP_WORKSTATION", "RXP_KIOSK_CLIENT_SECRET")}
    return {**env, **extra}


def run(bundle: Bundle, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(bundle.program), *args], cwd=cwd, env=bundle_env(**env),
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def configured(kiosk_bundle: Bundle, live_server: ServerThread, tmp_path: Path) -> Path:
    """The workstation file, written by the bundle itself as the installer would."""
    config = tmp_path / "etc" / "workstation.toml"
    written = run(kiosk_bundle, "--configure", "--server", live_server.url, "--kiosk-id",
                  "K-TEST-01", "--card-reader", "sim://?card=none", "--printer", "sim://",
                  "--config", str(config), cwd=tmp_path)
    assert written.returncode == 0, written.stdout + written.stderr
    assert 'kiosk_id = "K-TEST-01"' in config.read_text(encoding="utf-8")
    return config


def items(output: str) -> list[list[str]]:
    return [line.split()[:2] for line in output.splitlines()]


def test_the_installed_bundle_passes_its_self_test(kiosk_bundle, configured, tmp_path,
                                                  live_server):
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    result = run(kiosk_bundle, "--self-test", cwd=elsewhere, RXP_WORKSTATION=str(configured),
                 RXP_KIOSK_CLIENT_SECRET="secret-from-the-unit-file")
    assert result.returncode == 0, result.stdout + result.stderr
    assert items(result.stdout) == [["OK", item] for item in ITEMS]
    assert "platform offscreen" in result.stdout  # whatever the session's display
    assert f"{live_server.url}/health answered" in result.stdout
    assert "rxp_kiosk_zh_CN.qm" in result.stdout and "xcb" in result.stdout


def test_an_unreachable_server_fails_the_self_test(kiosk_bundle, configured, tmp_path):
    result = run(kiosk_bundle, "--self-test", "--config", str(configured), "--server",
                 f"http://127.0.0.1:{free_port()}", "--timeout", "2", cwd=tmp_path,
                 RXP_KIOSK_CLIENT_SECRET="s")
    assert result.returncode == 1, result.stdout + result.stderr
    assert items(result.stdout) == [["OK", item] for item in ITEMS[:-1]] + [["FAIL", "server"]]
    assert "Connection refused" in result.stdout


def test_a_kiosk_without_its_secret_fails(kiosk_bundle, configured, tmp_path):
    result = run(kiosk_bundle, "--self-test", "--config", str(configured), cwd=tmp_path,
                 PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    assert result.returncode == 1
    assert ["FAIL", "credential"] in items(result.stdout)
    assert ["OK", "server"] in items(result.stdout)
