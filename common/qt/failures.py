"""What to tell the user when a call failed, shared by every form that calls the server.

The API client's exceptions carry the server's Chinese `message` and, when one input is at
fault, its `field`; this module reads them by attribute so `common.qt` needs no import of the
client.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication


@dataclass(frozen=True)
class FieldMessage:
    """A message for the user, and the input it is about (None: the form as a whole)."""

    field: str | None
    message: str


def describe_failure(exc: BaseException) -> FieldMessage:
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message:
        field = getattr(exc, "field", None)
        return FieldMessage(field if isinstance(field, str) and field else None, message)
    if isinstance(exc, OSError | TimeoutError):
        return FieldMessage(None, QCoreApplication.translate(
            "Failure", "Cannot reach the server. Check the network and try again."))
    return FieldMessage(None, QCoreApplication.translate(
        "Failure", "Unexpected error: %1").replace("%1", type(exc).__name__))


def is_expected(exc: BaseException) -> bool:
    """A failure the user can act on (the server said no, the network is down), as opposed
    to a fault in the program, which also belongs in the log."""
    return isinstance(getattr(exc, "message", None), str) or isinstance(exc, OSError)
