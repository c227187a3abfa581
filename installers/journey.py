"""The scripted demo journey, through the HTTP API only, with the accounts of `.rxp/demo.json`.

It grows with the platform; today: every demo account logs in with password and TOTP, every
integration client gets a token, a doctor prescribes (pinyin search, checks, SM2 signature,
submit) and a pharmacist approves with a signed decision; the patient, identified by insurance
card at a kiosk, chooses a pharmacy and courier delivery and pays in the sandbox gateway; the
pharmacy accepts, dispenses scanning every package's traceability code and dispatches; the
simulated carrier delivers and the patient confirms; the trace is printed. An administrator
creates an account, and the auditor verifies the audit chain.
"""

from __future__ import annotations

import time
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
                          tokens: dict[str, str], rx: dict[str, Any],
                          patient_name: str = "李娜") -> list[bool]:
    """A doctor prescribes, sees the checks, signs and submits; a pharmacist approves."""
    doctor = _account(demo, "doctor_wang")
    auth = {"Authorization": f"Bearer {tokens['doctor_wang']}"}
    patient = next(p for p in demo["patients"] if p["name"] == patient_name)
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
    rx.update(draft)
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


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _patient_at_kiosk(http: httpx.Client, demo: dict[str, Any],
                      patient: dict[str, Any]) -> dict[str, str] | None:
    kiosk = next((c for c in demo["clients"] if c["kind"] == "kiosk"), None)
    if kiosk is None:
        return None
    token = http.post("/auth/token", json={"client_id": kiosk["client_id"],
                                           "client_secret": kiosk["client_secret"]})
    access = http.post("/patient-access/card", headers=_bearer(token.json()["access_token"]),
                       json={"card_type": "insurance", "card_number": patient["insurance_card"]})
    return _bearer(access.json()["access_token"]) if access.status_code == 200 else None


def _circulate(http: httpx.Client, demo: dict[str, Any], tokens: dict[str, str],
               rx: dict[str, Any]) -> list[bool]:
    """The patient chooses, pays; the pharmacy dispenses and ships; the carrier delivers."""
    patient = next(p for p in demo["patients"] if p["id"] == rx["patient_id"])
    me = _patient_at_kiosk(http, demo, patient)
    steps = [_step(me is not None, f"patient {patient['name'][0]}* inserts the insurance card "
                                   "at the kiosk and is identified")]
    if me is None:
        return steps
    p1 = demo["organisations"]["P1"]
    options = http.get(f"/patient/prescriptions/{rx['id']}/pharmacies", headers=me,
                       params={"mode": "courier", "region_code": "330106"}).json()
    option = next((o for o in options if o["pharmacy_id"] == p1), None)
    steps.append(_step(option is not None, "pharmacies offering courier delivery: " + "、".join(
        f"{o['name']}（运费 {o['delivery_fee_fen'] / 100:.2f} 元）" for o in options)))
    order = http.post(f"/patient/prescriptions/{rx['id']}/order", headers=me, json={
        "pharmacy_id": p1, "mode": "courier",
        "address": {"region_code": "330106", "detail": "文三路 88 号 2 幢 301 室",
                    "recipient": patient["name"], "phone": patient["phone"]}})
    if not _step(order.status_code == 201, f"patient chooses 康宁大药房 and courier: "
                 f"{order.json().get('number', order.text)}"):
        return [*steps, False]
    order_id, total = order.json()["id"], order.json()["total_fen"]
    payment = http.post(f"/patient/orders/{order_id}/payment", headers=me,
                        json={"method": "online"}).json()
    http.post(f"/payments/sandbox/{payment['gateway_trade_no']}/pay")
    paid = False
    for _ in range(100):
        paid = http.get(f"/patient/orders/{order_id}", headers=me).json()["paid"]
        if paid:
            break
        time.sleep(0.1)
    steps.append(_step(paid, f"patient pays {total / 100:.2f} 元 by QR in the sandbox gateway; "
                             "the signed callback marks the order paid"))
    store = _bearer(tokens["store_kangning"])
    url = f"/pharmacy/orders/{order_id}"
    accepted = http.post(f"{url}/accept", headers=store)
    steps.append(_step(accepted.status_code == 200, "康宁大药房 accepts the order"))
    scanned = 0
    for line in accepted.json().get("lines", []):
        product = http.get(f"/catalogue/products/{line['product_id']}", headers=store).json()
        for serial in range(line["quantity"]):
            code = f"{product['trace_prefix']}{int(time.time() * 1000) % 10**9:09d}{serial:04d}"
            response = http.post(f"{url}/packages", headers=store, json={
                "code": code, "line_id": line["id"], "batch": "B20260815",
                "expiry": "2028-08-14"})
            scanned += response.status_code == 201
    completed = http.post(f"{url}/complete", headers=store, json={"checker": "store_qian"})
    steps.append(_step(completed.status_code == 200,
                       f"dispensed scanning {scanned} traceability code(s); checked by 钱勇"))
    dispatched = http.post(f"{url}/dispatch", headers=store)
    tracking = dispatched.json().get("tracking_number")
    steps.append(_step(dispatched.status_code == 200 and bool(tracking),
                       f"outbound registered, handed to the courier: {tracking}"))
    for _ in range(4):
        http.post(f"/carriers/sim/{tracking}/advance")
    confirmed = http.post(f"/patient/orders/{order_id}/confirm-receipt", headers=me)
    status = confirmed.json().get("status", {}).get("label", confirmed.text)
    steps.append(_step(confirmed.status_code == 200,
                       f"carrier delivers; the patient confirms receipt: {status}"))
    trace = http.get(f"/prescriptions/{rx['id']}/trace",
                     headers=_bearer(tokens["doctor_wang"])).json()
    print("  trace:", flush=True)
    for node in trace.get("nodes", []):
        print(f"    {node['at'][:19]}  {node['label']}  {node.get('operator') or ''}"
              f"  {node.get('organisation') or ''}  {node.get('workstation') or ''}",
              flush=True)
    steps.append(_step(len(trace.get("nodes", [])) >= 10, "trace of the prescription printed"))
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
        rx: dict[str, Any] = {}
        results += _prescribe_and_review(http, demo, tokens, rx)
        if all(results) and rx:
            results += _circulate(http, demo, tokens, rx)
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
