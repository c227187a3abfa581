"""The installation self-test (`<app> --self-test`): the checks that need no Qt.

An installed bundle is asked to prove, without a display and without anyone logging in, that it
is whole and configured: Qt starts offscreen with its translations and a CJK font
(`common.qt.selftest`), the workstation file reads, the modules loaded only on demand (device
drivers, the signing library) are there, and the server answers `/health` over TLS with the
configured CA. Each check is one line, `OK` or `FAIL`, and the exit status is 0 only when all
pass, so an installer script or a monitoring agent can run it as it is.

    rxp-kiosk --self-test [--config /etc/rxp/workstation.toml] [--server https://rxp.h1.local]
"""

from __future__ import annotations

import argparse
import importlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from common.api import ApiClient
from common.api.errors import ApiError
from common.workstation import (
    WorkstationConfigError,
    WorkstationSettings,
    default_path,
    load_workstation,
)

FLAG = "--self-test"
SERVER_TIMEOUT = 5.0  # seconds; a workstation on the hospital network answers in milliseconds


@dataclass(frozen=True)
class CheckResult:
    item: str
    ok: bool
    detail: str

    def line(self) -> str:
        detail = " ".join(self.detail.split())  # one line, whatever a library's message was
        return f"{'OK' if self.ok else 'FAIL':<4}  {self.item:<13} {detail}"


# A check the app adds (the kiosk's credential): it sees the configuration when it loaded.
ExtraCheck = Callable[[WorkstationSettings | None], CheckResult]


def requested(argv: Sequence[str]) -> bool:
    return FLAG in argv


def parse_args(argv: Sequence[str], prog: str) -> argparse.Namespace:
    """The self-test's own options; the app's other options are ignored, so the same command
    line that starts the app can be tested by adding `--self-test`."""
    parser = argparse.ArgumentParser(prog=prog, description="installation self-test")
    parser.add_argument(FLAG, dest="self_test", action="store_true")
    parser.add_argument("--config", type=Path,
                        help="workstation file (default: RXP_WORKSTATION, else the system one)")
    parser.add_argument("--server", help="server URL (default: the workstation file's)")
    parser.add_argument("--timeout", type=float, default=SERVER_TIMEOUT,
                        help="seconds to wait for the server")
    options, _ = parser.parse_known_args(list(argv))
    return options


def check_configuration(path: Path | None) -> tuple[CheckResult, WorkstationSettings | None]:
    path = path or default_path()
    try:
        settings = load_workstation(path)
    except WorkstationConfigError as exc:
        return CheckResult("configuration", False, str(exc)), None
    parts = [f"{path}: server {settings.server_url}"]
    if settings.ca_bundle:
        parts.append(f"CA {settings.ca_bundle}")
    if settings.workstation_id or settings.kiosk_id:
        parts.append(f"id {settings.kiosk_id or settings.workstation_id}")
    devices = [f"{kind} {url}" for kind, url in settings.devices.model_dump().items() if url]
    return CheckResult("configuration", True, ", ".join(parts + devices)), settings


def check_modules(names: Sequence[str]) -> CheckResult:
    """Import the modules the app loads only when a device or a signature needs them; a bundle
    that missed one would fail at the counter, not at start-up."""
    missing = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # an ImportError, or a native library that does not load
            # Some libraries explain at length; the cause is their last line.
            lines = [line for line in str(exc).splitlines() if line.strip()]
            missing.append(f"{name} ({type(exc).__name__}: {lines[-1] if lines else ''})")
    if missing:
        return CheckResult("modules", False, "cannot load " + "; ".join(missing))
    return CheckResult("modules", True, f"{len(names)} loaded: {', '.join(names)}")


def check_signing() -> CheckResult:
    """Sign and verify with a throwaway key under the default algorithm (SM2 through GmSSL's C
    library): what the doctor and the pharmacist do with every prescription."""
    from common import signing

    try:
        key = signing.generate_private_key()
        data = b"rxp self-test"
        public = signing.load_public_key(signing.export_public_key(key))
        good = signing.verify(public, data, signing.sign(key, data))
    except Exception as exc:
        return CheckResult("signing", False, f"{type(exc).__name__}: {exc}")
    if not good:
        return CheckResult("signing", False, f"{signing.DEFAULT_ALGORITHM} gave wrong answers")
    return CheckResult("signing", True, f"{signing.DEFAULT_ALGORITHM} sign and verify")


def check_server(url: str, verify: bool | str, *, timeout: float = SERVER_TIMEOUT
                 ) -> CheckResult:
    """GET /health once, no retry, with the workstation's CA (`verify`)."""
    started = time.monotonic()
    try:
        with ApiClient(url, verify=verify, timeout=timeout) as api:
            api.health(timeout=timeout)
    except (ApiError, OSError) as exc:
        cause = exc.__cause__
        reason = f"{exc} ({type(cause).__name__}: {cause})" if cause else str(exc)
        return CheckResult("server", False, f"{url}/health: {reason}")
    elapsed = (time.monotonic() - started) * 1000
    trust = f"CA {verify}" if isinstance(verify, str) else "public CAs"
    return CheckResult("server", True, f"{url}/health answered in {elapsed:.0f} ms ({trust})")


def configured_checks(options: argparse.Namespace, *, modules: Sequence[str] = (),
                      signing: bool = False, extra: Sequence[ExtraCheck] = ()
                      ) -> list[CheckResult]:
    """Every check after Qt's, in order: configuration, modules, signing, the app's own, and
    the server (given with --server, else the configured one; none: no server line)."""
    config, settings = check_configuration(options.config)
    results = [config]
    if modules:
        results.append(check_modules(modules))
    if signing:
        results.append(check_signing())
    results += [check(settings) for check in extra]
    url = options.server or (settings.server_url if settings else None)
    if url:
        verify = settings.verify if settings else True
        results.append(check_server(url, verify, timeout=options.timeout))
    return results


def exit_code(results: Sequence[CheckResult]) -> int:
    return 0 if results and all(result.ok for result in results) else 1
