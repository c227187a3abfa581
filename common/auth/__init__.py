"""Who is logged in on this workstation: `Session` (login, token renewal, idle lock, logout),
`CredentialStore` (OS keyring, or memory where there is none), `IdleLock`."""

from common.auth.credentials import CredentialStore, service_name, usable
from common.auth.idle import IdleLock
from common.auth.session import Session, SessionState

__all__ = ["CredentialStore", "IdleLock", "Session", "SessionState", "service_name", "usable"]
