"""The installation self-test without building a bundle: each check against real files, the
real server over HTTP, a TLS server with the hospital's own CA, and `python -m <app>
--self-test` in a process of its own."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi import FastAPI

from common import selftest
from common.workstation import WorkstationSettings, render_workstation
from installers.pgcluster import free_port

ROOT = Path(__file__).resolve().parents[2]


def write_config(folder: Path, **values: object) -> Path:
    path = folder / "workstation.toml"
    path.write_text(render_workstation(WorkstationSettings.model_validate(values)),
                    encoding="utf-8")
    return path


def options(*argv: str) -> object:
    return selftest.parse_args(["--self-test", *argv], prog="test")


class TestConfiguration:
    def test_a_good_file_is_ok_and_says_what_it_read(self, tmp_path):
        path = write_config(tmp_path, server_url="https://rxp.h1.local", workstation_id="W-3")
        result, settings = selftest.check_configuration(path)
        assert result.ok and settings is not None
        assert "https://rxp.h1.local" in result.detail and "W-3" in result.detail

    def test_a_missing_file_fails_naming_it(self, tmp_path):
        result, settings = selftest.check_configuration(tmp_path / "nope.toml")
        assert not result.ok and settings is None
        assert "nope.toml" in result.detail
        assert result.line().startswith("FAIL  configuration ")

    def test_the_environment_names_the_file_when_no_option_does(self, tmp_path, monkeypatch):
        path = write_config(tmp_path, server_url="http://127.0.0.1:1")
        monkeypatch.setenv("RXP_WORKSTATION", str(path))
        result, _ = selftest.check_configuration(None)
        assert result.ok and str(path) in result.detail


class TestModulesAndSigning:
    def test_modules_that_load_and_one_that_does_not(self):
        assert selftest.check_modules(["json", "common.signing"]).ok
        failed = selftest.check_modules(["json", "no_such_driver_module"])
        assert not failed.ok and "no_such_driver_module" in failed.detail

    def test_signing_round_trip(self):
        result = selftest.check_signing()
        assert result.ok and "sm2" in result.detail


class TestServer:
    def test_the_live_server_answers(self, live_server):
        result = selftest.check_server(live_server.url, True)
        assert result.ok and "/health answered" in result.detail

    def test_a_closed_port_fails_with_the_reason(self):
        url = f"http://127.0.0.1:{free_port()}"
        result = selftest.check_server(url, True, timeout=2)
        assert not result.ok and "ConnectError" in result.detail

    def test_server_option_wins_over_the_configured_one(self, tmp_path, live_server):
        config = write_config(tmp_path, server_url=f"http://127.0.0.1:{free_port()}")
        results = selftest.configured_checks(options("--config", str(config),
                                                     "--server", live_server.url))
        assert [r.item for r in results] == ["configuration", "server"]
        assert selftest.exit_code(results) == 0

    def test_no_configuration_and_no_server_fails_without_a_server_line(self, tmp_path):
        results = selftest.configured_checks(options("--config", str(tmp_path / "x.toml")))
        assert [r.item for r in results] == ["configuration"]
        assert selftest.exit_code(results) == 1


# -- TLS with the hospital's own CA ----------------------------------------------------------

def _certificate(subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name,
                 issuer_key: ec.EllipticCurvePrivateKey, *, ca: bool) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(issuer).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5))
               .not_valid_after(now + dt.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`https://localhost:<port>` with a certificate of a CA of its own; yields (url, CA file)."""
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Hospital CA")])
    ca = _certificate("Test Hospital CA", ca_key, ca_name, ca_key, ca=True)
    leaf = _certificate("localhost", key, ca_name, ca_key, ca=False)
    ca_file, cert_file, key_file = (tmp_path / n for n in ("ca.pem", "cert.pem", "key.pem"))
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    app = FastAPI()
    app.get("/health")(lambda: {"status": "alive"})  # the route the apps probe
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off", ssl_certfile=str(cert_file),
                                           ssl_keyfile=str(key_file)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"https://localhost:{port}", ca_file
    server.should_exit = True
    thread.join(10)


class TestTls:
    def test_the_configured_ca_is_trusted(self, tls_server):
        url, ca = tls_server
        result = selftest.check_server(url, str(ca))
        assert result.ok and str(ca) in result.detail

    def test_without_the_hospital_ca_the_certificate_is_refused(self, tls_server):
        url, _ = tls_server
        result = selftest.check_server(url, True, timeout=3)
        assert not result.ok and "CERTIFICATE_VERIFY_FAILED" in result.detail


# -- the app's own command -------------------------------------------------------------------

@pytest.mark.slow
def test_python_m_client_doctor_self_test(tmp_path, live_server):
    config = write_config(tmp_path, server_url=live_server.url, workstation_id="W-1")
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    run = subprocess.run([sys.executable, "-m", "client_doctor", "--self-test", "--config",
                          str(config)], cwd=tmp_path, env=dict(env, PYTHONPATH=str(ROOT)),
                         capture_output=True, text=True, timeout=120)
    lines = run.stdout.splitlines()
    assert run.returncode == 0, run.stdout + run.stderr
    assert [line.split()[:2] for line in lines] == [
        ["OK", item] for item in ("qt", "translations", "font", "configuration", "signing",
                                  "server")]


def test_a_long_failure_is_still_one_line():
    result = selftest.CheckResult("modules", False, "cannot load x (ImportError:\n\n  why\n)")
    assert result.line() == "FAIL  modules       cannot load x (ImportError: why )"
