"""`python -m client_pharmacist`: the review workstation."""

import sys

from client_pharmacist.app import main

sys.exit(main())
