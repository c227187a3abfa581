"""Pharmacist review app (PySide6): `python -m client_pharmacist`.

Screen logic without Qt lives in `client_pharmacist.queue`, `.review` and `.signing_key`;
`client_pharmacist.ui` holds the widgets. `client_pharmacist.screens.build_screens(api)` builds
every screen with the data of a logged-in pharmacist; `client_pharmacist.screenshots` gives them
to `rxp screenshots`.
"""
