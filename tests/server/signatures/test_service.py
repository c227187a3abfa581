"""verify_document: the check the prescription and review services run on signed content."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from common import signing
from server.core.errors import NoCertificate, SignatureInvalid
from server.signatures.service import VerifiedSignature, verify_document
from tests.server.signatures.conftest import new_key


def prescription(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "document": "prescription/1", "id": "0b5e6c1e-3f1d-4c59-9a51-9f0e3d2c7a10",
        "patient": "张伟", "diagnoses": ["J02.9 急性咽炎"],
        "lines": [{"generic_name": "阿莫西林胶囊", "dose": Decimal("0.5"), "dose_unit": "g",
                   "frequency": "tid", "days": 5}],
    }
    document.update(changes)
    return document


async def _verify(app, user_id: str, document: dict[str, Any], signature: str,
                  algorithm: str, **kw: Any) -> VerifiedSignature:
    async with app.state.services.db.session() as session:
        return await verify_document(session, user_id=uuid.UUID(user_id), document=document,
                                     signature=signature, algorithm=algorithm, **kw)


@pytest.fixture
async def wang_keys(register) -> dict[str, tuple[str, dict[str, Any]]]:
    """doctor_wang's registered keys: algorithm -> (private key PEM, certificate row)."""
    keys: dict[str, tuple[str, dict[str, Any]]] = {}
    for algorithm in signing.ALGORITHMS:
        private, public = new_key(algorithm)
        r = await register("doctor_wang", public, algorithm=algorithm)
        assert r.status_code == 201, r.text
        keys[algorithm] = (private, r.json())
    return keys


class TestVerifyDocument:
    @pytest.mark.parametrize("algorithm", signing.ALGORITHMS)
    async def test_registered_key_verifies(self, app, demo, clock, wang_keys, algorithm):
        private, cert = wang_keys[algorithm]
        signature = signing.sign_document(private, prescription())
        verified = await _verify(app, demo.account("doctor_wang").id, prescription(), signature,
                                 algorithm, at=clock.now())
        assert verified.certificate_id == uuid.UUID(cert["id"])
        assert (verified.algorithm, verified.fingerprint) == (algorithm, cert["fingerprint"])

    @pytest.mark.parametrize("algorithm", signing.ALGORITHMS)
    @pytest.mark.parametrize("tampered", [
        prescription(patient="张玮"),
        prescription(lines=[{"generic_name": "阿莫西林胶囊", "dose": Decimal("5"),
                             "dose_unit": "g", "frequency": "tid", "days": 5}]),
        prescription(diagnoses=[]),
        prescription(extra="added"),
    ])
    async def test_any_change_fails(self, app, demo, clock, wang_keys, algorithm, tampered):
        private, _ = wang_keys[algorithm]
        signature = signing.sign_document(private, prescription())
        with pytest.raises(SignatureInvalid) as caught:
            await _verify(app, demo.account("doctor_wang").id, tampered, signature, algorithm,
                          at=clock.now())
        assert "验证失败" in caught.value.detail

    async def test_equal_content_in_another_form_verifies(self, app, demo, clock, wang_keys):
        """Read back from the database the dose is NUMERIC(8,3): it signs the same."""
        private, _ = wang_keys["sm2-sm3"]
        signature = signing.sign_document(private, prescription())
        stored = prescription()
        stored["lines"][0]["dose"] = Decimal("0.500")
        await _verify(app, demo.account("doctor_wang").id, dict(reversed(stored.items())),
                      signature, "sm2-sm3", at=clock.now())

    async def test_revoked_certificate_fails(self, app, client, demo, clock, headers_for,
                                             wang_keys):
        private, cert = wang_keys["sm2-sm3"]
        signature = signing.sign_document(private, prescription())
        r = await client.post(f"/certificates/{cert['id']}/revoke", json={"reason": "密钥丢失"},
                              headers=await headers_for("admin_h1"))
        assert r.status_code == 200
        with pytest.raises(NoCertificate):
            await _verify(app, demo.account("doctor_wang").id, prescription(), signature,
                          "sm2-sm3", at=clock.now())

    async def test_revoked_one_of_two_fails_for_its_signatures(self, app, client, demo, clock,
                                                               headers_for, register,
                                                               wang_keys):
        old_private, old_cert = wang_keys["sm2-sm3"]
        new_private, new_public = new_key()
        assert (await register("doctor_wang", new_public)).status_code == 201
        await client.post(f"/certificates/{old_cert['id']}/revoke", json={"reason": "换新密钥"},
                          headers=await headers_for("admin_h1"))
        wang = demo.account("doctor_wang").id
        with pytest.raises(SignatureInvalid):
            await _verify(app, wang, prescription(),
                          signing.sign_document(old_private, prescription()), "sm2-sm3",
                          at=clock.now())
        await _verify(app, wang, prescription(),
                      signing.sign_document(new_private, prescription()), "sm2-sm3",
                      at=clock.now())

    async def test_another_users_key_fails(self, app, demo, clock, register, wang_keys):
        li_private, li_public = new_key()
        assert (await register("doctor_li", li_public)).status_code == 201
        signature = signing.sign_document(li_private, prescription())
        with pytest.raises(SignatureInvalid):
            await _verify(app, demo.account("doctor_wang").id, prescription(), signature,
                          "sm2-sm3", at=clock.now())
        await _verify(app, demo.account("doctor_li").id, prescription(), signature, "sm2-sm3",
                      at=clock.now())

    async def test_no_certificate(self, app, demo, clock):
        private, _ = new_key()
        with pytest.raises(NoCertificate) as caught:
            await _verify(app, demo.account("doctor_zhao").id, prescription(),
                          signing.sign_document(private, prescription()), "sm2-sm3",
                          at=clock.now())
        assert caught.value.status_code == 422
        assert "证书" in caught.value.detail

    async def test_outside_validity_window(self, app, demo, clock, register):
        private, public = new_key()
        until = clock.now() + timedelta(days=30)
        r = await register("doctor_zhao", public, valid_until=until.isoformat())
        assert r.status_code == 201, r.text
        signature = signing.sign_document(private, prescription())
        zhao = demo.account("doctor_zhao").id
        await _verify(app, zhao, prescription(), signature, "sm2-sm3", at=clock.now())
        for at in (until, clock.now() - timedelta(seconds=1)):
            with pytest.raises(NoCertificate):
                await _verify(app, zhao, prescription(), signature, "sm2-sm3", at=at)

    async def test_algorithm_must_be_the_certificates(self, app, demo, clock, register):
        private, public = new_key("ecdsa-p256-sha256")
        await register("doctor_zhao", public, algorithm="ecdsa-p256-sha256")
        signature = signing.sign_document(private, prescription())
        with pytest.raises(NoCertificate):
            await _verify(app, demo.account("doctor_zhao").id, prescription(), signature,
                          "sm2-sm3", at=clock.now())
        with pytest.raises(SignatureInvalid):
            await _verify(app, demo.account("doctor_zhao").id, prescription(), signature,
                          "rsa-sha1", at=clock.now())

    async def test_malformed_signature_is_invalid(self, app, demo, clock, wang_keys):
        for junk in ("%%%", "", "AAAA"):
            with pytest.raises(SignatureInvalid):
                await _verify(app, demo.account("doctor_wang").id, prescription(), junk,
                              "sm2-sm3", at=clock.now())
