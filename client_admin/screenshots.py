"""Every screen of the administration app with demo data, for `rxp screenshots`: doctors of
the demo group prescribe and share a department template, a pharmacist approves (so the
statistics, the audit log, the trace and the templates have something to show), then
admin_group (the group's hospital administrator) and the auditor log in and the screens are
built from what the server returns (`client_admin.screens`)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

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
    admin = demo.api()
    demo.login("admin_group", admin)
    auditor = demo.api()
    demo.login("auditor", auditor)
    return build_screens(admin, auditor)


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
