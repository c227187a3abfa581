"""Retail pharmacy counter app (PySide6)."""
