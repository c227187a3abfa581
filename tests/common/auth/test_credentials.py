"""CredentialStore over a real keyring backend, and its memory-only fallback."""

from __future__ import annotations

from keyring.backends import chainer, fail, null
from keyring.errors import KeyringError

from common.auth import CredentialStore, service_name, usable
from tests.clients import MemoryKeyring


class BrokenKeyring(MemoryKeyring):
    """A backend that fails at run time, as a locked Secret Service does."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("the collection is locked")


class EmptyChainer(chainer.ChainerBackend):
    """The chainer on a machine where no real backend is installed."""

    backends: list[object] = []  # noqa: RUF012


class TestServiceName:
    def test_one_service_per_server_url(self):
        assert service_name("https://RXP.h1.local/") == "rxp:https://rxp.h1.local"
        assert service_name("http://127.0.0.1:8000") == "rxp:http://127.0.0.1:8000"
        assert service_name("https://rxp.h1.local/api/") == "rxp:https://rxp.h1.local/api"
        assert service_name("https://a.local") != service_name("https://b.local")


class TestBackends:
    def test_stand_in_backends_are_not_usable(self):
        assert not usable(fail.Keyring())
        assert not usable(null.Keyring())
        assert not usable(EmptyChainer())
        assert usable(MemoryKeyring())

    def test_entries_go_to_the_keyring_under_the_server_service(self, memory_keyring):
        store = CredentialStore("https://rxp.h1.local")
        assert store.persistent
        store.set_refresh_token("doctor_wang", "r-1")
        store.set_device_credential("printer", "s3cret")
        assert memory_keyring.entries == {
            ("rxp:https://rxp.h1.local", "refresh:doctor_wang"): "r-1",
            ("rxp:https://rxp.h1.local", "device:printer"): "s3cret"}
        # A new store (the next run of the app) reads them back.
        again = CredentialStore("https://rxp.h1.local/")
        assert again.refresh_token("doctor_wang") == "r-1"
        assert again.device_credential("printer") == "s3cret"
        again.delete_device_credential("printer")
        again.delete_device_credential("printer")  # deleting what is gone is fine
        assert again.device_credential("printer") is None

    def test_no_backend_means_memory_only(self):
        store = CredentialStore("https://rxp.h1.local", backend=fail.Keyring())
        assert store.persistent is False
        store.set_refresh_token("doctor_wang", "r-1")
        assert store.refresh_token("doctor_wang") == "r-1"
        restarted = CredentialStore("https://rxp.h1.local", backend=fail.Keyring())
        assert restarted.refresh_token("doctor_wang") is None

    def test_a_backend_failing_at_run_time_falls_back_to_memory(self):
        backend = BrokenKeyring()
        store = CredentialStore("https://rxp.h1.local", backend=backend)
        assert store.persistent
        store.set_refresh_token("doctor_wang", "r-1")
        assert store.persistent is False
        assert store.refresh_token("doctor_wang") == "r-1"
        assert backend.entries == {}
