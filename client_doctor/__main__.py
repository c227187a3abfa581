"""`python -m client_doctor [--server URL] [--launch TOKEN | rxp-doctor://launch?token=…]`."""

from client_doctor.app import main

raise SystemExit(main())
