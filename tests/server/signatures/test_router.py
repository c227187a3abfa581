"""Registering, listing and revoking signing certificates over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from common import signing
from tests.helpers import audit_rows
from tests.server.signatures.conftest import new_key


class TestRegister:
    @pytest.mark.parametrize("algorithm", signing.ALGORITHMS)
    async def test_admin_registers_a_doctors_key(self, register, demo, db, clock, algorithm):
        _, public = new_key(algorithm)
        r = await register("doctor_wang", public, algorithm=algorithm)
        assert r.status_code == 201, r.text
        body = r.json()
        key = signing.load_public_key(public)
        assert body["user_id"] == demo.account("doctor_wang").id
        assert body["registered_by"] == demo.account("admin_h1").id
        assert (body["algorithm"], body["fingerprint"], body["status"]) == (
            algorithm, key.fingerprint, "active")
        assert body["public_key"] == key.pem
        assert datetime.fromisoformat(body["valid_from"]) == clock.now()
        events = audit_rows(db.owner, "action = 'certificate.register'")
        assert [e["entity_id"] for e in events] == [body["id"]]
        assert events[0]["summary"] == {"user_id": body["user_id"], "username": "doctor_wang",
                                        "algorithm": algorithm, "fingerprint": key.fingerprint}

    async def test_hex_public_key(self, register):
        private, _ = new_key("sm2-sm3")
        point = signing.load_private_key(private).public.point.hex()
        r = await register("pharm_chen", point, algorithm="sm2-sm3")
        assert r.status_code == 201, r.text
        assert r.json()["public_key"].startswith("-----BEGIN PUBLIC KEY-----")

    async def test_security_admin_of_the_group_registers_anywhere(self, register):
        r = await register("doctor_sun", new_key()[1], admin="secadmin")
        assert r.status_code == 201, r.text

    async def test_certificate_gives_validity(self, register):
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "王建国")])
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(key.public_key()).serial_number(77)
                .not_valid_before(start).not_valid_after(start + timedelta(days=730))
                .sign(key, hashes.SHA256()))
        r = await register("doctor_wang", cert.public_bytes(serialization.Encoding.PEM).decode(),
                           algorithm="ecdsa-p256-sha256")
        assert r.status_code == 201, r.text
        body = r.json()
        assert datetime.fromisoformat(body["valid_from"]) == start
        assert datetime.fromisoformat(body["valid_until"]) == start + timedelta(days=730)
        assert body["serial_number"] == "4d"

    @pytest.mark.parametrize("username", ["doctor_li", "pharm_chen", "auditor", "sysadmin"])
    async def test_others_may_not_register(self, register, username):
        r = await register("doctor_wang", new_key()[1], admin=username)
        assert r.status_code == 403, r.text
        assert r.json()["error"] == "NotPermitted"

    async def test_hospital_admin_only_for_own_hospital(self, register):
        r = await register("doctor_sun", new_key()[1], admin="admin_h1")  # doctor_sun is at H2
        assert r.status_code == 404, r.text

    async def test_only_signing_roles(self, register):
        r = await register("auditor", new_key()[1], admin="secadmin")
        assert r.status_code == 422
        assert r.json()["field"] == "user_id"

    async def test_same_key_twice_conflicts(self, register):
        _, public = new_key()
        assert (await register("doctor_wang", public)).status_code == 201
        again = await register("doctor_li", public)
        assert again.status_code == 409
        assert again.json()["field"] == "public_key"

    @pytest.mark.parametrize(("public_key", "algorithm"), [
        ("04" + "11" * 64, "sm2-sm3"),
        ("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n"
         "-----END PUBLIC KEY-----", "ecdsa-p256-sha256"),
    ])
    async def test_invalid_key_is_422(self, register, public_key, algorithm):
        r = await register("doctor_wang", public_key, algorithm=algorithm)
        assert r.status_code == 422, r.text
        assert r.json()["field"] == "public_key"

    async def test_algorithm_must_match_the_key(self, register):
        r = await register("doctor_wang", new_key("sm2-sm3")[1], algorithm="ecdsa-p256-sha256")
        assert r.status_code == 422

    async def test_validity_window_must_be_positive(self, register, clock):
        r = await register("doctor_wang", new_key()[1],
                           valid_from=clock.now().isoformat(),
                           valid_until=(clock.now() - timedelta(days=1)).isoformat())
        assert r.status_code == 422
        assert r.json()["field"] == "valid_until"

    async def test_naive_times_refused(self, register):
        r = await register("doctor_wang", new_key()[1], valid_from="2026-01-01T00:00:00")
        assert r.status_code == 422


class TestList:
    async def test_admin_lists_and_user_sees_own(self, client, register, demo, headers_for):
        first = (await register("doctor_wang", new_key()[1])).json()
        second = (await register("doctor_wang", new_key("ecdsa-p256-sha256")[1],
                                 algorithm="ecdsa-p256-sha256")).json()
        await register("doctor_li", new_key()[1])
        r = await client.get(f"/users/{demo.account('doctor_wang').id}/certificates",
                             headers=await headers_for("admin_h1"))
        assert r.status_code == 200
        assert {c["id"] for c in r.json()} == {first["id"], second["id"]}
        mine = await client.get("/me/certificates", headers=await headers_for("doctor_wang"))
        assert {c["id"] for c in mine.json()} == {first["id"], second["id"]}

    async def test_listing_needs_user_read(self, client, demo, headers_for):
        r = await client.get(f"/users/{demo.account('doctor_wang').id}/certificates",
                             headers=await headers_for("doctor_li"))
        assert r.status_code == 403


class TestRevoke:
    async def test_revoke_keeps_the_row(self, client, register, db, headers_for):
        cert = (await register("doctor_wang", new_key()[1])).json()
        r = await client.post(f"/certificates/{cert['id']}/revoke", json={"reason": "密钥丢失"},
                              headers=await headers_for("admin_h1"))
        assert r.status_code == 200, r.text
        assert (r.json()["status"], r.json()["revoked_reason"]) == ("revoked", "密钥丢失")
        again = await client.post(f"/certificates/{cert['id']}/revoke",
                                  json={"reason": "再次吊销"},
                                  headers=await headers_for("admin_h1"))
        assert again.status_code == 409
        assert [e["entity_id"] for e in audit_rows(db.owner, "action = 'certificate.revoke'")] \
            == [cert["id"]]

    async def test_revoked_key_cannot_be_registered_again(self, client, register, headers_for):
        _, public = new_key()
        cert = (await register("doctor_wang", public)).json()
        await client.post(f"/certificates/{cert['id']}/revoke", json={"reason": "密钥泄露"},
                          headers=await headers_for("admin_h1"))
        assert (await register("doctor_wang", public)).status_code == 409

    async def test_doctor_may_not_revoke(self, client, register, headers_for):
        cert = (await register("doctor_wang", new_key()[1])).json()
        r = await client.post(f"/certificates/{cert['id']}/revoke", json={"reason": "想换一个"},
                              headers=await headers_for("doctor_wang"))
        assert r.status_code == 403

    async def test_other_hospitals_certificate_is_not_found(self, client, register,
                                                            headers_for):
        cert = (await register("doctor_sun", new_key()[1], admin="secadmin")).json()
        r = await client.post(f"/certificates/{cert['id']}/revoke", json={"reason": "越权吊销"},
                              headers=await headers_for("admin_h1"))
        assert r.status_code == 404
