"""Hospital administration app (PySide6)."""
