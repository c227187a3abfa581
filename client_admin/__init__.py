"""Hospital administration app (PySide6): `python -m client_admin`.

Screen logic without Qt lives in `client_admin.admin_api` (the routes the app calls),
`.users`, `.rights`, `.knowledge`, `.statistics`, `.audit` and `.configuration`;
`client_admin.ui` holds the widgets. `client_admin.screens.build_screens(...)` builds every
screen with the data of logged-in administrators; `client_admin.screenshots` gives them to
`rxp screenshots`.
"""
