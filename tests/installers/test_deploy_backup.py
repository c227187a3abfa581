"""The backup script of installers/deploy against the real test cluster: a verified base backup
that `rxp inspect` reads, a damaged one that it reports, and the retention it keeps."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from installers import inspect

pytestmark = pytest.mark.slow
DEPLOY = Path(__file__).resolve().parents[2] / "installers" / "deploy"
SCRIPT = DEPLOY / "postgres" / "rxp-backup"


def old_backup(folder: Path, stamp: str) -> Path:
    path = folder / stamp
    path.mkdir(parents=True)
    (path / "rxp-backup.json").write_text(json.dumps({
        "started_at": "2020-01-01T00:00:00+00:00", "finished_at": "2020-01-01T00:00:00+00:00",
        "verified": True, "size_bytes": 1}))
    return path


def test_a_verified_backup_is_read_by_the_inspection_and_old_ones_are_pruned(pg, db, tmp_path):
    backups = tmp_path / "backups"
    recent = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y%m%dT%H%M%SZ")
    kept_monthly = old_backup(backups, "20240105T010000Z")
    second_of_month = old_backup(backups, "20240110T010000Z")
    too_old = old_backup(backups, "20221005T010000Z")
    kept_recent = old_backup(backups, recent)

    env = {**os.environ, "RXP_BACKUP_DIR": str(backups), "PGHOST": str(pg.cluster.sockdir),
           "PGPORT": str(pg.cluster.port), "PGUSER": "postgres",
           "PG_BINDIR": str(pg.cluster.bindir)}
    done = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "verified" in done.stdout

    now = datetime.now(UTC)
    finding = inspect.check_backup(backups, now)
    assert finding.status == "OK", finding
    assert "校验通过" in finding.figure
    assert kept_monthly.exists() and kept_recent.exists()
    assert not second_of_month.exists() and not too_old.exists()
    assert not list(backups.glob(".incomplete-*"))

    # A day and a half later nothing new has come: a night was missed.
    assert inspect.check_backup(backups, now + timedelta(hours=30)).status == "WARN"
    assert inspect.check_backup(backups, now + timedelta(hours=60)).status == "FAIL"

    # A backup that fails its verification is a failure, with pg_verifybackup's words.
    newest = sorted(backups.glob("*T*Z"))[-1]
    record = json.loads((newest / "rxp-backup.json").read_text())
    (newest / "rxp-backup.json").write_text(json.dumps({**record, "verified": False}))
    (newest / "verify.log").write_text("pg_verifybackup: error: \"base/1/1259\" has size 0\n")
    failed = inspect.check_backup(backups, now)
    assert failed.status == "FAIL" and "1259" in failed.detail


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
def test_the_deployment_scripts_are_shellcheck_clean():
    scripts = [SCRIPT, *sorted((DEPLOY / "postgres").glob("*.sh"))]
    assert len(scripts) >= 3
    done = subprocess.run(["shellcheck", *map(str, scripts)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout
