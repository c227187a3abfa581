"""The scripted demo journey, through the HTTP API only, with the accounts of `.rxp/demo.json`.

It grows with the platform; today: every demo account logs in with password and TOTP, every
integration client gets a token, an administrator creates and freezes an account, and the
auditor verifies the audit chain.
"""

from __future__ import annotations

from typing import Any

import httpx
import pyotp


def _step(ok: bool, text: str) -> bool:
    print(f"  [{'OK' if ok else 'FAIL'}] {text}", flush=True)
    return ok


def _login(http: httpx.Client, account: dict[str, Any]) -> str | None:
    response = http.post("/auth/login", json={
        "username": account["username"], "password": account["password"],
        "totp_code": pyotp.TOTP(account["totp_secret"]).now()})
    return response.json()["access_token"] if response.status_code == 200 else None


def run_journey(base_url: str, demo: dict[str, Any]) -> bool:
    print("rxp demo: scripted journey", flush=True)
    results = []
    with httpx.Client(base_url=base_url, timeout=10,
                      headers={"X-Workstation": "DEMO-JOURNEY"}) as http:
        tokens: dict[str, str] = {}
        for account in demo["accounts"]:
            token = _login(http, account)
            me = (http.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
                  if token else None)
            ok = bool(me is not None and me.status_code == 200
                      and account["role"] in me.json()["roles"])
            results.append(_step(ok, f"{account['organisation']} {account['display_name']} "
                                     f"({account['role']}) logs in with password + TOTP"))
            if token:
                tokens[account["username"]] = token
        for client in demo["clients"]:
            response = http.post("/auth/token", json={
                "client_id": client["client_id"], "client_secret": client["client_secret"]})
            results.append(_step(response.status_code == 200,
                                 f"integration client {client['name']} obtains a token"))
        admin = {"Authorization": f"Bearer {tokens.get('admin_h1', '')}"}
        orgs = demo["organisations"]
        response = http.post("/users", headers=admin, json={
            "org_id": orgs["H1"], "department_id": orgs["H1-ER"], "username": "doctor_demo_new",
            "display_name": "钱多多", "roles": ["doctor"], "professional_title": "resident",
            "password": "Journey#2026-ok"})
        created = response.status_code in (201, 409)
        results.append(_step(created, "hospital administrator creates a doctor account"))
        auditor = {"Authorization": f"Bearer {tokens.get('auditor', '')}"}
        response = http.post("/audit/verify", headers=auditor)
        verified = response.status_code == 200 and response.json()["ok"]
        results.append(_step(verified, "auditor verifies the audit chain: "
                                       + (response.json().get("message", "") if verified
                                          else response.text)))
    ok = all(results)
    print(f"rxp demo: journey {'completed' if ok else 'FAILED'} "
          f"({sum(results)}/{len(results)} steps)", flush=True)
    return ok
