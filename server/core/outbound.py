"""HTTP clients for calls out of the server (insurance platform, rational-drug-use system, SMS
gateway, the payment sandbox's callbacks).

They share one TLS context per process: httpx loads the trusted certificates anew for every
client it builds (tens of milliseconds, certifi's bundle or `SSL_CERT_FILE`), and the server
builds its clients each time an app is created. The context is read-only once built, so sharing
it between clients and threads is safe.
"""

from __future__ import annotations

import functools
import ssl
from typing import Any

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def async_client(**options: Any) -> httpx.AsyncClient:
    """An `httpx.AsyncClient` with the shared TLS context; `options` as httpx takes them."""
    return httpx.AsyncClient(verify=tls_context(), **options)
