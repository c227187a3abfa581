"""The presenters are the app's logic without Qt: importing them loads no PySide6."""

from __future__ import annotations

import subprocess
import sys

PRESENTERS = ["client_admin", "client_admin.admin_api", "client_admin.users",
              "client_admin.rights", "client_admin.knowledge", "client_admin.statistics",
              "client_admin.audit", "client_admin.configuration",
              "client_admin.incidents", "client_admin.system"]


def test_presenters_import_no_qt() -> None:
    code = ("import sys\n" + "".join(f"import {m}\n" for m in PRESENTERS)
            + "print(sorted(m for m in sys.modules if m.startswith('PySide6')))")
    result = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                            text=True)
    assert result.stdout.strip() == "[]"
