"""Every screen of the administration app with demo data, for `rxp screenshots`: doctors of
the demo group prescribe and share a department template, a pharmacist approves (so the
statistics, the audit log, the trace and the templates have something to show), a kiosk
reports a printer out of paper, then admin_group (the group's hospital administrator) records
two incidents (one fixed in time, one serious still open); admin_group, the system
administrator and the auditor log in and the screens are built from what the server returns
(`client_admin.screens`)."""

from __future__ import annotations

from typing import Any

import httpx
from PySide6.QtWidgets import QWidget

from client_admin.admin_api import AdminApi
from client_admin.app import CATALOGUE, I18N_DIR
from client_admin.screens import build_screens
from common import signing
from common.api import ApiClient
from common.api.models import DraftIn, Override, TemplateIn
from common.demo import DemoDirectory

# The translations the screens need (`installers/screenshots.py` loads them).
CATALOGUES = [(CATALOGUE, I18N_DIR)]

# doctor, catalogue search, patient: one prescription each, in three departments.
PRESCRIPTIONS = [("doctor_wang", "布洛芬", "李娜"), ("doctor_li", "amxl", "李娜"),
                 ("doctor_zhao", "布洛芬", "李娜"), ("doctor_wang", "amxl", "李娜")]
PHARMACIST = "pharm_liu"


def screenshots(demo: DemoDirectory) -> dict[str, QWidget]:
    pharmacist = demo.api()
    demo.login(PHARMACIST, pharmacist)
    pharmacist.set_duty(True)
    doctors: dict[str, ApiClient] = {}
    for username, query, patient in PRESCRIPTIONS:
        if username not in doctors:  # each TOTP code logs in once: one session per doctor
            doctors[username] = demo.api()
            demo.login(username, doctors[username])
        prescribe(demo, doctors[username], username, query, patient)
    approve_queue(demo, pharmacist)
    share_template(doctors["doctor_wang"])
    kiosk = next(c for c in demo.data["clients"] if c["kind"] == "kiosk")
    report_kiosk_devices(demo.base_url, kiosk, KIOSK_DEVICES)
    admin = demo.api()
    demo.login("admin_group", admin)
    record_incidents(AdminApi(admin))
    system = demo.api()
    demo.login("sysadmin", system)
    auditor = demo.api()
    demo.login("auditor", auditor)
    return build_screens(admin, auditor, system)


KIOSK_DEVICES = [
    {"device": "card_reader", "state": "ok"},
    {"device": "scanner", "state": "ok"},
    {"device": "printer", "state": "fault", "fault": "paper_out", "detail": "热敏纸用尽"},
]


def report_kiosk_devices(base_url: str, kiosk: dict[str, Any],
                         devices: list[dict[str, Any]]) -> None:
    """What a kiosk sends about its devices, with its own client credentials."""
    with httpx.Client(base_url=base_url) as http:
        token = http.post("/auth/token", json={"client_id": kiosk["client_id"],
                                               "client_secret": kiosk["client_secret"]})
        token.raise_for_status()
        http.post("/devices/status", json={"devices": devices}, headers={
            "Authorization": f"Bearer {token.json()['access_token']}"}).raise_for_status()


FIXED = {"title": "自助机小票打印缓慢", "severity": "general", "service": "purchase",
         "description": "门诊大厅自助机打印取药凭条需 20 秒以上"}
OPEN = {"title": "处方流转中断：药店无法接单", "severity": "serious", "service": "circulation",
        "description": "多家药店反馈接单页面报错，患者无法选择药店"}


def record_incidents(admin: AdminApi) -> None:
    """A general incident worked through to its fix, then a serious one still open (the
    newest, shown first). Once per demo database: a second run finds them."""
    titles = {i["title"] for i in admin.incidents()}
    if FIXED["title"] not in titles:
        fixed = admin.open_incident(FIXED)
        admin.incident_action(fixed["id"], "acknowledge", {"note": "值班工程师已接单"})
        admin.incident_action(fixed["id"], "respond", {"note": "正在排查打印服务队列"})
        admin.incident_action(fixed["id"], "resolve",
                              {"resolution": "打印服务队列积压，已清理并调整超时设置"})
    if OPEN["title"] not in titles:
        opened = admin.open_incident(OPEN)
        admin.incident_action(opened["id"], "acknowledge", {"note": "已通知流转服务负责人"})


def prescribe(demo: DemoDirectory, api: ApiClient, username: str, query: str,
              patient: str) -> None:
    """Draft, check, sign with the demo key and submit (warnings get the doctor's reason)."""
    product = api.search_catalogue(query, limit=5).items[0]
    unit = product.package.split("/")[0].lstrip("0123456789.")
    body = DraftIn.model_validate({
        "patient_id": demo.patient_id(patient), "visit_type": "outpatient",
        "diagnoses": [{"code": "J02.9", "name": "急性咽炎"}],
        "lines": [{"product_id": product.id, "dose": "1", "dose_unit": unit, "route": "口服",
                   "frequency": "tid", "days": 5}]})
    created = api.create_draft(body)
    check = api.check_prescription(body)
    account = demo.account(username)
    document = api.signing_document(created.id)
    api.submit_prescription(
        created.id, version=created.version,
        signature=signing.sign_document(account["signing_key"], document.document),
        algorithm=account["signing_algorithm"],
        overrides=[Override(key=i.key, reason="已评估，获益大于风险")
                   for i in check.issues if i.needs_override])


def approve_queue(demo: DemoDirectory, api: ApiClient) -> None:
    account = demo.account(PHARMACIST)
    for item in api.review_queue(limit=20).items:
        document = api.decision_document(item.task.id, "approved")
        api.approve(item.task.id, version=item.task.version,
                    signature=signing.sign_document(account["signing_key"], document.document),
                    algorithm=account["signing_algorithm"])


TEMPLATE = "急性咽炎（成人）"


def share_template(api: ApiClient) -> None:
    """A department template of the doctor's department, once."""
    if any(t.name == TEMPLATE for t in api.list_templates()):
        return
    product = api.search_catalogue("布洛芬", limit=5).items[0]
    unit = product.package.split("/")[0].lstrip("0123456789.")
    api.create_template(TemplateIn.model_validate({
        "name": TEMPLATE, "scope": "department",
        "diagnoses": [{"code": "J02.9", "name": "急性咽炎"}],
        "lines": [{"product_id": product.id, "dose": "1", "dose_unit": unit, "route": "口服",
                   "frequency": "tid", "days": 3}]}))
