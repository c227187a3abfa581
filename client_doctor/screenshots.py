"""Every screen of the doctor app with demo data, for `rxp screenshots`.

`screenshots(demo)` logs doctor_wang in (and, for the statuses, has pharmacists decide through
the API), drives the real views to each state and returns them by name; the caller saves them.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QWidget

from client_doctor import submission
from client_doctor.app import CATALOGUE, I18N_DIR, DoctorApp
from client_doctor.editor import Readiness
from client_doctor.ui.dialogs import KeySetupDialog, PatientSearchDialog, SignConfirmDialog
from client_doctor.ui.editor_view import EditorView
from client_doctor.ui.main_window import MainWindow
from common import signing
from common.api import ApiClient
from common.api.models import DraftIn, Override, Prescription
from common.auth import CredentialStore, Session
from common.demo import DemoDirectory
from common.offline import Connectivity
from common.qt.login import LoginDialog
from common.qt.screens import settle, wait_until

SIZE = (1366, 820)
# The translations the screens need (`installers/screenshots.py` loads them).
CATALOGUES = [(CATALOGUE, I18N_DIR)]
# What the screens need alive (the app, its window) until the run ends: a screenshot run is a
# process of its own.
_alive: list[object] = []


def _settled(editor: EditorView) -> Callable[[], bool]:
    def ready() -> bool:
        model = editor.editor
        return (model is not None and not editor.busy
                and model.readiness is not Readiness.CHECKING)
    return ready


def _add(editor: EditorView, api: ApiClient, query: str, name: str, **values: str) -> None:
    hit = next(h for h in api.search_catalogue(query, limit=20).items if name in h.generic_name)
    editor.on_search_chosen(hit)
    row = editor.current_row
    assert editor.editor is not None
    for field, value in values.items():
        editor.editor.set_field(row, field, value)
    editor.refresh()
    editor.schedule()
    wait_until(_settled(editor), what="the check of the line")


def _submitted(session: Session, demo: DemoDirectory, patient: str, query: str, name: str,
               frequency: str) -> Prescription:
    """A prescription of the demo doctor, signed and submitted through the API."""
    api = session.api
    hit = next(h for h in api.search_catalogue(query, limit=20).items if name in h.generic_name)
    unit = hit.package.split("/")[0].lstrip("0123456789.")
    body = DraftIn.model_validate({
        "patient_id": demo.patient_id(patient), "visit_type": "outpatient",
        "diagnoses": [{"code": "I10", "name": "原发性高血压"}],
        "lines": [{"product_id": hit.id, "dose": "1", "dose_unit": unit, "route": "口服",
                   "frequency": frequency, "days": 7}]})
    created = api.create_draft(body)
    check = api.check_prescription(body)
    document = api.signing_document(created.id)
    key = demo.signing_keys()[session.username or ""]
    return api.submit_prescription(
        created.id, version=created.version, signature=signing.sign_document(
            key, document.document), algorithm=signing.load_private_key(key).algorithm,
        overrides=[Override(key=i.key, reason="已评估，获益大于风险")
                   for i in check.issues if i.needs_override])


def _decide(demo: DemoDirectory, prescription_id: uuid.UUID, reason: str | None) -> None:
    """A pharmacist approves (reason None) or rejects, signing as the app would."""
    for username in ("pharm_chen", "pharm_liu"):
        pharmacist = demo.login(username)
        api = pharmacist.api
        task = next((i.task for i in api.review_queue().items
                     if i.task.prescription_id == prescription_id), None)
        if task is None:
            api.close()
            continue
        key = demo.signing_keys()[username]
        algorithm = signing.load_private_key(key).algorithm
        if reason is None:
            document = api.decision_document(task.id, "approved")
            api.approve(task.id, version=task.version, algorithm=algorithm,
                        signature=signing.sign_document(key, document.document))
        else:
            code = next(iter(api.rejection_reasons()))
            document = api.decision_document(task.id, "rejected", reason_code=code,
                                             reason_text=reason)
            api.reject(task.id, version=task.version, algorithm=algorithm,
                       signature=signing.sign_document(key, document.document),
                       reason_code=code, reason_text=reason)
        api.close()
        return


def screenshots(demo: DemoDirectory, *, data_dir: Path | None = None) -> dict[str, QWidget]:
    """The doctor app's screens by name, filled with the demo group's data."""
    screens: dict[str, QWidget] = {}
    folder = data_dir or Path(tempfile.mkdtemp(prefix="rxp-shots-"))
    api = demo.api()
    app = DoctorApp(api, data_dir=folder, store=CredentialStore(api.base_url),
                    demo_keys=demo.signing_keys(), username="doctor_wang")

    login = LoginDialog(lambda *_: None, username="doctor_wang",
                        title=QCoreApplication.translate("DoctorApp",
                                                         "Log in · Prescribing workstation"))
    login.password.setText("••••••••")
    screens["login"] = login

    session = app.session
    demo.log_in(session, "doctor_wang")
    app.install_demo_key()
    # Some history for "my prescriptions": one approved, one rejected, one under review.
    approved = _submitted(session, demo, "张伟", "anl", "氨氯地平", "qd")
    _decide(demo, approved.id, None)
    rejected = _submitted(session, demo, "刘洋", "anl", "氨氯地平", "qd")
    _decide(demo, rejected.id, "剂量与疗程需调整，请改为每日一次、5天")
    _submitted(session, demo, "李娜", "anl", "氨氯地平", "qd")

    window = MainWindow(app.ctx)
    window.resize(*SIZE)
    window.show()
    editor = window.editor
    editor.open_patient(demo.patient_id("吴敏"))
    wait_until(lambda: editor.editor is not None and not editor.busy, what="the patient")

    search = PatientSearchDialog(lambda c: api.search_patients(name=c.get("name")).items,
                                 app.worker)
    search.query.setText("吴敏")
    search.run_search()
    wait_until(lambda: search.results.count() > 0, what="the patient search")
    screens["patient_search"] = search

    editor.search.line_edit.setText("amxl")
    editor.search.line_edit.textEdited.emit("amxl")
    wait_until(lambda: editor.search.popup.isVisible() and not editor.search.searching,
               what="the drug search")
    screens["drug_search_popup"] = editor.search.popup

    def shot(name: str) -> None:
        """The main window as it is now, kept as a picture (the window moves on)."""
        settle()
        label = QLabel()
        label.setPixmap(window.grab())
        label.resize(window.size())
        screens[name] = label

    shot("editor_search")
    editor.search.hide_popup()
    _add(editor, api, "amxl", "阿莫西林")
    wait_until(lambda: bool(editor.warnings.rows()), what="the allergy warning")
    shot("editor_allergy_blocked")

    editor.remove_current_line()
    _add(editor, api, "anl", "氨氯地平", frequency="qd", days="7")
    wait_until(lambda: editor.editor is not None and editor.editor.up_to_date_on_server,
               what="the saved draft")
    shot("editor_ready_to_sign")

    assert editor.editor is not None and editor.editor.saved is not None
    request = submission.prepare(api, editor.editor.saved, editor.editor.overrides_given())
    screens["sign_confirm"] = SignConfirmDialog(request, "吴*")

    editor.open_patient(demo.patient_id("李娜"))
    wait_until(lambda: editor.editor is not None and not editor.busy, what="the patient")
    assert editor.editor is not None
    editor.diagnoses.setText("J02.9 急性咽炎")
    editor.on_diagnoses_editing_finished()
    _add(editor, api, "布洛芬", "布洛芬", days="5")
    shot("editor_warnings")
    if editor.editor.overrides_needed():
        editor.ask_overrides()
        assert editor.override_dialog is not None
        screens["override_reasons"] = editor.override_dialog

    view = window.prescriptions
    window.tabs.setCurrentWidget(view)
    view.refresh()
    wait_until(lambda: not view.busy and view.status_of(rejected.id) == "rejected",
               what="my prescriptions")
    view.show_prescription(api.get_prescription(rejected.id))
    wait_until(lambda: not view.busy, what="the details")
    shot("my_prescriptions_rejected")
    view.show_prescription(api.get_prescription(approved.id))
    shot("my_prescriptions_approved")

    window.tabs.setCurrentWidget(editor)
    window.on_connectivity(Connectivity(online=False, since=datetime.now(UTC)
                                        - timedelta(minutes=3), reason="无法连接服务器"))
    shot("offline")
    window.on_connectivity(Connectivity(online=True, since=datetime.now(UTC)))

    keys = app.ctx.keys()
    public = keys.public_key()
    screens["signing_key"] = KeySetupDialog(
        public_pem=public.pem if public else None, registered=True,
        persistent=keys.persistent, generate=keys.generate)
    _alive.extend([app, window])
    return screens
