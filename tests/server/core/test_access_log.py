"""The access log keeps no query string (a patient search carries personal data there)."""

from __future__ import annotations

import logging

import pytest

from server.core import access_log


def test_uvicorns_access_record_loses_its_query(caplog: pytest.LogCaptureFixture) -> None:
    access_log.install()
    access_log.install()  # idempotent: one filter however often a worker starts the app
    logger = logging.getLogger(access_log.ACCESS_LOGGER)
    assert sum(isinstance(f, access_log.WithoutQueryStrings) for f in logger.filters) == 1
    with caplog.at_level(logging.INFO, logger=access_log.ACCESS_LOGGER):
        logger.info('%s - "%s %s HTTP/%s" %d', "10.0.0.1:5000", "GET",
                    "/patients?id_number=110105197112170018&phone=13800001111", "1.1", 200)
        logger.info('%s - "%s %s HTTP/%s" %d', "10.0.0.1:5000", "GET", "/health", "1.1", 200)
    first, second = (r.getMessage() for r in caplog.records)
    assert "110105197112170018" not in first and "13800001111" not in first
    assert '"GET /patients?… HTTP/1.1" 200' in first
    assert '"GET /health HTTP/1.1" 200' in second
