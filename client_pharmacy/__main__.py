"""`python -m client_pharmacy`: the pharmacy counter."""

import sys

from client_pharmacy.app import main

sys.exit(main())
