"""Keys, signing and verification of both algorithms (common/signing.py, used by the apps)."""

from __future__ import annotations

import base64
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

from common import signing

DOCUMENT = {"document": "prescription/1", "patient": "张伟", "dose": Decimal("0.5"),
            "lines": [{"generic_name": "阿莫西林胶囊", "days": 7}]}

# GB/T 32918.5-2017 annex A (SM2 recommended curve), signer id 1234567812345678.
SM2_VECTOR_PUBLIC = ("09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
                     "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13")
SM2_VECTOR_SIGNATURE = ("F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
                        "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA")


@pytest.fixture(params=signing.ALGORITHMS)
def algorithm(request) -> str:
    return request.param


class TestRoundTrip:
    def test_sign_and_verify(self, algorithm):
        private = signing.generate_private_key(algorithm)
        public = signing.load_public_key(signing.export_public_key(private))
        assert public.algorithm == algorithm
        signature = signing.sign_document(private, DOCUMENT)
        assert signing.verify_document(public, DOCUMENT, signature)

    def test_changed_content_fails(self, algorithm):
        private = signing.generate_private_key(algorithm)
        public = signing.load_public_key(signing.export_public_key(private))
        signature = signing.sign_document(private, DOCUMENT)
        assert not signing.verify_document(public, {**DOCUMENT, "dose": Decimal("5")},
                                           signature)
        data = bytearray(signing.canonical_bytes(DOCUMENT))
        data[-3] ^= 0x01
        assert not signing.verify(public, bytes(data), base64.b64decode(signature))

    def test_another_key_fails(self, algorithm):
        signature = signing.sign_document(signing.generate_private_key(algorithm), DOCUMENT)
        other = signing.load_public_key(
            signing.export_public_key(signing.generate_private_key(algorithm)))
        assert not signing.verify_document(other, DOCUMENT, signature)

    def test_garbage_signature_is_false_not_an_error(self, algorithm):
        public = signing.load_public_key(
            signing.export_public_key(signing.generate_private_key(algorithm)))
        for junk in ("", "not base64!", base64.b64encode(b"\x30\x02\x01\x01").decode(),
                     base64.b64encode(bytes(64)).decode()):
            assert not signing.verify_document(public, DOCUMENT, junk)

    def test_raw_r_s_signature_accepted(self, algorithm):
        private = signing.generate_private_key(algorithm)
        public = signing.load_public_key(signing.export_public_key(private))
        der = signing.sign(private, b"data")
        r, s = decode_dss_signature(der)
        raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        assert signing.verify(public, b"data", raw)


class TestStandardVector:
    def test_gbt_32918_example_verifies(self):
        public = signing.load_public_key(SM2_VECTOR_PUBLIC, "sm2-sm3")
        signature = bytes.fromhex(SM2_VECTOR_SIGNATURE)
        assert signing.verify(public, b"message digest", signature)
        assert not signing.verify(public, b"message digesT", signature)


