"""The access log without query strings.

A query string can hold personal data: the front desk finds a patient by ID number, phone or
name (`GET /patients?id_number=...`), and uvicorn's access log writes the whole request line.
Logs are not encrypted and travel to log hosts, so the path is logged without its query
(the audit log records who asked for what, without the values either). Found by the `leak`
drill (installers/drills/leak.py).
"""

from __future__ import annotations

import logging

ACCESS_LOGGER = "uvicorn.access"


class WithoutQueryStrings(logging.Filter):
    """Cut the query from the request path of uvicorn's access records.

    uvicorn logs `'%s - "%s %s HTTP/%s" %d'` with (client, method, path with query, version,
    status) as the record's args; only that path changes."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path = args[2]
            if "?" in path:
                record.args = (*args[:2], path.split("?", 1)[0] + "?…", *args[3:])
        return True


def install() -> None:
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, WithoutQueryStrings) for f in logger.filters):
        logger.addFilter(WithoutQueryStrings())
