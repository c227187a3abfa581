"""`python -m client_admin`: the hospital administration workstation."""

import sys

from client_admin.app import main

sys.exit(main())
