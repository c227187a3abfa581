"""The scripted demo journey, through the HTTP API only, with the accounts of `.rxp/demo.json`.

It grows with the platform; today: every demo account logs in with password and TOTP, every
integration client gets a token, a doctor prescribes (pinyin search, checks, SM2 signature,
submit) and a pharmacist approves with a signed decision, an administrator creates an account,
and the auditor verifies the audit chain.
"""

from __future__ import annotations

from typing import Any

import httpx
import pyotp

from common import signing


def _step(ok: bool, text: str) -> bool:
    print(f"  [{'OK' if ok else 'FAIL'}] {text}", flush=True)
    return ok


def _login(http: httpx.Client, account: dict[str, Any]) -> str | None:
    response = http.post("/auth/login", json={
        "username": account["username"], "password": account["password"],
        "totp_code": pyotp.TOTP(account["totp_secret"]).now()})
    return response.json()["access_token"] if response.status_code == 200 else None


def _account(demo: dict[str, Any], username: str) -> dict[str, Any]:
    return next(a for a in demo["accounts"] if a["username"] == username)


def _prescribe_and_review(http: httpx.Client, demo: dict[str, Any],
                          tokens: dict[str, str]) -> list[bool]:
    """A doctor prescribes, sees the checks, signs and submits; a pharmacist approves."""
    doctor = _account(demo, "doctor_wang")
    auth = {"Authorization": f"Bearer {tokens['doctor_wang']}"}
    patient = next(p for p in demo["patients"] if p["name"] == "李娜")
    found = http.get("/catalogue/search", params={"q": "aldp"}, headers=auth).json()["items"]
    if not found:
        return [_step(False, "catalogue search for 'aldp' (氨氯地平) found nothing")]
    product = found[0]
    unit = product["package"].split("/")[0].lstrip("0123456789.")
    body = {"patient_id": patient["id"], "visit_type": "outpatient",
            "diagnoses": [{"code": "I10", "name": "原发性高血压"}],
            "lines": [{"product_id": product["id"], "dose": "1", "dose_unit": unit,
                       "route": "口服", "frequency": "qd", "days": 7}]}
    check = http.post("/prescriptions/check", json=body, headers=auth).json()
    steps = [_step(not check["blocking"], f"doctor types 'aldp', picks {product['generic_name']} "
                   f"{product['specification']}; checks: {len(check['issues'])} hit(s)")]
    draft = http.post("/prescriptions", json=body, headers=auth).json()
    document = http.get(f"/prescriptions/{draft['id']}/signing-document", headers=auth).json()
    submitted = http.post(f"/prescriptions/{draft['id']}/submit", headers=auth, json={
        "version": draft["version"], "algorithm": doctor["signing_algorithm"],
        "signature": signing.sign_document(doctor["signing_key"], document["document"]),
        "overrides": [{"key": i["key"], "reason": "已评估"} for i in check["issues"]
                      if i["needs_override"]]})
    status = submitted.json().get("status_label", submitted.text)
    steps.append(_step(submitted.status_code == 200,
                       f"doctor signs ({doctor['signing_algorithm']}) and submits "
                       f"{draft['number']}: {status}"))
    for username in ("pharm_chen", "pharm_liu"):
        pharmacist = _account(demo, username)
        headers = {"Authorization": f"Bearer {tokens[username]}"}
        queue = http.get("/review/queue", headers=headers).json()["items"]
        task = next((i["task"] for i in queue if i["task"]["prescription_id"] == draft["id"]),
                    None)
        if task is None:
            continue
        doc = http.post(f"/review/tasks/{task['id']}/decision-document", headers=headers,
                        json={"decision": "approved"}).json()
        approved = http.post(f"/review/tasks/{task['id']}/approve", headers=headers, json={
            "version": task["version"], "algorithm": pharmacist["signing_algorithm"],
            "signature": signing.sign_document(pharmacist["signing_key"], doc["document"])})
        final = http.get(f"/prescriptions/{draft['id']}", headers=auth).json()
        steps.append(_step(approved.status_code == 200,
                           f"pharmacist {pharmacist['display_name']} reviews and signs approval:"
                           f" {final['status_label']}"))
        return steps
    steps.append(_step(False, "no pharmacist queue holds the review task"))
    return steps


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
        results += _prescribe_and_review(http, demo, tokens)
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
