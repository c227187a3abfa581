"""The client base's tests run against the real server: fixtures in tests/clients.py."""

from tests.clients import (
    api,
    clock,
    live_server,
    make_api,
    memory_keyring,
    settings,
    staff,
)

__all__ = ["api", "clock", "live_server", "make_api", "memory_keyring", "settings", "staff"]
