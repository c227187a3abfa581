"""The `handover` drill: export everything, import it into an empty database elsewhere.

A durable cluster of its own with the schema and the demo group, plus a stretch of activity on
the audit chain and the live-event log. `installers.handover` exports it (CSV, NDJSON, DDL, the
data dictionary, the signed manifest); a new cluster with an empty database is made, and three
altered copies of the package are offered to it first (one data file changed, the manifest
changed, the manifest re-signed with another key): each must be refused before anything is
loaded. Then the real package is imported, and every table's row count and digest compared
with the source's, and the audit chain verified up to the exported head. A second import into
the loaded database must be refused too.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from installers import database
from installers.backup import table_digests
from installers.drills import DrillResult, reports_dir, seeded_cluster, workdir
from installers.drills.charts import bar_chart
from installers.handover import (
    MANIFEST,
    PUBLIC_KEY,
    SIGNATURE,
    HandoverRefused,
    export_database,
    import_package,
    load_signing_key,
)
from installers.pgcluster import PgCluster, free_port

AUDIT_EVENTS = 5_000  # appended after seeding: the audit chain is what grows in production


async def _activity(url: str, events: int) -> None:
    """`events` audit events and as many live events, in transactions of 100."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import AsyncSession

    from server.audit import repository as audit_repository
    from server.core.db import make_engine

    engine = make_engine(url, pool_size=1)
    try:
        async with AsyncSession(engine) as session:
            org_id = (await session.execute(text(
                "SELECT id FROM organisation ORDER BY path LIMIT 1"))).scalar_one()
        for start in range(0, events, 100):
            async with AsyncSession(engine) as session, session.begin():
                for i in range(start, min(start + 100, events)):
                    await session.execute(text(
                        "INSERT INTO live_event (type, org_id, payload, user_ids, roles) VALUES "
                        "('drill.handover', :org, CAST(:p AS jsonb), '{}', '{}')"),
                        {"org": org_id, "p": f'{{"i": {i}, "note": "移交演练 {i}"}}'})
                    await audit_repository.append(session, {
                        "occurred_at": datetime.now(UTC), "actor_kind": "system",
                        "actor_name": "drill handover", "action": "drill.handover.write",
                        "outcome": "success", "summary": {"i": i, "text": "移交演练"}})
    finally:
        await engine.dispose()


def _tamper_file(folder: Path) -> None:
    victim = max((folder / "data").glob("*.csv"), key=lambda p: p.stat().st_size)
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))


def _tamper_manifest(folder: Path) -> None:
    text = (folder / MANIFEST).read_text(encoding="utf-8")
    (folder / MANIFEST).write_text(text.replace('"rows": ', '"rows": 1', 1), encoding="utf-8")


def _resign(folder: Path) -> None:
    """Altered and signed again, with a key of the forger's own: only the pinned fingerprint
    tells it apart."""
    import base64

    _tamper_manifest(folder)
    forger = Ed25519PrivateKey.generate()
    body = (folder / MANIFEST).read_bytes()
    (folder / SIGNATURE).write_text(base64.b64encode(forger.sign(body)).decode())
    (folder / PUBLIC_KEY).write_bytes(forger.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))


