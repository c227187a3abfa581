"""Writing the workstation file at install time (`<app> --configure`, `rxp workstation
configure`): what is written is what the app reads; bad values write nothing."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from common import workstation_setup
from common.workstation import WorkstationConfigError, load_workstation


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    workstation_setup.add_arguments(parser)
    return parser.parse_args(list(argv))


@pytest.fixture
def ca_file(tmp_path: Path) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "医院 CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    path = tmp_path / "usb" / "ca.pem"
    path.parent.mkdir()
    path.write_bytes(cert.public_bytes(Encoding.PEM))
    return path


class TestConfigure:
    def test_kiosk_file_reads_back_with_the_ca_copied_beside_it(self, tmp_path, ca_file):
        target = tmp_path / "etc" / "workstation.toml"
        path, written = workstation_setup.configure(parse(
            "--server", "https://rxp.h1.local/", "--ca", str(ca_file), "--kiosk-id", "K-01",
            "--card-reader", "pcsc://Virtual PCD 00 00", "--printer", "sim://",
            "--config", str(target)), app="kiosk", devices=True, kiosk=True)
        assert path == target
        settings = load_workstation(target)
        assert settings == written
        assert settings.server_url == "https://rxp.h1.local"
        assert settings.ca_bundle == target.parent.resolve() / "hospital-ca.pem"
        assert settings.ca_bundle.read_bytes() == ca_file.read_bytes()
        assert settings.devices.card_reader == "pcsc://Virtual PCD 00 00"

    def test_the_previous_file_is_kept(self, tmp_path):
        target = tmp_path / "workstation.toml"
        for server in ("http://a.local", "http://b.local"):
            workstation_setup.configure(parse("--server", server, "--config", str(target)),
                                        app="doctor", devices=False, kiosk=False)
        assert load_workstation(target).server_url == "http://b.local"
        assert 'server_url = "http://a.local"' in (tmp_path / "workstation.toml.bak").read_text()

    @pytest.mark.parametrize(("argv", "key"), [
        (["--server", "ftp://x"], "server_url"),
        (["--server", "http://x", "--card-reader", "com1"], "devices.card_reader"),
        (["--server", "http://x", "--idle-lock-minutes", "0"], "idle_lock_minutes"),
        (["--server", "http://x", "--ca", "/no/such/ca.pem"], "ca_bundle"),
    ])
    def test_bad_values_name_the_key_and_write_nothing(self, tmp_path, argv, key):
        target = tmp_path / "workstation.toml"
        with pytest.raises(WorkstationConfigError) as caught:
            workstation_setup.configure(parse(*argv, "--config", str(target)),
                                        app="pharmacy", devices=True, kiosk=False)
        assert key in [k for k, _ in caught.value.problems]
        assert not target.exists()

    def test_a_kiosk_needs_its_id_and_a_doctor_has_no_devices(self, tmp_path):
        target = tmp_path / "workstation.toml"
        with pytest.raises(WorkstationConfigError) as kiosk:
            workstation_setup.configure(parse("--server", "http://x", "--config", str(target)),
                                        app="kiosk", devices=True, kiosk=True)
        assert [k for k, _ in kiosk.value.problems] == ["kiosk_id"]
        with pytest.raises(WorkstationConfigError) as doctor:
            workstation_setup.configure(parse("--server", "http://x", "--printer", "sim://",
                                              "--config", str(target)),
                                        app="doctor", devices=False, kiosk=False)
        assert [k for k, _ in doctor.value.problems] == ["printer"]
        assert not target.exists()

    def test_a_file_that_is_not_a_certificate_is_refused(self, tmp_path):
        bogus = tmp_path / "ca.pem"
        bogus.write_text("not a certificate")
        with pytest.raises(WorkstationConfigError) as caught:
            workstation_setup.configure(parse("--server", "https://x", "--ca", str(bogus),
                                              "--config", str(tmp_path / "w.toml")),
                                        app="doctor", devices=False, kiosk=False)
        assert [k for k, _ in caught.value.problems] == ["ca_bundle"]
        assert not (tmp_path / "w.toml").exists()

    def test_main_prints_the_problems_and_exits_2(self, tmp_path, capsys):
        code = workstation_setup.main(["--configure", "--server", "nope", "--config",
                                       str(tmp_path / "w.toml")],
                                      app="admin", devices=False, kiosk=False)
        assert code == 2 and "server_url" in capsys.readouterr().out
