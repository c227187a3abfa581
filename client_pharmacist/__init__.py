"""Pharmacist review app (PySide6): `python -m client_pharmacist`.

Screen logic without Qt lives in `client_pharmacist.queue`, `.review` and `.signing_key`;
`client_pharmacist.ui` holds the widgets. `screenshots(api)` builds every screen with the data
of a logged-in pharmacist, for `rxp screenshots`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from common.api import ApiClient


def screenshots(api: ApiClient) -> dict[str, QWidget]:
    """Name -> widget, filled from the server through `api` (logged in as a pharmacist)."""
    from client_pharmacist.screens import build_screens  # Qt only when asked for

    return build_screens(api)