class TestKeyFormats:
    def test_hex_forms_give_the_same_key(self):
        pem = signing.generate_private_key("sm2-sm3")
        key = signing.load_private_key(pem).public
        xy = key.point[1:]
        compressed = bytes([2 + (xy[-1] & 1)]) + xy[:32]
        for text in (key.point.hex(), xy.hex(), compressed.hex(), key.pem):
            assert signing.load_public_key(text, "sm2-sm3").fingerprint == key.fingerprint

    def test_p256_hex_and_pem_agree(self):
        key = signing.load_private_key(signing.generate_private_key("ecdsa-p256-sha256")).public
        assert signing.load_public_key(key.point.hex(), "ecdsa-p256-sha256") == key

    def test_fingerprint_is_sha256_of_spki_der(self):
        import hashlib
        key = signing.load_public_key(
            signing.export_public_key(signing.generate_private_key("ecdsa-p256-sha256")))
        der = serialization.load_pem_public_key(key.pem.encode()).public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        assert key.fingerprint == hashlib.sha256(der).hexdigest()

    @pytest.mark.parametrize(("text", "algorithm"), [
        ("04" + "00" * 64, "sm2-sm3"),  # not on the curve
        ("04" + "00" * 64, "ecdsa-p256-sha256"),
        ("abcd", "sm2-sm3"),
        ("zz", "sm2-sm3"),
        ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", None),
        ("no key here", None),
    ])
    def test_bad_keys_refused(self, text, algorithm):
        with pytest.raises(signing.InvalidKey):
            signing.load_public_key(text, algorithm)

    def test_curve_must_match_the_algorithm(self):
        pem = signing.export_public_key(signing.generate_private_key("sm2-sm3"))
        with pytest.raises(signing.InvalidKey, match="不符"):
            signing.load_public_key(pem, "ecdsa-p256-sha256")

    def test_other_curves_refused(self):
        pem = ec.generate_private_key(ec.SECP384R1()).public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        with pytest.raises(signing.InvalidKey):
            signing.load_public_key(pem.decode())

    def test_sm2_private_key_without_public_half(self):
        private = signing.load_private_key(signing.generate_private_key("sm2-sm3"))
        # SEC1 ECPrivateKey {1, d, [0] sm2} without [1] publicKey: the public key is derived.
        d = private.secret
        sec1 = bytes.fromhex("30310201010420") + d + bytes.fromhex("a00a06082a811ccf5501822d")
        pem = ("-----BEGIN EC PRIVATE KEY-----\n" + base64.b64encode(sec1).decode()
               + "\n-----END EC PRIVATE KEY-----\n")
        assert signing.export_public_key(pem) == private.public.pem

    def test_p256_certificate(self):
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "王建国")])
        start = datetime(2026, 1, 1, tzinfo=UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(key.public_key()).serial_number(0x1234ABCD)
                .not_valid_before(start).not_valid_after(start + timedelta(days=365))
                .sign(key, hashes.SHA256()))
        pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        info = signing.read_certificate(pem)
        assert (info.not_before, info.not_after) == (start, start + timedelta(days=365))
        assert info.serial_number == "1234abcd"
        public = signing.load_public_key(pem, "ecdsa-p256-sha256")
        signature = base64.b64encode(key.sign(signing.canonical_bytes(DOCUMENT),
                                              ec.ECDSA(hashes.SHA256()))).decode()
        assert signing.verify_document(public, DOCUMENT, signature)


OPENSSL = shutil.which("openssl")


def _openssl_has_sm2() -> bool:
    if OPENSSL is None:
        return False
    result = subprocess.run([OPENSSL, "list", "-public-key-algorithms"], capture_output=True,
                            text=True, check=False)
    return "SM2" in result.stdout


@pytest.mark.skipif(not _openssl_has_sm2(), reason="openssl with SM2 not installed")
class TestOpenSslInterop:
    """An independent implementation agrees: OpenSSL reads our keys, verifies our signatures,
    and we verify its. (OpenSSL's pkeyutl needs the standard signer id spelt out.)"""

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        assert OPENSSL is not None
        return subprocess.run([OPENSSL, *args], capture_output=True, text=True, check=False)

    @pytest.mark.parametrize(("algorithm", "digest", "options"), [
        ("sm2-sm3", "sm3", ["-pkeyopt", "distid:1234567812345678"]),
        ("ecdsa-p256-sha256", "sha256", []),
    ])
    def test_both_ways(self, tmp_path: Path, algorithm, digest, options):
        private = signing.generate_private_key(algorithm)
        (tmp_path / "key.pem").write_text(private)
        (tmp_path / "pub.pem").write_text(signing.export_public_key(private))
        data = signing.canonical_bytes(DOCUMENT)
        (tmp_path / "doc").write_bytes(data)
        (tmp_path / "ours.sig").write_bytes(signing.sign(private, data))
        verified = self._run("pkeyutl", "-verify", "-rawin", "-digest", digest, "-pubin",
                             "-inkey", str(tmp_path / "pub.pem"), "-in", str(tmp_path / "doc"),
                             "-sigfile", str(tmp_path / "ours.sig"), *options)
        assert "Verified Successfully" in verified.stdout, verified.stderr
        signed = self._run("pkeyutl", "-sign", "-rawin", "-digest", digest, "-inkey",
                           str(tmp_path / "key.pem"), "-in", str(tmp_path / "doc"),
                           "-out", str(tmp_path / "theirs.sig"), *options)
        assert signed.returncode == 0, signed.stderr
        public = signing.load_public_key(signing.export_public_key(private))
        assert signing.verify(public, data, (tmp_path / "theirs.sig").read_bytes())

    def test_openssl_generated_sm2_key(self, tmp_path: Path):
        generated = self._run("genpkey", "-algorithm", "SM2", "-out", str(tmp_path / "k.pem"))
        assert generated.returncode == 0, generated.stderr
        exported = self._run("pkey", "-in", str(tmp_path / "k.pem"), "-pubout")
        private = signing.load_private_key((tmp_path / "k.pem").read_text())
        assert signing.load_public_key(exported.stdout).pem == private.public.pem
