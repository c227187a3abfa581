"""Session against the real server: login with TOTP, token renewal, logout, idle lock, resume,
and where the refresh token is kept (OS keyring, or memory where there is none)."""

from __future__ import annotations

import threading

import keyring
import pytest
from keyring.backends import fail

from common.api import errors
from common.auth import CredentialStore, Session, SessionState, service_name
from tests.clients import ManualClock
from tests.helpers import audit_rows, fresh_totp

pytestmark = pytest.mark.slow


def stored_refresh(memory_keyring, api, username: str) -> str | None:
    value: str | None = memory_keyring.entries.get((service_name(api.base_url),
                                                     f"refresh:{username}"))
    return value


class TestLogin:
    def test_login_with_totp_keeps_the_refresh_token_in_the_keyring(self, api, demo, clock,
                                                                    memory_keyring):
        account = demo.account("doctor_wang")
        session = Session(api)
        me = session.login(account.username, account.password, fresh_totp(account, clock))
        assert me.name == account.display_name and session.state is SessionState.ACTIVE
        assert session.store.persistent
        assert stored_refresh(memory_keyring, api, "doctor_wang")
        # The access token never leaves memory.
        assert all(key[1].startswith(("refresh:", "unlock:")) for key in memory_keyring.entries)
        assert api.me().id == me.id

    def test_a_used_code_is_refused(self, api, demo, clock, memory_keyring):
        account = demo.account("doctor_wang")
        code = fresh_totp(account, clock)
        Session(api).login(account.username, account.password, code)
        with pytest.raises(errors.InvalidCredentials):
            Session(api).login(account.username, account.password, code)


