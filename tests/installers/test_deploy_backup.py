"""The production backup script of installers/deploy against the real test cluster: a verified
base backup in the backup store `rxp inspect` reads, a failed verification that it reports, and
the retention it keeps (daily window, first of each month for three years)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from installers import inspect
from installers.backup import BackupStore
from installers.pgcluster import free_port

pytestmark = pytest.mark.slow
DEPLOY = Path(__file__).resolve().parents[2] / "installers" / "deploy"
SCRIPT = DEPLOY / "postgres" / "rxp-backup"


def catalogue(store: Path, *ended: datetime) -> None:
    """Earlier backups, as earlier runs left them (a folder each, and their entries)."""
    entries = []
    for when in ended:
        label = when.strftime("%Y%m%dT%H%M%S%fZ")
        (store / "base" / label).mkdir(parents=True)
        entries.append({"label": label, "started_at": when.isoformat(),
                        "ended_at": when.isoformat(), "size_bytes": 1, "verified": True,
                        "verify_output": "backup successfully verified"})
    (store / "catalog.json").write_text(json.dumps(entries))


def run_script(store: Path, host: str, port: int, bindir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RXP_BACKUP_DIR": str(store), "PGHOST": host, "PGPORT": str(port),
           "PGUSER": "postgres", "PG_BINDIR": str(bindir)}
    return subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, timeout=300,
                          check=False)


def test_a_verified_backup_is_read_by_the_inspection_and_old_ones_are_pruned(pg, db, tmp_path):
    store = tmp_path / "backups"
    now = datetime.now(UTC)
    this_month = now.replace(day=1, hour=3, minute=0, second=0, microsecond=0)
    two_years_ago = this_month.replace(year=this_month.year - 2)
    kept_monthly = two_years_ago
    second_of_that_month = two_years_ago + timedelta(days=5)
    too_old = this_month.replace(year=this_month.year - 4)
    before_window = now - timedelta(days=40)
    recent = now - timedelta(days=3)
    catalogue(store, too_old, kept_monthly, second_of_that_month, before_window, recent)

    done = run_script(store, str(pg.cluster.sockdir), pg.cluster.port, pg.cluster.bindir)
    assert done.returncode == 0, done.stderr
    assert "verified" in done.stdout

    backups = BackupStore(store).catalog()
    labels = [b.label for b in backups]
    newest = backups[-1]
    assert newest.verified and newest.size_bytes > 1_000_000
    assert (store / "base" / newest.label / "backup_manifest").exists()
    expected = [w.strftime("%Y%m%dT%H%M%S%fZ")
                for w in (kept_monthly, before_window, recent)] + [newest.label]
    assert labels == expected, "monthly copy, the one before the window, the window"
    assert sorted(p.name for p in (store / "base").iterdir()) == sorted(expected)

    finding = inspect.check_backup(store, datetime.now(UTC))
    assert finding.status == "OK", finding
    assert "校验通过" in finding.figure and "共 4 份" in finding.figure

    # A day and a half later nothing new has come: a night was missed.
    assert inspect.check_backup(store, now + timedelta(hours=30)).status == "WARN"
    assert inspect.check_backup(store, now + timedelta(hours=60)).status == "FAIL"

    # A backup that fails its verification is a failure, with pg_verifybackup's words.
    entries = json.loads((store / "catalog.json").read_text())
    entries[-1].update(verified=False,
                       verify_output='pg_verifybackup: error: "base/1/1259" has size 0')
    (store / "catalog.json").write_text(json.dumps(entries))
    failed = inspect.check_backup(store, datetime.now(UTC))
    assert failed.status == "FAIL" and "1259" in failed.detail
    assert inspect.check_backup(tmp_path / "nowhere", now).status == "FAIL"


def test_on_a_standby_the_script_leaves_the_backup_to_the_leader(pg, db, tmp_path):
    """Under Patroni the timer runs on both nodes; after a failover the backups follow the
    leader without an operator moving the timer."""
    base = Path(tempfile.mkdtemp(prefix="rxp-backup-standby-"))
    base.chmod(0o711)
    standby = pg.cluster.make_replica(base / "replica", free_port())
    try:
        store = tmp_path / "backups"
        done = run_script(store, str(standby.sockdir), standby.port, standby.bindir)
        assert done.returncode == 0, done.stderr
        assert "standby" in done.stdout
        assert not store.exists(), "nothing taken, nothing pruned"
    finally:
        standby.destroy()
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
def test_the_deployment_scripts_are_shellcheck_clean():
    scripts = [SCRIPT, *sorted((DEPLOY / "postgres").glob("*.sh"))]
    assert len(scripts) >= 3
    done = subprocess.run(["shellcheck", *map(str, scripts)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout
