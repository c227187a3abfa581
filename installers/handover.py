"""Data handover (数据移交): the whole database in open formats, signed, and its import.

`export_database` writes one folder:

    README.md                 what the files are and how they are written (Chinese and English)
    schema.sql                the schema DDL (`pg_dump --schema-only`, same snapshot as the data)
    dictionary.md / .csv      the data dictionary: every table and column, in Chinese and English
    data/<table>.csv          rows in primary-key order, PostgreSQL's own CSV (see FORMAT_NOTES)
    data/<table>.ndjson       the same rows, one JSON object per line
    manifest.json             per file its SHA-256 and size; per table its columns, row count and
                              the digest `installers.backup.digests_in` computes; sequences; the
                              audit chain's head
    manifest.json.sig         Ed25519 signature of manifest.json's bytes (base64)
    signing-key.pub           the public key (PEM); its fingerprint is printed at export

`import_export` verifies the signature and every file's hash before it touches the database,
refuses a database that already holds tables, loads schema and rows in one transaction (COPY
from the CSV files), checks every count and digest, the foreign keys and the NDJSON against the
manifest before committing, then verifies the audit chain up to the exported head.

Encrypted columns (`*_enc`, keyed hashes `*_bidx`) are exported as they are stored: the hospital
receiving the data holds the key folder (docs/operations/data-security.md section 6).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from installers.backup import digests_in
from installers.pgcluster import find_bindir

FORMAT = "rxp-handover/1"
MANIFEST, SIGNATURE, PUBLIC_KEY = "manifest.json", "manifest.json.sig", "signing-key.pub"
BOM = b"\xef\xbb\xbf"
BLOCK = 1 << 20
# Text output of dates, intervals, floats and bytea depends on session settings: the export
# fixes them (and records them in the manifest) so the files and the digests mean one thing,
# and the import digests under the same ones.
SESSION_SETTINGS = {"TimeZone": "UTC", "DateStyle": "ISO, YMD", "IntervalStyle": "postgres",
                    "extra_float_digits": "1", "bytea_output": "hex"}
# COPY in CSV mode with a quote and a delimiter that never occur in JSON text (control
# characters are escaped there) passes each NDJSON line through untouched.
RAW_LINES = "FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02'"

FORMAT_NOTES = """\
# 数据移交包 · Data handover package

本目录为处方流转平台数据库的完整导出，采用开放格式。The platform's whole database, in open
formats. `manifest.json` lists every file with its SHA-256 and every table with its row count;
`manifest.json.sig` is its Ed25519 signature, `signing-key.pub` the public key (compare its
fingerprint with the one the exporting operator gave you).

- `schema.sql`: 表结构（PostgreSQL DDL）. The schema, from `pg_dump --schema-only`.
- `dictionary.md`, `dictionary.csv`: 数据字典（中英文）. Every table and column described.
- `data/<表名>.csv`: UTF-8 **with BOM** (so that Excel and WPS open Chinese text correctly;
  without it they guess the ANSI code page, GBK, and show garbage), a header line, rows in
  primary-key order. Written by PostgreSQL's `COPY ... CSV`: an empty unquoted field is NULL,
  `""` is an empty string; times are ISO 8601 in UTC (`2026-11-27 10:15:00.123+00`); binary
  (`bytea`) is `\\x` followed by hex; arrays are PostgreSQL literals (`{a,b}`); json/jsonb is
  JSON text; numerics are exact decimal text.
- `data/<表名>.ndjson`: UTF-8 without BOM, one JSON object per row, same order. Keys are column
  names (the manifest gives the column order). **A column that is SQL NULL is left out**; a JSON
  `null` only occurs inside json/jsonb columns and means JSON null. Numerics are JSON numbers
  with every digit kept (read them as decimals, not floats; NaN is the string "NaN"); times are
  ISO 8601 strings with offset (`2026-11-27T10:15:00.123+00:00`); binary is a string `\\x` +
  hex; arrays are JSON arrays; json/jsonb values are embedded as JSON.
- 加密列 Encrypted columns (`*_enc`: AES-GCM with the key version in front; `*_bidx`: keyed
  hashes for search) are exported as stored. Reading them needs the key folder, handed over
  separately and sealed.