class TestRenewal:
    def test_expired_access_token_is_renewed_and_the_new_refresh_token_stored(
            self, staff, clock, memory_keyring):
        doctor = staff("doctor_wang")
        first = stored_refresh(memory_keyring, doctor.api, "doctor_wang")
        clock.advance(minutes=16)  # past the 15-minute access token, by the server's clock
        assert doctor.api.me().name == doctor.account.display_name
        second = stored_refresh(memory_keyring, doctor.api, "doctor_wang")
        assert second and second != first
        clock.advance(minutes=16)
        doctor.api.me()
        assert stored_refresh(memory_keyring, doctor.api, "doctor_wang") not in (first, second)

    def test_a_spent_refresh_token_ends_the_session_everywhere(self, staff, clock,
                                                               memory_keyring):
        doctor = staff("doctor_wang")
        spent = stored_refresh(memory_keyring, doctor.api, "doctor_wang")
        clock.advance(minutes=16)
        doctor.api.me()
        assert spent is not None
        with pytest.raises(errors.RefreshTokenReused):
            doctor.api.refresh(spent)  # a thief replays the old token: the server revokes all
        with pytest.raises(errors.SessionExpired):
            doctor.api.me()
        assert doctor.session.state is SessionState.LOGGED_OUT
        assert doctor.session.ended_reason
        assert stored_refresh(memory_keyring, doctor.api, "doctor_wang") is None

    def test_renewal_before_expiry_by_the_workstation_clock(self, staff, memory_keyring, db):
        local = ManualClock()
        doctor = staff("doctor_wang", session_kw={"clock": local, "idle_minutes": 60})
        first = stored_refresh(memory_keyring, doctor.api, "doctor_wang")
        local.advance(minutes=14, seconds=45)  # within the margin before the token runs out
        doctor.api.me()
        assert stored_refresh(memory_keyring, doctor.api, "doctor_wang") != first
        assert audit_rows(db.owner, "status_code = 401") == []  # renewed without a refusal

    def test_concurrent_requests_renew_once(self, staff, clock, memory_keyring):
        doctor = staff("doctor_wang")
        clock.advance(minutes=16)
        results: list[object] = []

        def call() -> None:
            try:
                results.append(doctor.api.me().name)
            except errors.ApiError as exc:
                results.append(exc)

        threads = [threading.Thread(target=call) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        # One rotation for all six: a second one would have presented a spent token and the
        # server would have revoked the session.
        assert results == [doctor.account.display_name] * 6
        assert doctor.session.state is SessionState.ACTIVE


class TestLogout:
    def test_logout_revokes_on_the_server_and_forgets_locally(self, staff, memory_keyring):
        doctor = staff("doctor_wang")
        refresh = stored_refresh(memory_keyring, doctor.api, "doctor_wang")
        assert refresh is not None
        doctor.session.logout()
        assert doctor.session.state is SessionState.LOGGED_OUT
        assert memory_keyring.entries == {}
        with pytest.raises(errors.NotAuthenticated):
            doctor.api.me()
        with pytest.raises(errors.SessionExpired):
            doctor.api.refresh(refresh)


class TestIdleLock:
    def test_idle_workstation_locks_and_the_password_unlocks(self, staff):
        local = ManualClock()
        doctor = staff("doctor_wang", session_kw={"clock": local, "idle_minutes": 5})
        seen: list[SessionState] = []
        doctor.session.add_listener(seen.append)
        local.advance(minutes=4)
        doctor.session.touch()
        local.advance(minutes=4)
        assert doctor.api.me()  # activity 4 minutes ago: still open
        local.advance(minutes=1)
        with pytest.raises(errors.SessionLocked) as locked:
            doctor.api.me()
        assert "锁定" in locked.value.message
        assert doctor.session.state is SessionState.LOCKED and seen == [SessionState.LOCKED]
        with pytest.raises(errors.InvalidCredentials):
            doctor.session.unlock("wrong password")
        doctor.session.unlock(doctor.account.password)
        assert doctor.api.me().name == doctor.account.display_name
        assert seen == [SessionState.LOCKED, SessionState.ACTIVE]

    def test_too_many_wrong_passwords_end_the_session(self, staff, memory_keyring):
        local = ManualClock()
        doctor = staff("doctor_wang", session_kw={"clock": local, "idle_minutes": 5})
        doctor.session.lock()
        for _ in range(4):
            with pytest.raises(errors.InvalidCredentials):
                doctor.session.unlock("guess")
        with pytest.raises(errors.SessionExpired):
            doctor.session.unlock("guess")
        assert doctor.session.state is SessionState.LOGGED_OUT
        assert memory_keyring.entries == {}

    def test_logout_from_the_lock_screen_still_revokes(self, staff, memory_keyring):
        doctor = staff("doctor_wang")
        refresh = stored_refresh(memory_keyring, doctor.api, "doctor_wang")
        assert refresh is not None
        doctor.session.lock()
        doctor.session.logout()
        with pytest.raises(errors.SessionExpired):
            doctor.api.refresh(refresh)


class TestRestart:
    def test_keyring_session_resumes_locked_and_the_password_reopens_it(
            self, staff, make_api, memory_keyring):
        doctor = staff("doctor_wang")
        # The app restarts: a new client and session, the same OS keyring.
        api = make_api()
        session = Session(api)
        assert session.resume("doctor_wang")
        assert session.state is SessionState.LOCKED
        with pytest.raises(errors.SessionLocked):
            api.me()
        session.unlock(doctor.account.password)
        assert api.me().name == doctor.account.display_name
        assert session.user is not None and session.user.name == doctor.account.display_name

    def test_without_a_keyring_credentials_stay_in_memory(self, make_api, demo, clock):
        previous = keyring.get_keyring()
        keyring.set_keyring(fail.Keyring())
        try:
            api = make_api()
            account = demo.account("doctor_wang")
            session = Session(api)
            assert session.store.persistent is False
            session.login(account.username, account.password, fresh_totp(account, clock))
            clock.advance(minutes=16)
            assert api.me().name == account.display_name  # renewal works from memory
            restarted = Session(make_api(), store=CredentialStore(api.base_url))
            assert restarted.resume("doctor_wang") is False  # log in again after a restart
        finally:
            keyring.set_keyring(previous)
