"""The `rxp` commands (the root script `./rxp` installs what is needed and runs this).

    rxp test [pytest args]        lint, type check, import contracts, bandit and pip-audit, then
                                  the whole test suite
    rxp demo [--headless] [--once] the demo group on the embedded PostgreSQL, served until Ctrl-C
                                  (with a display: a launcher window for every role's app)
    rxp screenshots [--app NAME]  every app's screens, offscreen, to .rxp/screenshots/
    rxp serve                     the API server for production (settings from env / RXP_CONFIG)
    rxp db start|stop|status|replica|psql
    rxp migrate | rxp seed | rxp audit verify | rxp keys init|rotate|reencrypt
    rxp inspect [--out DIR]       the daily inspection (日常巡检): report to stdout and DIR
    rxp backup [--keep-days N]    verified base backup of the local cluster (WAL archiving on)
    rxp restore --to TIME         point-in-time restore into a new folder, on its own port
    rxp drill [name ...]          reliability drills (DRILL lines, reports in .rxp/reports/)
    rxp export --out DIR          data handover: every table as CSV + NDJSON, DDL, dictionary,
                                  signed manifest
    rxp import --from DIR (--database URL | --into DIR)   load a handover into an empty database
    rxp build <app>|all           one-folder bundles (PyInstaller) in .rxp/dist/<app>/
    rxp workstation configure --app APP --server URL [--ca FILE] [--card-reader URL ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from installers.local import LocalEnvironment
from installers.pgcluster import free_port

if TYPE_CHECKING:
    from installers.backup import BackupStore
    from server.seed.demo import DemoGroup

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def _run(cmd: list[str], **kw: object) -> int:
    print("$ " + " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT, **kw).returncode  # type: ignore[call-overload]


# -- test ------------------------------------------------------------------------------------
# The whole suite (no arguments) in two worker processes, each with its own PostgreSQL cluster
# and template; work stealing, because test times range from milliseconds to twenty seconds.
# Tests given by name run in one process: starting workers would cost more than they save.
WHOLE_SUITE = ["-n", "2", "--dist", "worksteal"]


def cmd_test(args: argparse.Namespace) -> int:
    checks = [
        [PY, "-m", "ruff", "check", "."],
        [PY, "-m", "mypy", "server", "common", "installers", "client_doctor", "client_pharmacist",
         "client_pharmacy", "client_admin", "kiosk"],
        [str(Path(PY).parent / "lint-imports")],
    ]
    if not args.no_lint:
        for check in checks:
            if _run(check) != 0:
                print("rxp test: static checks failed", file=sys.stderr)
                return 1
        from installers import security_checks

        if security_checks.run() != 0:  # bandit (high severity) and pip-audit
            print("rxp test: security checks failed", file=sys.stderr)
            return 1
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    code = _run([PY, "-m", "pytest", *(args.pytest_args or WHOLE_SUITE)], env=env)
    if code == 5:
        print("rxp test: no tests ran — that is a failure", file=sys.stderr)
        return 1
    return code


# -- database --------------------------------------------------------------------------------
def _local() -> LocalEnvironment:

    return LocalEnvironment.load()


def _migrate_local() -> None:
    from installers.database import APP_ROLE
    from server.core.migrations import upgrade

    upgrade(_local().urls.owner, app_role=APP_ROLE)


def _ensure_keys() -> None:
    from server.core.keys import init_key_dir

    created = init_key_dir(_local().key_dir)
    if created:
        print(f"rxp: created keys {', '.join(created)} in {_local().key_dir}")


def cmd_db(args: argparse.Namespace) -> int:
    env = _local()
    if args.action == "start":
        env.start_database()
        print(f"PostgreSQL running on 127.0.0.1:{env.port} ({env.cluster.datadir})")
    elif args.action == "stop":
        env.replica().stop()
        env.cluster.stop()
        print("PostgreSQL stopped")
    elif args.action == "status":
        print(f"primary: {'running' if env.cluster.is_running() else 'stopped'} "
              f"(127.0.0.1:{env.port}, {env.cluster.datadir})")
        replica = env.replica()
        state = "running" if replica.is_running() else "absent/stopped"
        print(f"replica: {state} (127.0.0.1:{replica.port})")
    elif args.action == "replica":
        env.start_database()
        replica = env.cluster.make_replica(env.replica().base, env.replica().port)
        replica.wait_ready()
        print(f"streaming replica running on 127.0.0.1:{replica.port}; "
              f"DATABASE_REPLICA_URLS={env.replica_url()}")
    elif args.action == "psql":
        os.execv(str(env.cluster.bindir / "psql"),
                 ["psql", "-h", str(env.cluster.sockdir), "-p", str(env.port), "-U", "postgres",
                  "rxp"])
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from installers.database import APP_ROLE
    from server.core.migrations import upgrade

    url = os.environ.get("DATABASE_MIGRATION_URL") or os.environ.get("DATABASE_URL")
    if url:
        upgrade(url, app_role=os.environ.get("RXP_DB_APP_ROLE", APP_ROLE))
    else:
        _local().start_database()
        _migrate_local()
    print("migrations at head")
    return 0


async def _seed_local() -> DemoGroup:
    from server.core.keys import KeyMaterial
    from server.personal_data.cipher import FieldCipher
    from server.seed.runner import seed

    env = _local()
    # Keep the demo signers' keys of an earlier run (the apps may have them in their keyring).
    previous = env.state / "demo.json"
    keys: dict[str, str] = {}
    if previous.exists():
        keys = {a["username"]: a["signing_key"]
                for a in json.loads(previous.read_text()).get("accounts", [])
                if a.get("signing_key")}
    return await seed(env.urls.owner, FieldCipher(KeyMaterial.load(env.key_dir).keyring), keys)


def cmd_seed(args: argparse.Namespace) -> int:
    from installers.demo import write_demo_json

    env = _local()
    env.start_database()
    _ensure_keys()
    _migrate_local()
    group = asyncio.run(_seed_local())
    path = write_demo_json(env, group, base_url=f"http://127.0.0.1:{env.server_port}")
    print(f"demo group seeded; accounts in {path}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from server.ops.audit_cli import verify
    from server.settings import Settings

    if not os.environ.get("DATABASE_URL"):
        os.environ.update(_local().server_env())
    ok, message = asyncio.run(verify(Settings()))
    print(message)
    return 0 if ok else 1


def cmd_inspect(args: argparse.Namespace) -> int:
    import socket
    from datetime import UTC, datetime

    from installers import inspect
    from server.settings import Settings

    if not os.environ.get("DATABASE_URL"):
        # The embedded demo: its replica counts as configured once made, running or not.
        env = _local()
        os.environ.update(env.server_env())
        if env.replica().initialised:
            os.environ.setdefault("DATABASE_REPLICA_URLS", env.replica_url())
        os.environ.setdefault("RXP_DISK_PATHS", str(env.cluster.base))
        if _backup_store().catalog_path.exists():
            os.environ.setdefault("RXP_BACKUP_DIR", str(_backup_store().root))
    when = datetime.now(UTC)
    findings = inspect.inspect(
        Settings(), now=when,
        pip_audit=inspect.default_pip_audit(args.requirements) if args.requirements else None)
    md, _ = inspect.save(findings, when, args.out or (_local().state / "reports"))
    print(inspect.render_text(findings, when, socket.gethostname()), end="")
    print(f"报告已保存：{md}")
    return inspect.exit_code(findings)


def cmd_keys(args: argparse.Namespace) -> int:
    from server.core.keys import DATA_KEYS, init_key_dir
    from server.personal_data.keys import KeyRing

    key_dir = Path(os.environ.get("RXP_KEY_DIR") or _local().key_dir)
    if args.action == "init":
        created = init_key_dir(key_dir)
        print(f"created: {', '.join(created) or 'nothing (all keys exist)'}")
        return 0
    if args.action == "rotate":
        version = KeyRing.rotate(key_dir / DATA_KEYS)
        print(f"data key version {version} is now active. Restart the servers (rolling) so they "
              "load it, then run `rxp keys reencrypt`; old versions stay readable meanwhile.")
        return 0
    return asyncio.run(_reencrypt(key_dir))


async def _reencrypt(key_dir: Path) -> int:
    """Re-encrypt every sealed value (patients, second factors, orders' addresses, messages,
    slip codes, stored answers) under the active key: server/ops/reencrypt.py."""
    from server.core.db import make_engine
    from server.core.keys import KeyMaterial
    from server.ops.reencrypt import reencrypt_all
    from server.personal_data.cipher import FieldCipher

    url = os.environ.get("DATABASE_URL") or _local().urls.app
    cipher = FieldCipher(KeyMaterial.load(key_dir).keyring)
    engine = make_engine(url, pool_size=1)
    try:
        done = await reencrypt_all(engine, cipher)
    finally:
        await engine.dispose()
    print(f"re-encrypted under key version {cipher.keyring.active_version}: "
          + ", ".join(f"{name} {count}" for name, count in done.items()))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    if os.environ.get("RXP_ENV") in ("demo", "test"):
        print("rxp serve: RXP_ENV=demo/test is for `rxp demo` and the tests, not for serving",
              file=sys.stderr)
        return 2
    if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Every worker's request counts in one place, so any worker's /metrics sums them all
        # (the service unit sets its own folder under /run and empties it on start).
        import tempfile

        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="rxp-metrics-")
    cmd = [PY, "-m", "uvicorn", "--factory", "server.asgi:app_from_env", "--host", args.host,
           "--port", str(args.port), "--workers", str(args.workers), "--proxy-headers",
           "--timeout-graceful-shutdown", "5"]
    os.execv(PY, cmd)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from installers.bench import main as bench

    return bench(args.names)


def cmd_screenshots(args: argparse.Namespace) -> int:
    from installers.screenshots import run_screenshots

    out = args.out or (_local().state / "screenshots")
    return run_screenshots(out, args.app or None, args.demo_file)


def cmd_drill(args: argparse.Namespace) -> int:
    from installers.drills import main as drill

    return drill(args.names)


def _backup_store() -> BackupStore:
    from installers.backup import BackupStore

    return BackupStore(_local().state / "backup")


def cmd_backup(args: argparse.Namespace) -> int:
    env = _local()
    env.start_database()
    store = _backup_store()
    if store.enable_archiving(env.cluster):
        print("rxp backup: WAL archiving switched on; restarting PostgreSQL to apply it")
        env.cluster.stop()
        env.cluster.start()
    backup = store.take(env.cluster)
    if args.keep_days is not None:
        for label in store.prune(env.cluster, args.keep_days):
            print(f"removed base backup {label} (older than {args.keep_days} days)")
    print(f"base backup {backup.label}: {backup.size_bytes / 1e6:.1f} MB, "
          f"verified: {'yes' if backup.verified else 'NO: ' + backup.verify_output[-300:]}")
    return 0 if backup.verified else 1


def cmd_restore(args: argparse.Namespace) -> int:
    from datetime import datetime

    env = _local()
    target = None if args.to == "latest" else datetime.fromisoformat(args.to)
    if target is not None and target.tzinfo is None:
        target = target.astimezone()  # a local wall-clock time, as the operator typed it
    into = args.into or env.state / "restore"
    restored = _backup_store().restore(target, into, args.port or free_port())
    moment = target.isoformat() if target else "the end of the archive"
    print(f"restored to {moment} into {restored.datadir}, running on "
          f"127.0.0.1:{restored.port}; the live cluster was not touched")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from installers.handover import HandoverRefused, export_database, load_signing_key
    from server.core.keys import HANDOVER_KEY

    key_dir = Path(os.environ.get("RXP_KEY_DIR") or _local().key_dir)
    url = args.database or os.environ.get("DATABASE_MIGRATION_URL")
    if not url:
        env = _local()
        env.start_database()
        url = env.urls.superuser
    try:
        result = export_database(url, args.out, load_signing_key(key_dir / HANDOVER_KEY))
    except HandoverRefused as exc:
        print(f"rxp export: {exc}", file=sys.stderr)
        return 1
    print(f"exported {result.tables} tables, {result.rows} rows, {result.bytes / 1e6:.1f} MB "
          f"to {result.folder}")
    print(f"signing key fingerprint: {result.fingerprint}\n"
          "Give it to the receiving side by another channel (phone, letter); "
          "`rxp import --fingerprint` checks it.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from installers.handover import HandoverRefused, import_package

    def new_cluster() -> str:
        """A new cluster of its own, its roles' passwords in credentials.json (0600)."""
        import secrets

        from installers import database
        from installers.pgcluster import PgCluster

        into = (args.into or _local().state / "imported").resolve()
        cluster = PgCluster(into, args.port or free_port())
        cluster.init()
        cluster.start()
        passwords = {database.OWNER_ROLE: secrets.token_urlsafe(18),
                     database.APP_ROLE: secrets.token_urlsafe(18)}
        database.ensure_roles(cluster, passwords[database.OWNER_ROLE],
                              passwords[database.APP_ROLE])
        database.ensure_database(cluster, "rxp")
        fd = os.open(into / "credentials.json", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({"port": cluster.port, "passwords": passwords}, f, indent=2)
        print(f"new cluster in {cluster.datadir} on 127.0.0.1:{cluster.port}; role passwords "
              f"in {into / 'credentials.json'}")
        return cluster.superuser_url("rxp")

    if not args.fingerprint:
        print("rxp import: no --fingerprint given: the package's own public key is trusted; "
              "compare the fingerprint printed at the end with the exporting side's",
              file=sys.stderr)
    try:
        result = import_package(args.source, args.database or new_cluster,
                                expected_fingerprint=args.fingerprint)
    except HandoverRefused as exc:
        print(f"rxp import: refused, nothing loaded: {exc}", file=sys.stderr)
        return 1
    for problem in result.problems:
        print(f"rxp import: {problem}", file=sys.stderr)
    if result.problems and not result.rows:
        print("rxp import: the loaded rows disagree with the manifest; rolled back, nothing "
              "loaded", file=sys.stderr)
        return 1
    print(f"imported {result.tables} tables, {result.rows} rows; every count and digest as in "
          f"the manifest; {result.audit_text}\nsigned with the key of fingerprint "
          f"{result.fingerprint}")
    return 0 if result.audit_ok else 1
def cmd_build(args: argparse.Namespace) -> int:
    from installers.bundles.build import apps_named, build

    dist = args.dist or ROOT / ".rxp" / "dist"
    for app in apps_named(args.apps):
        bundle = build(app, dist=dist, work=ROOT / ".rxp" / "build")
        print(f"{app.name}: {bundle.program} ({bundle.size_bytes / 1e6:.0f} MB, built in "
              f"{bundle.seconds:.0f} s); check it with: {bundle.program} --self-test")
    return 0


def cmd_workstation(args: argparse.Namespace) -> int:
    from common import workstation_setup
    from installers.bundles import bundle_app

    app = bundle_app(args.app)
    return workstation_setup.report(args, app=app.name, devices=app.devices,
                                    kiosk=app.name == "kiosk")


def cmd_demo(args: argparse.Namespace) -> int:
    from installers.demo import run_demo

    return run_demo(headless=args.headless, once=args.once)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rxp", description="处方流转平台 — prescription "
                                     "circulation platform")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("test", help="run every check and test")
    p.add_argument("--no-lint", action="store_true", help="skip ruff / mypy / import contracts")
    p.add_argument("pytest_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_test)

    p = sub.add_parser("demo", help="run the demo group on the embedded PostgreSQL")
    p.add_argument("--headless", action="store_true", help="no apps, server only")
    p.add_argument("--once", action="store_true", help="run the scripted journey and stop")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("screenshots", help="render every app's screens with demo data")
    p.add_argument("--app", nargs="*", help="only these apps (doctor, pharmacist, ...)")
    p.add_argument("--out", type=Path, help="folder (default .rxp/screenshots)")
    p.add_argument("--demo-file", type=Path, help="use this running demo (its demo.json)")
    p.set_defaults(func=cmd_screenshots)

    p = sub.add_parser("serve", help="serve the API (production)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("db", help="the embedded PostgreSQL")
    p.add_argument("action", choices=["start", "stop", "status", "replica", "psql"])
    p.set_defaults(func=cmd_db)

    p = sub.add_parser("bench", help="performance benchmarks (BENCH lines)")
    p.add_argument("names", nargs="*", help="check signatures search submit events "
                                            "tracecode_race journey worklist "
                                            "doctor_start doctor_memory kiosk_card")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("drill", help="reliability drills (DRILL lines, reports in .rxp/reports)")
    p.add_argument("names", nargs="*",
                   help="drills to run (default: all; an unknown name lists them)")
    p.set_defaults(func=cmd_drill)

    p = sub.add_parser("export", help="data handover: all data in open formats, signed")
    p.add_argument("--out", type=Path, required=True, help="a new (or empty) folder")
    p.add_argument("--database", help="database URL (default: the local cluster, superuser)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="load a handover package into an empty database")
    p.add_argument("--from", dest="source", type=Path, required=True, help="the package folder")
    target = p.add_mutually_exclusive_group()
    target.add_argument("--database", help="URL of an empty database (connect as superuser)")
    target.add_argument("--into", type=Path,
                        help="make a new cluster in this folder (default .rxp/imported)")
    p.add_argument("--port", type=int, help="the new cluster's port (a free one)")
    p.add_argument("--fingerprint", help="the signing key fingerprint the exporter gave you")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("build", help="one-folder bundles of the apps (.rxp/dist/<app>)")
    p.add_argument("apps", nargs="*", help="doctor pharmacist pharmacy admin kiosk, or all")
    p.add_argument("--dist", type=Path, help="folder of the bundles (default .rxp/dist)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("workstation", help="write a workstation's configuration file")
    wsub = p.add_subparsers(dest="action", required=True)
    p = wsub.add_parser("configure", help="server, CA, ids and devices of this workstation")
    p.add_argument("--app", required=True,
                   help="doctor pharmacist pharmacy admin kiosk (what the file is for)")
    from common.workstation_setup import add_arguments

    add_arguments(p)
    p.set_defaults(func=cmd_workstation)

    p = sub.add_parser("backup", help="base backup of the local cluster (WAL archiving on)")
    p.add_argument("--keep-days", type=int, help="then remove backups older than this")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="point-in-time restore into a new folder")
    p.add_argument("--to", required=True,
                   help="the moment, ISO 8601 (2026-11-27T15:30:00+08:00), or latest")
    p.add_argument("--into", type=Path, help="folder of the restored cluster (.rxp/restore)")
    p.add_argument("--port", type=int, help="its port (a free one)")
    p.set_defaults(func=cmd_restore)

    sub.add_parser("migrate", help="upgrade the schema to head").set_defaults(func=cmd_migrate)
    sub.add_parser("seed", help="seed the demo group").set_defaults(func=cmd_seed)

    p = sub.add_parser("audit", help="audit log tools")
    p.add_argument("action", choices=["verify"])
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("inspect", help="the daily inspection (日常巡检), OK / WARN / FAIL")
    p.add_argument("--out", type=Path, help="report folder (default .rxp/reports)")
    p.add_argument("--requirements", type=Path,
                   help="audit this requirements file instead of the installed packages")
    p.set_defaults(func=cmd_inspect)

    p = sub.add_parser("keys", help="key folder: create keys, rotate the data key")
    p.add_argument("action", choices=["init", "rotate", "reencrypt"])
    p.set_defaults(func=cmd_keys)

    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
