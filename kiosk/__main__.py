"""`python -m kiosk`: the self-service kiosk, full screen;
`--self-test [--config FILE] [--server URL]` checks the installation and `--configure
--server URL …` writes its workstation file (common/qt/selftest.py)."""

import sys

from common.qt.selftest import run_install_command
from kiosk.main import SELF_TEST, main

code = run_install_command(SELF_TEST, sys.argv[1:])
sys.exit(main() if code is None else code)
