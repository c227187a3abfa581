"""Small helpers the tests share: logging in as a demo account."""

from __future__ import annotations

import httpx
import pyotp

from server.core.clock import Clock
from server.seed.demo import DemoAccount


def totp_now(account: DemoAccount, clock: Clock) -> str:
    return pyotp.TOTP(account.totp_secret).at(clock.now())


async def login(client: httpx.AsyncClient, account: DemoAccount, clock: Clock) -> dict[str, str]:
    """Log in with password and TOTP; returns the Authorization header."""
    response = await client.post("/auth/login", json={
        "username": account.username, "password": account.password,
        "totp_code": totp_now(account, clock)})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def tokens(client: httpx.AsyncClient, account: DemoAccount, clock: Clock) -> dict[str, str]:
    response = await client.post("/auth/login", json={
        "username": account.username, "password": account.password,
        "totp_code": totp_now(account, clock)})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]
