"""Backups of a PostgreSQL cluster: continuous WAL archiving plus base backups, verified, and
point-in-time restore.

A backup store is one folder:

    wal/                  every WAL segment the cluster completed (archive_command copies it)
    base/<label>/         a plain-format pg_basebackup with its backup_manifest (SHA-256)
    catalog.json          the base backups: label, start and end time, size, verification

A base backup carries the WAL it needs to be consistent (`-X stream`), so it restores on its
own; the archive carries the cluster forward from there to any moment. Restoring never touches
the running cluster: it builds a new data folder from the newest base backup that ended before
the target, replays the archive up to the target time and promotes, on a port of its own. The
operator then points the server at it (or swaps folders) knowingly.

Retention: `prune(keep_days)` removes base backups older than the window, keeping the newest
one before it, and WAL older than the oldest kept backup (`pg_archivecleanup`).
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from installers.pgcluster import SUPERUSER, PgCluster


@dataclass
class BaseBackup:
    label: str
    started_at: str  # ISO 8601, UTC
    ended_at: str
    size_bytes: int
    verified: bool
    verify_output: str

    @property
    def ended(self) -> datetime:
        return datetime.fromisoformat(self.ended_at)


class BackupStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    @property
    def wal_dir(self) -> Path:
        return self.root / "wal"

    @property
    def base_dir(self) -> Path:
        return self.root / "base"

    @property
    def catalog_path(self) -> Path:
        return self.root / "catalog.json"

    # -- archiving ---------------------------------------------------------------------------
    def prepare(self, cluster: PgCluster) -> None:
        """The folders, writable by the server's user (archive_command runs as it)."""
        for d in (self.root, self.wal_dir, self.base_dir):
            d.mkdir(parents=True, exist_ok=True)
            d.chmod(0o700)
        cluster._chown(self.root, self.wal_dir, self.base_dir)

    def archiving_settings(self) -> list[str]:
        # `test ! -f` refuses to overwrite a segment already archived (the documented recipe):
        # a second cluster archiving into the same folder by mistake fails loudly instead.
        return ["archive_mode = on",
                f"archive_command = 'test ! -f {self.wal_dir}/%f && cp %p {self.wal_dir}/%f'",
                "archive_timeout = 60"]

    def enable_archiving(self, cluster: PgCluster) -> bool:
        """Write the archiving settings into the cluster's configuration; True when the server
        must restart for them to apply (archive_mode is read at start only)."""
        self.prepare(cluster)
        conf = cluster.datadir / "postgresql.conf"
        text = conf.read_text()
        marker = "# rxp wal archiving"
        if marker in text:
            return False
        conf.write_text(text + f"\n{marker}\n" + "\n".join(self.archiving_settings()) + "\n")
        return True

    def wait_archived(self, cluster: PgCluster, timeout: float = 60) -> str:
        """Close the current WAL segment and wait until the archiver has copied it: what
        was committed before this call is then in the archive. Returns the segment's name."""
        url = cluster.superuser_url().replace("+psycopg", "")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SELECT pg_switch_wal()")
            # The segment holding the switch record is the one that must reach the archive.
            row = conn.execute("SELECT pg_walfile_name(pg_current_wal_lsn() - 1)").fetchone()
            assert row is not None
            wanted = str(row[0])
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                done = conn.execute(
                    "SELECT last_archived_wal, last_failed_wal FROM pg_stat_archiver").fetchone()
                if done and done[0] and done[0] >= wanted:
                    return wanted
                time.sleep(0.2)
        raise TimeoutError(f"WAL segment {wanted} not archived within {timeout:.0f} s")

    # -- base backups ------------------------------------------------------------------------
    def catalog(self) -> list[BaseBackup]:
        if not self.catalog_path.exists():
            return []
        return [BaseBackup(**b) for b in json.loads(self.catalog_path.read_text())]

    def _save(self, backups: list[BaseBackup]) -> None:
        self.catalog_path.write_text(json.dumps([asdict(b) for b in backups], indent=2))

    def take(self, cluster: PgCluster) -> BaseBackup:
        """A base backup of the running cluster, verified against its manifest."""
        self.prepare(cluster)
        started = datetime.now(UTC)
        label = started.strftime("%Y%m%dT%H%M%S%fZ")
        target = self.base_dir / label
        cluster._run("pg_basebackup", "-h", str(cluster.sockdir), "-p", str(cluster.port),
                     "-U", SUPERUSER, "-D", str(target), "-X", "stream", "-c", "fast",
                     "--manifest-checksums=SHA256", "-l", f"rxp {label}")
        ended = datetime.now(UTC)
        verified, output = self.verify(cluster, target)
        size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
        backup = BaseBackup(label, started.isoformat(), ended.isoformat(), size, verified, output)
        self._save([*self.catalog(), backup])
        return backup

    @staticmethod
    def verify(cluster: PgCluster, target: Path) -> tuple[bool, str]:
        """pg_verifybackup: every file against the manifest's checksum, and the WAL the
        backup needs present and parseable."""
        result = cluster._run("pg_verifybackup", str(target), check=False)
        return result.returncode == 0, (result.stdout + result.stderr).strip()

    def prune(self, cluster: PgCluster, keep_days: int, now: datetime | None = None
              ) -> list[str]:
        """Drop base backups older than `keep_days` (keeping the newest one before the window,
        which the window's first moments need) and the WAL nothing kept needs any more."""
        now = now or datetime.now(UTC)
        backups = sorted(self.catalog(), key=lambda b: b.ended)
        cutoff = now - timedelta(days=keep_days)
        old = [b for b in backups if b.ended < cutoff]
        dropped = [b.label for b in old[:-1]]
        for label in dropped:
            shutil.rmtree(self.base_dir / label, ignore_errors=True)
        kept = [b for b in backups if b.label not in dropped]
        self._save(kept)
        if kept:
            oldest = self.base_dir / kept[0].label / "backup_label"
            start_wal = _start_wal(oldest)
            if start_wal:
                cluster._run("pg_archivecleanup", str(self.wal_dir), start_wal)
        return dropped

    # -- restore -----------------------------------------------------------------------------
    def restore(self, to: datetime | None, base: Path, port: int,
                bindir: Path | None = None, timeout: float = 120) -> PgCluster:
        """A new cluster at `base` (its data folder rebuilt), recovered to `to` (None: the end
        of the archive) and promoted.

        PostgreSQL refuses a target it does not reach: a moment after the last archived commit
        ends recovery with an error rather than silently at the end of the archive (the
        operator asked for a moment the backups do not cover); None asks for that end."""
        candidates = [b for b in self.catalog() if b.verified and (to is None or b.ended <= to)]
        if not candidates:
            raise LookupError("no verified base backup" + (
                f" ended before {to.isoformat()}" if to else ""))
        source = self.base_dir / max(candidates, key=lambda b: b.ended).label
        restored = PgCluster(base, port, bindir) if bindir else PgCluster(base, port)
        restored.stop("immediate")
        shutil.rmtree(restored.base, ignore_errors=True)
        restored._prepare_base()
        shutil.copytree(source, restored.datadir)
        (restored.datadir / "backup_manifest").unlink(missing_ok=True)
        for path in [restored.datadir, *restored.datadir.rglob("*")]:
            restored._chown(path)
        restored.datadir.chmod(0o700)
        with open(restored.datadir / "postgresql.conf", "a") as f:
            f.write("\n# rxp restore\n"
                    f"port = {port}\nunix_socket_directories = '{restored.sockdir}'\n"
                    "archive_mode = off\n"
                    f"restore_command = 'cp {self.wal_dir}/%f %p'\n"
                    + (f"recovery_target_time = '{to.isoformat()}'\n"
                       "recovery_target_action = 'promote'\n" if to else ""))
        (restored.datadir / "recovery.signal").touch()
        restored._chown(restored.datadir / "recovery.signal")
        restored.start(timeout=timeout)
        _wait_promoted(restored, timeout)
        return restored


