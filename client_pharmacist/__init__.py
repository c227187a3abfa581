"""Pharmacist review app (PySide6)."""
