"""Fixtures for signature tests: logged-in headers per demo account, key pairs per user."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from common import signing
from installers.database import DatabaseUrls
from server.seed.demo import DemoGroup
from tests.helpers import (
    HeadersFor,
    sql,
)

Register = Callable[..., Awaitable[httpx.Response]]


@pytest.fixture(autouse=True)
def without_demo_certificates(db: DatabaseUrls) -> None:
    """The demo seed registers a key for every doctor and pharmacist; these tests register
    their own and count them, so they start from users without any."""
    sql(db.owner, "DELETE FROM signing_certificate")


@pytest.fixture
def register(client: httpx.AsyncClient, demo: DemoGroup, headers_for: HeadersFor) -> Register:
    """POST /users/{id}/certificates as `admin` for `username`'s public key."""

    async def post(username: str, public_key: str, *, algorithm: str = "sm2-sm3",
                   admin: str = "admin_h1", **extra: object) -> httpx.Response:
        return await client.post(
            f"/users/{demo.account(username).id}/certificates",
            json={"algorithm": algorithm, "public_key": public_key, **extra},
            headers=await headers_for(admin))

    return post


def new_key(algorithm: str = "sm2-sm3") -> tuple[str, str]:
    """(private key PEM, public key PEM) as the app makes them."""
    private = signing.generate_private_key(algorithm)
    return private, signing.export_public_key(private)
