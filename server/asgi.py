"""Entry point for ASGI servers: `uvicorn --factory server.asgi:app_from_env`.

Settings come from the environment and RXP_CONFIG (see server/settings.py).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI

from server.app import create_app
from server.core import access_log
from server.settings import Settings


def app_from_env() -> FastAPI:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # httpx logs every outside call at INFO (the rational-use check of each submit, each
    # outbox delivery): noise at that rate, and CPU. Failures reach our own loggers.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    access_log.install()
    # The values come from the environment and RXP_CONFIG.
    return create_app(Settings())
