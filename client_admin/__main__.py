"""`python -m client_admin`: the hospital administration workstation;
`--self-test [--config FILE] [--server URL]` checks the installation and `--configure
--server URL …` writes its workstation file (common/qt/selftest.py)."""

import sys

from client_admin.app import SELF_TEST, main
from common.qt.selftest import run_install_command

code = run_install_command(SELF_TEST, sys.argv[1:])
sys.exit(main() if code is None else code)
