"""Passwords, the password policy, TOTP and access tokens, without the HTTP layer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest

from server.core.errors import SessionExpired, WeakPassword
from server.identity import credentials
from server.identity.tokens import issue_access_token, read_access_token

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
KEY = b"k" * 32


class TestPasswordHashing:
    def test_hash_verifies_only_its_password(self):
        stored = credentials.hash_password("Ward-7#Night-Shift")
        assert stored.startswith("$argon2id$")
        assert credentials.verify_password(stored, "Ward-7#Night-Shift")
        assert not credentials.verify_password(stored, "Ward-7#Night-shift")

    def test_no_stored_hash_never_verifies(self):
        assert not credentials.verify_password(None, "rxp-timing-equaliser")
        assert not credentials.verify_password(None, "")

    def test_garbage_hash_does_not_raise(self):
        assert not credentials.verify_password("not-a-hash", "x")


class TestPasswordPolicy:
    @pytest.mark.parametrize("password", ["Ward-7#Night", "医院Ward-7#Shift", "abcDEF123456"])
    def test_strong_passwords_pass(self, password):
        credentials.check_password_policy(password, username="qian", min_length=10)

    @pytest.mark.parametrize(("password", "reason"), [
        ("Ab1#xyz", "长度"), ("abcdefghijkl", "三类"), ("Qian-2026#Ward", "用户名"),
        ("P@ssw0rd", "常见"),
    ])
    def test_weak_passwords_are_refused_with_the_reason(self, password, reason):
        with pytest.raises(WeakPassword) as caught:
            credentials.check_password_policy(password, username="qian", min_length=8)
        assert reason in caught.value.detail
        assert caught.value.extra == {"field": "password"}


class TestTotp:
    def test_current_code_and_one_step_of_drift_are_accepted(self):
        secret = credentials.new_totp_secret()
        totp = pyotp.TOTP(secret)
        at = NOW.timestamp()
        step = totp.timecode(NOW)
        assert credentials.totp_step(secret, totp.at(at), at=at) == step
        assert credentials.totp_step(secret, totp.at(at - 30), at=at) == step - 1
        assert credentials.totp_step(secret, totp.at(at + 30), at=at) == step + 1

    def test_older_codes_are_refused(self):
        secret = credentials.new_totp_secret()
        at = NOW.timestamp()
        assert credentials.totp_step(secret, pyotp.TOTP(secret).at(at - 120), at=at) is None

    @pytest.mark.parametrize("code", ["", "abcdef", "12 34", "1234567"])
    def test_malformed_codes_are_refused(self, code):
        assert credentials.totp_step(credentials.new_totp_secret(), code,
                                     at=NOW.timestamp()) is None

    def test_provisioning_uri_names_issuer_and_user(self):
        secret = credentials.new_totp_secret()
        uri = credentials.totp_uri(secret, username="doctor_wang", issuer="处方流转平台")
        assert uri.startswith("otpauth://totp/")
        assert "doctor_wang" in uri and f"secret={secret}" in uri


class TestOpaqueTokens:
    def test_tokens_are_random_and_stored_only_as_digests(self):
        a, b = credentials.new_opaque_token(), credentials.new_opaque_token()
        assert a != b and len(a) >= 40
        assert credentials.token_digest(a) == credentials.token_digest(a)
        assert credentials.token_digest(a) != credentials.token_digest(b)
        assert len(credentials.token_digest(a)) == 32


class TestAccessTokens:
    def _issue(self, **kw):
        args: dict[str, Any] = {"subject": uuid.uuid4(), "kind": "user",
                                "session_id": uuid.uuid4(), "now": NOW,
                                "lifetime": timedelta(minutes=15)}
        args.update(kw)
        return args, issue_access_token(KEY, **args)

    def test_round_trip(self):
        args, token = self._issue()
        claims = read_access_token(KEY, token, now=NOW + timedelta(minutes=1))
        assert claims.subject == args["subject"] and claims.session_id == args["session_id"]
        assert claims.kind == "user"

    def test_expiry_follows_the_given_clock(self):
        _, token = self._issue()
        with pytest.raises(SessionExpired):
            read_access_token(KEY, token, now=NOW + timedelta(minutes=15))

    def test_issued_ahead_of_the_wall_clock_is_accepted(self):
        """Another server's clock (or a test clock) may run ahead of this machine's."""
        later = datetime.now(UTC) + timedelta(hours=1)
        _, token = self._issue(now=later)
        read_access_token(KEY, token, now=later)

    def test_other_key_is_refused(self):
        _, token = self._issue()
        with pytest.raises(SessionExpired):
            read_access_token(b"x" * 32, token, now=NOW)

    def test_unsigned_token_is_refused(self):
        import jwt
        forged = jwt.encode({"sub": str(uuid.uuid4()), "knd": "user", "aud": "rxp-api",
                             "exp": int((NOW + timedelta(hours=1)).timestamp())}, "",
                            algorithm="none")
        with pytest.raises(SessionExpired):
            read_access_token(KEY, forged, now=NOW)