def _start_wal(backup_label: Path) -> str | None:
    if not backup_label.exists():
        return None
    for line in backup_label.read_text().splitlines():
        if line.startswith("START WAL LOCATION:") and "(file " in line:
            return line.split("(file ", 1)[1].rstrip(")").strip()
    return None


def _wait_promoted(cluster: PgCluster, timeout: float) -> None:
    url = cluster.superuser_url().replace("+psycopg", "")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=3) as conn:
                row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
                if row is not None and not row[0]:
                    return
        except psycopg.OperationalError:
            pass
        time.sleep(0.3)
    tail = cluster.logfile.read_text(errors="replace")[-2000:]
    raise TimeoutError(f"restored cluster not promoted within {timeout:.0f} s\n{tail}")


# -- what a database holds, to compare two of them ------------------------------------------

def table_digests(url: str) -> dict[str, tuple[int, str]]:
    """Per table of the public schema: (row count, digest of its rows in a fixed order).

    Read in one repeatable-read transaction, a consistent moment."""
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return digests_in(conn)


def digests_in(conn: psycopg.Connection[Any]) -> dict[str, tuple[int, str]]:
    """`table_digests` on a connection whose transaction the caller holds (the handover export
    digests the very snapshot it writes out; its import, what it loaded before committing).

    The order is that of each row's own hash, so the digest does not depend on where rows
    sit on disk."""
    digests: dict[str, tuple[int, str]] = {}
    tables = [r[0] for r in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
    for table in tables:
        row: Any = conn.execute(
            f'SELECT count(*), coalesce(md5(string_agg(h, \'\' ORDER BY h)), \'\') '
            f'FROM (SELECT md5(t::text) AS h FROM public."{table}" t) rows').fetchone()
        digests[table] = (int(row[0]), str(row[1]))
    return digests
