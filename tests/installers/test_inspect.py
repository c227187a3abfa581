"""`rxp inspect` against a real cluster with a real streaming replica and real certificates:
every item is reported, and a stopped replica or a certificate near its expiry turns the right
item to WARN / FAIL."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from installers import inspect
from installers.pgcluster import PgCluster, free_port
from server.settings import Settings

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
LABELS = ("主库", "只读副本", "复制延迟", "备份", "磁盘空间", "TLS 证书", "审计链", "消息发件箱",
          "依赖漏洞（pip-audit）", "登录失败（24 小时）")


def certificate(folder: Path, days_left: float) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rxp.hospital.test")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=300))
            .not_valid_after(now + timedelta(days=days_left))
            .sign(key, hashes.SHA256()))
    path = folder / f"server-{days_left}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


@pytest.fixture
def replica(pg, db) -> Iterator[PgCluster]:
    base = Path(tempfile.mkdtemp(prefix="rxp-inspect-replica-"))
    base.chmod(0o711)
    cluster = pg.cluster.make_replica(base / "replica", free_port())
    try:
        yield cluster
    finally:
        cluster.destroy()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def requirements(tmp_path: Path) -> Path:
    # One old release with published advisories: pip-audit asks PyPI about it alone (quick).
    path = tmp_path / "requirements.txt"
    path.write_text("jinja2==2.10\n")
    return path


def by_key(findings: list[inspect.Finding]) -> dict[str, inspect.Finding]:
    return {f.key: f for f in findings}


def test_inspection_of_a_healthy_cluster_then_a_stopped_replica_and_an_expiring_certificate(
        pg, db, replica, key_dir, checkpoint_dir, tmp_path, requirements):
    replica_url = db.app.replace(f":{pg.cluster.port}/", f":{replica.port}/")
    env = {"RXP_ENV": "test", "DATABASE_URL": db.app, "DATABASE_REPLICA_URLS": replica_url,
           "RXP_KEY_DIR": str(key_dir), "RXP_AUDIT_CHECKPOINT_DIR": str(checkpoint_dir),
           "RXP_TLS_CERT_FILE": str(certificate(tmp_path, 90))}
    settings = Settings(**env)
    pip_audit = inspect.default_pip_audit(requirements)

    found = by_key(inspect.inspect(settings, pip_audit=pip_audit))
    assert list(found) == list(inspect.ORDER), "every item, in the report's order"
    assert found["primary"].status == "OK" and "PostgreSQL" in found["primary"].figure
    assert (found["replicas"].status, found["replicas"].figure) == ("OK", "1/1 在线")
    assert found["replication_lag"].status == "OK", found["replication_lag"]
    assert found["backup"].status == "WARN"
    assert "no backup configured" in found["backup"].figure
    assert found["certificate"].status == "OK" and "rxp.hospital.test" in \
        found["certificate"].figure
    assert found["audit_chain"].status == "OK", found["audit_chain"]
    assert found["outbox"].status in ("OK", "WARN") and "notification" in found["outbox"].figure
    assert found["logins"].status == "OK" and found["logins"].figure.startswith("0 次")
    vulnerabilities = found["vulnerabilities"]
    assert vulnerabilities.status == "WARN"
    # Either PyPI answered (jinja2 2.10 has advisories) or it could not, and says so.
    assert "jinja2" in vulnerabilities.detail or (
        vulnerabilities.figure == "无法获取漏洞库" and "jinja2" in vulnerabilities.detail)
    assert found["disk"].figure.count("已用") >= 1

    for days, status in ((20, "WARN"), (5, "FAIL"), (-1, "FAIL")):
        cert = inspect.check_certificate(certificate(tmp_path, days), datetime.now(UTC))
        assert cert.status == status, (days, cert)

    # The replica stops and the certificate has five days left: through the command itself.
    replica.stop()
    env["RXP_TLS_CERT_FILE"] = str(certificate(tmp_path, 5))
    reports = tmp_path / "reports"
    done = subprocess.run(
        [sys.executable, "-m", "installers.cli", "inspect", "--out", str(reports),
         "--requirements", str(requirements)],
        cwd=ROOT, env={**os.environ, **env, "PYTHONPATH": str(ROOT)}, capture_output=True,
        text=True, timeout=600, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for label in LABELS:
        assert any(label in line for line in lines), (label, done.stdout)

    def line_of(label: str) -> str:
        return next(line for line in lines if f"] {label}" in line)

    assert line_of("只读副本").startswith("[FAIL]") and "0/1 在线" in line_of("只读副本")
    assert line_of("复制延迟").startswith("[WARN]")
    assert line_of("TLS 证书").startswith("[FAIL]")
    assert line_of("主库").startswith("[OK")
    saved = sorted(reports.glob("inspect-*.md"))
    assert len(saved) == 1 and sorted(reports.glob("inspect-*.txt"))
    markdown = saved[0].read_text()
    assert "| 只读副本 | FAIL | 0/1 在线 |" in markdown
    assert "结论：**FAIL**" in markdown
