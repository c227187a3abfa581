"""Shared by every app: Qt-free API client, schemas, errors, hardware drivers.

`common.qt` holds the widgets the apps share; everything else here is Qt-free.
"""
