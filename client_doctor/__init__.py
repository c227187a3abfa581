"""Doctor workstation app (PySide6): prescribing."""
