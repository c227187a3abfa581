"""`python -m kiosk`: the self-service kiosk, full screen."""

import sys

from kiosk.main import main

sys.exit(main())
