"""Writing the workstation file at install time: `<app> --configure --server URL [--ca FILE]
[--card-reader URL ...]`, the same as `rxp workstation configure --app <app> ...`.

Every installed bundle carries this, so an installer (a Debian postinst, a Windows MSI or
Inno Setup step, a group-policy script) writes the file with the program it installed, no
Python tree needed. The values are checked exactly as the app checks them when it starts
(`common.workstation`), so a file that was written is a file the app reads. The hospital's CA
certificate is copied next to the file, so the install medium can go away. The previous file,
if any, is kept as `workstation.toml.bak`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from common.workstation import (
    WorkstationConfigError,
    WorkstationSettings,
    default_path,
    render_workstation,
    validate_workstation,
)

FLAG = "--configure"
CA_FILE_NAME = "hospital-ca.pem"
DEVICE_OPTIONS = ("card_reader", "scanner", "printer", "camera")


def requested(argv: Sequence[str]) -> bool:
    return FLAG in argv


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", required=True, help="server URL, https://…")
    parser.add_argument("--ca", type=Path,
                        help="the hospital's CA certificate (PEM); omit for public CAs")
    parser.add_argument("--workstation-id", help="this workstation's id (X-Workstation, audit)")
    parser.add_argument("--kiosk-id", help="the kiosk's integration client id (kiosks)")
    parser.add_argument("--language", choices=["zh_CN", "en_US"])
    parser.add_argument("--idle-lock-minutes", type=int)
    for option in DEVICE_OPTIONS:
        parser.add_argument(f"--{option.replace('_', '-')}", dest=option,
                            help=f"device URL of the {option.replace('_', ' ')}")
    parser.add_argument("--config", type=Path,
                        help="the file to write (default: RXP_WORKSTATION, else the system one)")


def configure(options: argparse.Namespace, *, app: str, devices: bool, kiosk: bool
              ) -> tuple[Path, WorkstationSettings]:
    """Check the options, then write the file (and the CA beside it); returns both.
    WorkstationConfigError when a value is bad: nothing is written then."""
    path: Path = options.config or default_path()
    problems = []
    given_devices = {k: getattr(options, k) for k in DEVICE_OPTIONS if getattr(options, k)}
    if given_devices and not devices:
        problems += [(k, f"{app} 不使用外接设备") for k in given_devices]
    if kiosk and not (options.kiosk_id or options.workstation_id):
        problems.append(("kiosk_id", "自助机必须配置 --kiosk-id（其集成客户端编号）"))
    if options.ca is not None and not options.ca.is_file():
        problems.append(("ca_bundle", f"文件不存在：{options.ca}"))
    if problems:
        raise WorkstationConfigError(path, problems)
    ca_target = path.parent.resolve() / CA_FILE_NAME if options.ca else None
    data: dict[str, object] = {"server_url": options.server}
    for key in ("workstation_id", "kiosk_id", "language", "idle_lock_minutes"):
        if getattr(options, key) is not None:
            data[key] = getattr(options, key)
    if given_devices:
        data["devices"] = given_devices
    # Checked with the CA at its source: the copy is made only once everything is valid.
    settings = validate_workstation({**data, "ca_bundle": options.ca} if options.ca else data,
                                    path)
    _check_certificate(options.ca, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if options.ca and ca_target:
        if options.ca.resolve() != ca_target:
            shutil.copyfile(options.ca, ca_target)
        settings = validate_workstation({**data, "ca_bundle": ca_target}, path)
    if path.exists():
        shutil.copyfile(path, path.with_name(path.name + ".bak"))
    _write_atomically(path, render_workstation(settings))
    return path, settings


def _check_certificate(ca: Path | None, path: Path) -> None:
    """A CA file that TLS cannot load would make every request fail: refuse it now."""
    if ca is None:
        return
    import ssl

    try:
        ssl.create_default_context(cafile=str(ca))
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise WorkstationConfigError(path, [("ca_bundle", f"不是有效的 PEM 证书：{exc}")]) \
            from exc


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        os.chmod(tmp, 0o644)  # read by the app's user; it holds no secret
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: Sequence[str], *, app: str, devices: bool, kiosk: bool) -> int:
    """`<app> --configure …`: 0 and the file's path and text, or 2 and every problem."""
    parser = argparse.ArgumentParser(prog=f"{app} {FLAG}",
                                     description="write the workstation configuration")
    add_arguments(parser)
    options = parser.parse_args([arg for arg in argv if arg != FLAG])
    return report(options, app=app, devices=devices, kiosk=kiosk)


def report(options: argparse.Namespace, *, app: str, devices: bool, kiosk: bool) -> int:
    try:
        path, settings = configure(options, app=app, devices=devices, kiosk=kiosk)
    except WorkstationConfigError as exc:
        print(exc)
        return 2
    print(f"wrote {path}:")
    print(render_workstation(settings), end="")
    return 0
