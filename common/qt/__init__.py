"""The one place PySide6 widgets shared by the apps live."""
