"""Data handover: export in open formats, signed; import into an empty database, verified.

The drill runs short here (its own two clusters); the other tests export a clone of the seeded
template and import it into an empty database of the test cluster."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import pytest

from installers import database, drills
from installers.backup import table_digests
from installers.drills import handover as handover_drill
from installers.handover import (
    MANIFEST,
    SIGNATURE,
    HandoverRefused,
    export_database,
    import_package,
    load_signing_key,
)
from installers.handover_dictionary import describe_column
from server.core.keys import HANDOVER_KEY
from tests.installers.test_backup import state  # noqa: F401 (the fixture)

if TYPE_CHECKING:
    from tests.conftest import TestCluster


def test_the_handover_drill_reproduces_every_table_and_refuses_altered_packages(
        state: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(handover_drill, "AUDIT_EVENTS", 200)
    result = handover_drill.drill_handover()
    assert result.passed, (result.figures, result.details)
    assert "0 differing" in result.figures and "audit chain ok" in result.figures
    assert "refused 4/4" in result.figures
    assert result.report is not None and "a data file changed" in result.report.read_text()
    assert (state / "reports" / "drill-handover-sizes.png").stat().st_size > 1000
    assert "handover" in drills.names()


@pytest.fixture
def empty(pg: TestCluster, superuser: psycopg.Connection[Any]) -> Iterator[str]:
    """An empty database of the test cluster (template0: not even an extension), as superuser."""
    name = f"h_{uuid.uuid4().hex[:16]}"
    superuser.execute(f"CREATE DATABASE {name} OWNER {database.OWNER_ROLE} TEMPLATE template0")
    yield pg.cluster.superuser_url(name)
    superuser.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _relations(url: str) -> int:
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        return int(conn.execute("SELECT count(*) FROM pg_class WHERE relnamespace = "
                                "'public'::regnamespace").fetchone()[0])  # type: ignore[index]


def _resign(folder: Path, key_dir: Path, name: str) -> None:
    """Change nothing but the manifest's record of `name`, signed with the right key: a package
    whose files disagree with each other, not one that fails its signature."""
    manifest = json.loads((folder / MANIFEST).read_text())
    data = (folder / name).read_bytes()
    manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    (folder / MANIFEST).write_bytes(body)
    key = load_signing_key(key_dir / HANDOVER_KEY)
    (folder / SIGNATURE).write_text(base64.b64encode(key.sign(body)).decode())


class TestRoundTrip:
    @pytest.fixture
    def source(self, db: database.DatabaseUrls) -> str:
        """The seeded clone, plus values that are easy to lose: a JSON null beside an SQL
        NULL in the same jsonb column, Chinese text, an exact numeric."""
        with psycopg.connect(db.superuser.replace("+psycopg", "")) as conn:
            pharmacy = conn.execute("SELECT id FROM organisation WHERE kind = 'pharmacy' "
                                    "LIMIT 1").fetchone()[0]  # type: ignore[index]
            for day, hours in (("2026-12-24", "null"), ("2026-12-25", None)):
                conn.execute("INSERT INTO pharmacy_closure (id, pharmacy_id, on_date, closed, "
                             "hours, note) VALUES (gen_random_uuid(), %s, %s, %s, "
                             "CAST(%s AS jsonb), '平安夜 \"特殊\" 营业,\n第二行')",
                             (pharmacy, day, hours is None, hours))
        return db.superuser

    def test_import_reproduces_every_count_digest_and_the_audit_chain(
            self, source: str, empty: str, workdir: Path, key_dir: Path) -> None:
        out = workdir / f"export-{uuid.uuid4().hex[:8]}"
        export = export_database(source, out, load_signing_key(key_dir / HANDOVER_KEY))
        assert export.tables == len(table_digests(source))
        csv = (out / "data" / "pharmacy_closure.csv").read_bytes()
        assert csv.startswith(b"\xef\xbb\xbfid,pharmacy_id,on_date,closed,hours,note\r\n"
                              ) or csv.startswith(b"\xef\xbb\xbfid,pharmacy_id,on_date,closed,"
                                                  b"hours,note\n")
        lines = [json.loads(line) for line in
                 (out / "data" / "pharmacy_closure.ndjson").read_text().splitlines()]
        by_day = {line["on_date"]: line for line in lines}
        assert by_day["2026-12-24"]["hours"] is None  # JSON null: the key is there
        assert "hours" not in by_day["2026-12-25"]  # SQL NULL: the key is left out
        manifest = json.loads((out / MANIFEST).read_text())
        assert set(manifest["files"]) >= {"schema.sql", "dictionary.md", "dictionary.csv",
                                          "README.md", "data/patient.csv",
                                          "data/patient.ndjson"}
        assert re.search(r"CREATE TABLE public\.patient ", (out / "schema.sql").read_text())
        dictionary = (out / "dictionary.csv").read_text(encoding="utf-8-sig").splitlines()
        assert len(dictionary) > 1 + export.tables * 3
        assert all(",," not in row.split(",", 4)[4] for row in dictionary[1:])  # zh, en filled

        result = import_package(out, empty, expected_fingerprint=export.fingerprint)
        assert result.audit_ok and not result.problems, result.problems
        assert table_digests(empty) == table_digests(source)
        with pytest.raises(HandoverRefused, match="not empty"):
            import_package(out, empty)

    def test_a_signed_package_whose_ndjson_disagrees_is_not_committed(
            self, source: str, empty: str, workdir: Path, key_dir: Path) -> None:
        out = workdir / f"export-{uuid.uuid4().hex[:8]}"
        export_database(source, out, load_signing_key(key_dir / HANDOVER_KEY))
        ndjson = out / "data" / "organisation.ndjson"
        ndjson.write_text(ndjson.read_text().replace('"status": "active"',
                                                     '"status": "frozen"', 1))
        _resign(out, key_dir, "data/organisation.ndjson")
        result = import_package(out, empty)
        assert any(p.startswith("organisation.ndjson") for p in result.problems), result.problems
        assert _relations(empty) == 0  # rolled back: not even the schema stayed

    def test_an_altered_file_is_refused_before_the_database_is_touched(
            self, source: str, empty: str, workdir: Path, key_dir: Path) -> None:
        out = workdir / f"export-{uuid.uuid4().hex[:8]}"
        export_database(source, out, load_signing_key(key_dir / HANDOVER_KEY))
        (out / "data" / "extra.csv").write_text("x\n")
        with pytest.raises(HandoverRefused, match="extra"):
            import_package(out, lambda: pytest.fail("the database was asked for"))


def test_every_column_gets_a_chinese_and_an_english_description() -> None:
    for name in ("created_by_id", "id_number_bidx", "address_enc", "delivery_fee_fen",
                 "opening_hours", "last_seen_at", "assigned_to_id"):
        zh, en, _ = describe_column(name)
        assert re.search("[\u4e00-\u9fff]", zh) and not re.search("[a-z]", zh), (name, zh)
        assert en and name not in en, (name, en)
    assert describe_column("address_enc")[0].startswith("地址（密文")