def _relations(url: str) -> int:
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        return int(conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public'").fetchone()[0])  # type: ignore[index]


def _refused(package: Path, url: str, fingerprint: str) -> str | None:
    """The reason the import refused `package` (and left the database empty), else None."""
    try:
        import_package(package, url, expected_fingerprint=fingerprint)
    except HandoverRefused as exc:
        return str(exc) if _relations(url) == 0 else None
    return None


def drill_handover() -> DrillResult:
    from server.core.keys import HANDOVER_KEY

    base = workdir("handover")
    source: PgCluster | None = None
    target: PgCluster | None = None
    try:
        source, urls = seeded_cluster(base)
        asyncio.run(_activity(urls.owner, AUDIT_EVENTS))
        expected = table_digests(source.superuser_url("rxp"))

        t0 = time.monotonic()
        export = export_database(source.superuser_url("rxp"), base / "export",
                                 load_signing_key(base / "keys" / HANDOVER_KEY))
        export_seconds = time.monotonic() - t0

        target = PgCluster(base / "target", free_port())
        target.init()
        target.start()
        database.ensure_roles(target, "handover-owner", "handover-app")
        database.ensure_database(target, "rxp")
        target_url = target.superuser_url("rxp")

        tampering: dict[str, Callable[[Path], None]] = {
            "a data file changed": _tamper_file, "the manifest changed": _tamper_manifest,
            "the manifest re-signed with another key": _resign}
        refusals: dict[str, str | None] = {}
        for label, tamper in tampering.items():
            copy = base / f"tampered-{len(refusals)}"
            shutil.copytree(export.folder, copy)
            tamper(copy)
            refusals[label] = _refused(copy, target_url, export.fingerprint)
            shutil.rmtree(copy)

        t0 = time.monotonic()
        imported = import_package(export.folder, target_url,
                                  expected_fingerprint=export.fingerprint)
        import_seconds = time.monotonic() - t0
        got = table_digests(target_url)
        try:
            import_package(export.folder, target_url, expected_fingerprint=export.fingerprint)
            refusals["a second import into the loaded database"] = None
        except HandoverRefused as exc:
            refusals["a second import into the loaded database"] = str(exc)

        differing = sorted(t for t in expected.keys() | got.keys() if expected.get(t) != got.get(t))
        refused = sum(1 for r in refusals.values() if r)
        passed = (not differing and imported.audit_ok and not imported.problems
                  and refused == len(refusals) and len(expected) == export.tables)
        rows = sum(count for count, _ in expected.values())
        figures = (f"{export.tables} tables, {rows} rows, {export.bytes / 1e6:.1f} MB; export "
                   f"{export_seconds:.1f} s, import {import_seconds:.1f} s; {len(differing)} "
                   f"differing; audit chain {'ok' if imported.audit_ok else 'BROKEN'}; "
                   f"refused {refused}/{len(refusals)} altered or misdirected imports")
        details = [f"differs: {t} source {expected.get(t)} imported {got.get(t)}"
                   for t in differing[:10]]
        details += imported.problems[:10]
        details += [f"NOT refused: {label}" for label, why in refusals.items() if not why]
        report = _report(passed, figures, export.folder, expected, got, differing, refusals,
                         imported.audit_text, export.fingerprint)
        return DrillResult("handover", passed, figures, report, details)
    finally:
        for cluster in (target, source):
            if cluster is not None:
                cluster.destroy()
        shutil.rmtree(base, ignore_errors=True)


def _report(passed: bool, figures: str, folder: Path, expected: dict[str, tuple[int, str]],
            got: dict[str, tuple[int, str]], differing: list[str],
            refusals: dict[str, str | None], audit_text: str, fingerprint: str) -> Path:
    out = reports_dir()
    sizes = sorted(((t, sum(p.stat().st_size for p in (folder / "data").glob(f"{t}.*")) / 1e3)
                    for t in expected), key=lambda s: -s[1])[:15]
    chart = bar_chart(out / "drill-handover-sizes.png",
                      "handover package: the largest tables (CSV + NDJSON)",
                      [s[0] for s in sizes], [s[1] for s in sizes], unit="kB")
    lines = [
        f"# Drill handover: {'PASS' if passed else 'FAIL'}", "",
        figures, "",
        f"Signing key fingerprint (SHA-256 of the Ed25519 public key): `{fingerprint}`", "",
        f"![the largest tables]({chart.name})", "",
        "## Refused imports", "",
        "| offered | refused with |", "|---|---|",
        *[f"| {label} | {why or 'NOT REFUSED'} |" for label, why in refusals.items()], "",
        f"Audit chain of the imported database: {audit_text}", "",
        "## Tables", "",
        "| table | rows in the source | rows imported | digest |", "|---|---:|---:|---|",
    ]
    for table in sorted(expected.keys() | got.keys()):
        e, g = expected.get(table, (0, "")), got.get(table, (0, ""))
        lines.append(f"| {table} | {e[0]} | {g[0]} | "
                     f"{'same' if table not in differing else 'DIFFERENT'} |")
    path = out / "drill-handover.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
