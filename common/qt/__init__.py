"""The one place PySide6 widgets shared by the apps live.

Importing it patches a reference-counting defect of PySide6 6.12 that otherwise aborts the
interpreter after a few hundred signal emissions (`common.qt.pyside_fixes`).
"""

from common.qt import pyside_fixes

pyside_fixes.install()
