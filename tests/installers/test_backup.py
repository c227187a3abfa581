"""Backups and point-in-time restore on real clusters of their own (durable, archiving)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from installers import drills
from installers.backup import BackupStore, table_digests
from installers.drills import pitr
from installers.pgcluster import PgCluster, free_port


@pytest.fixture
def state(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A state folder the unprivileged PostgreSQL user can reach (pytest's tmp_path cannot)."""
    folder = workdir / f"state-{uuid.uuid4().hex[:8]}"
    folder.mkdir(mode=0o711)
    folder.chmod(0o711)
    monkeypatch.setenv("RXP_STATE_DIR", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_the_pitr_drill_restores_the_moment_and_undoes_what_came_after(
        state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pitr, "WRITE_SECONDS", 4.0)
    result = pitr.drill_pitr()
    assert result.passed, (result.figures, result.details)
    assert "0 differing" in result.figures and "audit chain ok" in result.figures
    assert result.report is not None and result.report.exists()
    assert (state / "reports" / "drill-pitr-writes.png").stat().st_size > 1000
    assert not (state / "drills" / "pitr").exists() or not any(
        (state / "drills" / "pitr").iterdir())  # the drill cleans up after itself
    assert "pitr" in drills.names()


class TestBackupStore:
    @pytest.fixture
    def cluster(self, state: Path) -> PgCluster:
        cluster = PgCluster(state / "primary", free_port())
        cluster.init()
        return cluster

    def test_a_corrupted_backup_fails_verification(self, cluster: PgCluster,
                                                   state: Path) -> None:
        store = BackupStore(state / "backup")
        store.enable_archiving(cluster)
        cluster.start()
        try:
            backup = store.take(cluster)
            assert backup.verified, backup.verify_output
            victim = next(p for p in (store.base_dir / backup.label / "global").iterdir()
                          if p.is_file() and p.stat().st_size > 100)
            data = bytearray(victim.read_bytes())
            data[50] ^= 0xFF
            victim.write_bytes(bytes(data))
            ok, output = store.verify(cluster, store.base_dir / backup.label)
            assert not ok and "checksum mismatch" in output
        finally:
            cluster.destroy()

    def test_restore_needs_a_backup_from_before_the_moment(self, cluster: PgCluster,
                                                           state: Path) -> None:
        store = BackupStore(state / "backup")
        store.enable_archiving(cluster)
        cluster.start()
        try:
            store.take(cluster)
            with pytest.raises(LookupError):
                store.restore(datetime.now(UTC) - timedelta(hours=1), state / "r", free_port())
        finally:
            cluster.destroy()

    def test_prune_keeps_the_window_and_the_backup_before_it(self, cluster: PgCluster,
                                                             state: Path) -> None:
        store = BackupStore(state / "backup")
        store.enable_archiving(cluster)
        cluster.start()
        try:
            first, second, third = (store.take(cluster) for _ in range(3))
            url = cluster.superuser_url().replace("+psycopg", "")
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("CREATE TABLE t (n int)")
                conn.execute("INSERT INTO t VALUES (1)")
                moment = conn.execute("SELECT clock_timestamp()").fetchone()[0]  # type: ignore[index]
                conn.execute("INSERT INTO t VALUES (2)")
            store.wait_archived(cluster)
            # Seen from 40 days on with a 30-day window: all three are outside it; the newest
            # of them stays, as the base of the window's first moments.
            later = third.ended + timedelta(days=40)
            dropped = store.prune(cluster, keep_days=30, now=later)
            assert dropped == [first.label, second.label]
            assert [b.label for b in store.catalog()] == [third.label]
            assert not (store.base_dir / first.label).exists()
            for to, rows in ((moment, 1), (None, 2)):
                restored = store.restore(to, state / "r", free_port())
                try:
                    assert table_digests(restored.superuser_url())["t"][0] == rows
                finally:
                    restored.destroy()
        finally:
            cluster.destroy()
