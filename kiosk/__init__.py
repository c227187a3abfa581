"""Self-service kiosk (PySide6, full screen): card reader, scanner, receipt printer."""