Import: `rxp import --from <this folder> --database <URL of an empty database>` (or `--into
<folder>` for a new cluster) verifies the signature and every hash first, then loads.
"""


class HandoverRefused(Exception):
    """The package or the target database is not acceptable; nothing was loaded."""


@dataclass
class ExportResult:
    folder: Path
    tables: int
    rows: int
    bytes: int
    fingerprint: str


@dataclass
class ImportResult:
    tables: int
    rows: int
    audit_ok: bool
    audit_text: str
    problems: list[str] = field(default_factory=list)
    fingerprint: str = ""  # of the key that signed the package


# -- keys ------------------------------------------------------------------------------------
def load_signing_key(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        raise HandoverRefused(f"no handover signing key at {path} (create it with "
                              "`rxp keys init`)")
    key = serialization.load_pem_private_key(path.read_bytes(), None)
    if not isinstance(key, Ed25519PrivateKey):
        raise HandoverRefused(f"{path} is not an Ed25519 key")
    return key


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, hex: what the two sides compare over the phone."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


# -- helpers ---------------------------------------------------------------------------------
def _dsn(url: str) -> str:
    return url.replace("+psycopg", "")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _apply_settings(conn: psycopg.Connection[Any]) -> None:
    for name, value in SESSION_SETTINGS.items():
        conn.execute("SELECT set_config(%s, %s, false)", (name, value))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def _tables(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    """Every table of the public schema: columns in order (name, type, nullable) and key."""
    tables = []
    for (name,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                "ORDER BY tablename").fetchall():
        columns = [{"name": c, "type": t, "nullable": not n} for c, t, n in conn.execute(
            "SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            (f"public.{_ident(name)}",)).fetchall()]
        key = [r[0] for r in conn.execute(
            "SELECT a.attname FROM pg_index i, unnest(i.indkey) WITH ORDINALITY k(attnum, n) "
            "JOIN pg_attribute a ON a.attnum = k.attnum "
            "WHERE i.indrelid = %s::regclass AND i.indisprimary AND a.attrelid = i.indrelid "
            "ORDER BY k.n", (f"public.{_ident(name)}",)).fetchall()]
        tables.append({"name": name, "columns": columns, "primary_key": key})
    return tables


def _order_by(table: dict[str, Any]) -> str:
    # Without a primary key (none today), the row's text gives a fixed order all the same.
    key = table["primary_key"]
    return ", ".join(f"r.{_ident(c)}" for c in key) if key else "r::text COLLATE \"C\""


def _ndjson_select(table: dict[str, Any]) -> str:
    """One JSON object per row with SQL NULL columns left out, so that JSON null (inside a
    json/jsonb column) and SQL NULL stay apart: the NDJSON is lossless."""
    drop = ", ".join(f"CASE WHEN r.{_ident(c['name'])} IS NULL THEN '{c['name']}' END"
                     for c in table["columns"] if c["nullable"])
    body = f"to_jsonb(r) - array_remove(ARRAY[{drop}]::text[], NULL)" if drop else "to_jsonb(r)"
    return (f"SELECT ({body})::text FROM public.{_ident(table['name'])} r "
            f"ORDER BY {_order_by(table)}")


def _copy_out(conn: psycopg.Connection[Any], sql: str, path: Path, prefix: bytes = b"") -> None:
    with open(path, "wb") as f, conn.cursor().copy(sql) as copy:
        f.write(prefix)
        for block in copy:
            f.write(block)


def _pg_dump_schema(url: str, snapshot: str, path: Path) -> None:
    # The password goes through the environment: a command line is visible to every user.
    params = conninfo_to_dict(_dsn(url))
    password = params.pop("password", None)
    env = {**os.environ, **({"PGPASSWORD": str(password)} if password else {})}
    result = subprocess.run(
        [str(find_bindir() / "pg_dump"), "--schema-only", f"--snapshot={snapshot}",
         "--no-password", "--dbname", make_conninfo("", **params), "--file", str(path)],
        capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"pg_dump --schema-only failed: {result.stderr.strip()}")


def _roles_in(schema_sql: str) -> list[str]:
    """The roles the DDL gives objects or rights to: they must exist where it is loaded."""
    found = set(re.findall(r"OWNER TO (\w+);", schema_sql))
    found |= set(re.findall(r"^GRANT .* TO (\w+);$", schema_sql, re.MULTILINE))
    return sorted(found - {"PUBLIC", "postgres"})


# -- export ----------------------------------------------------------------------------------
def export_database(url: str, out: Path, key: Ed25519PrivateKey) -> ExportResult:
    """Write the handover package of the database at `url` into `out` (new or empty)."""
    from installers.handover_dictionary import write_dictionary

    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise HandoverRefused(f"{out} is not empty: an export goes into a new folder")
    # Only its owner reads it: ciphertext and keyed hashes are still personal data.
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    (out / "data").mkdir(mode=0o700, exist_ok=True)
    with psycopg.connect(_dsn(url)) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        _apply_settings(conn)
        # pg_dump reads the schema in this transaction's snapshot: DDL and rows are one moment.
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        _pg_dump_schema(url, snapshot, out / "schema.sql")
        tables = _tables(conn)
        digests = digests_in(conn)
        for table in tables:
            name = table["name"]
            columns = ", ".join(f"r.{_ident(c['name'])}" for c in table["columns"])
            _copy_out(conn, f"COPY (SELECT {columns} FROM public.{_ident(name)} r ORDER BY "
                            f"{_order_by(table)}) TO STDOUT WITH (FORMAT csv, HEADER true)",
                      out / "data" / f"{name}.csv", BOM)
            _copy_out(conn, f"COPY ({_ndjson_select(table)}) TO STDOUT WITH ({RAW_LINES})",
                      out / "data" / f"{name}.ndjson")
            table["rows"], table["digest"] = digests[name]
            table["files"] = {"csv": f"data/{name}.csv", "ndjson": f"data/{name}.ndjson"}
        sequences = {s: (None if v is None else int(v)) for s, v in conn.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' "
            "ORDER BY 1").fetchall()}
        head = conn.execute("SELECT seq, hash FROM public.audit_event ORDER BY seq DESC LIMIT 1"
                            ).fetchone() if any(t["name"] == "audit_event" for t in tables) \
            else None
        source = conn.execute("SELECT current_database(), current_setting('server_version')"
                              ).fetchone()
        write_dictionary(conn, tables, out)
    (out / "README.md").write_text(FORMAT_NOTES, encoding="utf-8")
    schema_sql = (out / "schema.sql").read_text(encoding="utf-8")
    public = key.public_key()
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "source": {"database": source[0], "server_version": source[1]} if source else {},
        "session_settings": SESSION_SETTINGS,
        "digest": "per table: md5 of the concatenated md5(row::text), ordered by those "
                  "hashes, under session_settings",
        "roles": _roles_in(schema_sql),
        "tables": tables,
        "sequences": sequences,
        "audit_head": {"seq": int(head[0]), "hash": bytes(head[1]).hex()} if head else None,
        "files": {str(p.relative_to(out)): {"sha256": _sha256(p), "bytes": p.stat().st_size}
                  for p in sorted(out.rglob("*")) if p.is_file()},
        "signing_key_fingerprint": fingerprint(public),
    }
    body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    (out / MANIFEST).write_bytes(body)
    (out / SIGNATURE).write_text(base64.b64encode(key.sign(body)).decode() + "\n")
    (out / PUBLIC_KEY).write_bytes(public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return ExportResult(out, len(tables), sum(t["rows"] for t in tables),
                        sum(p.stat().st_size for p in out.rglob("*") if p.is_file()),
                        fingerprint(public))


# -- verification ----------------------------------------------------------------------------
def verify_package(folder: Path, expected_fingerprint: str | None = None) -> dict[str, Any]:
    """The manifest, once its signature and every file's hash are right; HandoverRefused with
    the first problem otherwise. Reads the files, touches no database."""
    folder = Path(folder)
    for name in (MANIFEST, SIGNATURE, PUBLIC_KEY):
        if not (folder / name).is_file():
            raise HandoverRefused(f"{name} missing from {folder}")
    try:
        public = serialization.load_pem_public_key((folder / PUBLIC_KEY).read_bytes())
    except ValueError as exc:
        raise HandoverRefused(f"{PUBLIC_KEY} is not a public key: {exc}") from exc
    if not isinstance(public, Ed25519PublicKey):
        raise HandoverRefused(f"{PUBLIC_KEY} is not an Ed25519 key")
    actual = fingerprint(public)
    if expected_fingerprint and actual != expected_fingerprint.lower().replace(":", ""):
        raise HandoverRefused(f"signing key fingerprint {actual} is not the expected "
                              f"{expected_fingerprint}")
    body = (folder / MANIFEST).read_bytes()
    try:
        public.verify(base64.b64decode((folder / SIGNATURE).read_text().strip()), body)
    except (InvalidSignature, ValueError) as exc:
        raise HandoverRefused(f"{MANIFEST}: signature does not verify (altered, or signed with "
                              "another key)") from exc
    manifest: dict[str, Any] = json.loads(body)
    if manifest.get("format") != FORMAT:
        raise HandoverRefused(f"unknown package format {manifest.get('format')!r}")
    if manifest.get("signing_key_fingerprint") != actual:
        raise HandoverRefused("the manifest names another signing key than signing-key.pub")
    listed = manifest["files"]
    present = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} - {
        MANIFEST, SIGNATURE, PUBLIC_KEY}
    if present != set(listed):
        extra, missing = sorted(present - set(listed)), sorted(set(listed) - present)
        raise HandoverRefused(f"files not as listed: extra {extra}, missing {missing}")
    for name, entry in listed.items():
        if _sha256(folder / name) != entry["sha256"]:
            raise HandoverRefused(f"{name}: SHA-256 differs from the manifest (file altered)")
    return manifest


# -- import ----------------------------------------------------------------------------------
def _schema_statements(schema_sql: str) -> str:
    """pg_dump's DDL without its psql-only `\\restrict` lines (they guard psql against
    meta-commands; here nothing interprets meta-commands). Any other backslash line is
    refused: it would be a psql command this loader cannot honour."""
    kept = []
    for line in schema_sql.splitlines():
        if line.startswith(("\\restrict ", "\\unrestrict ")):
            continue
        if line.startswith("\\"):
            raise HandoverRefused(f"schema.sql holds a psql command: {line[:60]}")
        kept.append(line)
    return "\n".join(kept)


def _check_target(conn: psycopg.Connection[Any], manifest: dict[str, Any]) -> None:
    row = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
    if not row or not row[0]:
        raise HandoverRefused("the import must connect as a superuser (it loads with triggers "
                              "and foreign-key checks deferred, then checks them itself)")
    existing = conn.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
    ).fetchone()[0]  # type: ignore[index]
    if existing:
        raise HandoverRefused(f"the target database is not empty ({existing} relations in "
                              "schema public): import only into a new, empty database")
    missing = [r for r in manifest["roles"] if not conn.execute(
        "SELECT 1 FROM pg_roles WHERE rolname = %s", (r,)).fetchone()]
    if missing:
        raise HandoverRefused(f"roles {', '.join(missing)} do not exist on the target cluster "
                              "(create them first; the schema grants rights to them)")


def _foreign_key_violations(conn: psycopg.Connection[Any]) -> list[str]:
    """Rows whose reference points nowhere (MATCH SIMPLE: a NULL in the key exempts it)."""
    problems = []
    for name, child, parent, ccols, pcols in conn.execute(
            "SELECT conname, conrelid::regclass::text, confrelid::regclass::text, "
            "ARRAY(SELECT attname FROM unnest(conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a"
            " ON a.attrelid = conrelid AND a.attnum = k.n ORDER BY k.i)::text[], "
            "ARRAY(SELECT attname FROM unnest(confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute"
            " a ON a.attrelid = confrelid AND a.attnum = k.n ORDER BY k.i)::text[] "
            "FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
            ).fetchall():
        present = " AND ".join(f"c.{_ident(c)} IS NOT NULL" for c in ccols)
        match = " AND ".join(f"p.{_ident(p)} = c.{_ident(c)}"
                             for c, p in zip(ccols, pcols, strict=True))
        count = conn.execute(f"SELECT count(*) FROM {child} c WHERE {present} AND NOT EXISTS "
                             f"(SELECT 1 FROM {parent} p WHERE {match})").fetchone()[0]  # type: ignore[index]
        if count:
            problems.append(f"{name}: {count} rows of {child} point nowhere in {parent}")
    return problems


def _ndjson_digest(conn: psycopg.Connection[Any], folder: Path, table: dict[str, Any]
                   ) -> tuple[int, str]:
    """The table digest computed from its NDJSON file: each line made back into a row of the
    table's type. json/jsonb columns are taken from the object directly (json_populate_record
    would turn a JSON null into SQL NULL)."""
    conn.execute("TRUNCATE handover_ndjson")
    _copy_in(conn, f"COPY handover_ndjson (line) FROM STDIN WITH ({RAW_LINES})",
             folder / table["files"]["ndjson"])
    name = _ident(table["name"])
    fields = []
    for c in table["columns"]:
        col = _ident(c["name"])
        if c["type"] in ("json", "jsonb"):
            fields.append(f"(j.line -> '{c['name']}')::{c['type']}")
        else:
            fields.append(f"r.{col}")
    row: Any = conn.execute(
        "SELECT count(*), coalesce(md5(string_agg(h, '' ORDER BY h)), '') FROM (SELECT "
        f"md5(ROW({', '.join(fields)})::public.{name}::text) AS h FROM handover_ndjson j, "
        f"jsonb_populate_record(NULL::public.{name}, j.line) r) rows").fetchone()
    return int(row[0]), str(row[1])


def _copy_in(conn: psycopg.Connection[Any], sql: str, path: Path) -> None:
    with open(path, "rb") as f, conn.cursor().copy(sql) as copy:
        for block in iter(lambda: f.read(BLOCK), b""):
            copy.write(block)


def load_package(folder: Path, url: str, manifest: dict[str, Any]) -> list[str]:
    """Schema and rows in one transaction; committed only when every count and digest (from
    the CSV as loaded, and from the NDJSON), and every foreign key, agrees with the manifest.
    Returns the problems (and then nothing is committed)."""
    with psycopg.connect(_dsn(url)) as conn:
        _check_target(conn, manifest)
        try:
            problems = _load(conn, Path(folder), manifest)
        except psycopg.Error as exc:  # e.g. a target server that cannot take this DDL
            problems = [f"loading failed: {str(exc).strip()}"]
        if problems:
            conn.rollback()
        return problems


def _load(conn: psycopg.Connection[Any], folder: Path, manifest: dict[str, Any]) -> list[str]:
    conn.execute(_schema_statements((folder / "schema.sql").read_text(encoding="utf-8")))
    _apply_settings(conn)
    # As pg_dump's data-only restores do: no triggers, no foreign-key checks while
    # loading (rows come in table order, not dependency order); checked below instead.
    conn.execute("SET LOCAL session_replication_role = replica")
    for table in manifest["tables"]:
        columns = ", ".join(_ident(c["name"]) for c in table["columns"])
        _copy_in(conn, f"COPY public.{_ident(table['name'])} ({columns}) FROM STDIN "
                       "WITH (FORMAT csv, HEADER true)", folder / table["files"]["csv"])
    conn.execute("SET LOCAL session_replication_role = origin")
    for name, value in manifest["sequences"].items():
        if value is not None:
            conn.execute("SELECT setval(%s::regclass, %s, true)",
                         (f"public.{_ident(name)}", value))
    problems = _foreign_key_violations(conn)
    expected = {t["name"]: (t["rows"], t["digest"]) for t in manifest["tables"]}
    loaded = digests_in(conn)
    problems += [f"{t}: manifest {expected.get(t)}, loaded {loaded.get(t)}"
                 for t in sorted(expected.keys() | loaded.keys())
                 if expected.get(t) != loaded.get(t)]
    conn.execute("CREATE TEMP TABLE handover_ndjson (line jsonb) ON COMMIT DROP")
    for table in manifest["tables"]:
        got = _ndjson_digest(conn, folder, table)
        if got != (table["rows"], table["digest"]):
            problems.append(f"{table['name']}.ndjson: manifest "
                            f"{(table['rows'], table['digest'])}, read {got}")
    return problems


async def verify_audit_chain(url: str, head: dict[str, Any] | None) -> tuple[bool, str]:
    """The audit chain of the loaded database, which must reach the exported head with the
    same hash (the head serves as a checkpoint: a chain cut short or rewritten fails)."""
    from sqlalchemy.ext.asyncio import AsyncSession

    from server.audit.checkpoints import Checkpoint
    from server.audit.verify import verify_chain
    from server.core.db import make_engine

    checkpoints = [Checkpoint(int(head["seq"]), bytes.fromhex(head["hash"]), "export",
                              Path(MANIFEST))] if head else []
    # The operator may give a libpq URL; the server's engine wants the psycopg dialect.
    engine = make_engine(re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url), pool_size=1)
    try:
        async with AsyncSession(engine) as session:
            result = await verify_chain(session, checkpoints)
        return result.ok, result.describe()
    finally:
        await engine.dispose()


def import_package(folder: Path, target: str | Callable[[], str], *,
                   expected_fingerprint: str | None = None) -> ImportResult:
    """Verify the package, load it into the empty database at `target` (a URL, or a function
    that makes the database and returns its URL, called only once the package verified), and
    verify the audit chain."""
    import asyncio

    manifest = verify_package(folder, expected_fingerprint)
    url = target if isinstance(target, str) else target()
    problems = load_package(folder, url, manifest)
    if problems:
        return ImportResult(len(manifest["tables"]), 0, False, "not loaded", problems,
                            manifest["signing_key_fingerprint"])
    ok, text = asyncio.run(verify_audit_chain(url, manifest["audit_head"]))
    return ImportResult(len(manifest["tables"]), sum(t["rows"] for t in manifest["tables"]),
                        ok, text, [] if ok else [text], manifest["signing_key_fingerprint"])
