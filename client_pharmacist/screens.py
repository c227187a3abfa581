"""Every screen of the app filled with real data, synchronously (for screenshots): the queue
beside the first task's review screen, my reviews, the senior views, and the dialogs."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from client_pharmacist.review import Decision, load_review, prepare
from client_pharmacist.signing_key import SigningKeyStore
from client_pharmacist.ui.dialogs import ConfirmSignatureDialog, KeySetupDialog, RejectDialog
from client_pharmacist.ui.history_view import HistoryView
from client_pharmacist.ui.main_window import MainWindow
from client_pharmacist.ui.senior_view import SeniorView
from client_pharmacist.ui.services import SENIOR_LEVELS, AppServices, LiveBridge
from common.api import ApiClient
from common.auth import CredentialStore
from common.qt.worker import Worker


def build_screens(api: ApiClient) -> dict[str, QWidget]:
    me = api.me()
    worker = Worker()
    services = AppServices(api=api, worker=worker,
                           keys=SigningKeyStore(CredentialStore(api.base_url), me.name), me=me)
    bridge = LiveBridge()
    window = MainWindow(services, bridge)
    bridge.setParent(window)
    worker.setParent(window)
    window._on_duty_loaded(api.duty_state())
    reasons = api.rejection_reasons()
    window.review.set_reasons(reasons)
    queue = api.review_queue(limit=200)
    window._on_queue_loaded(queue)
    screens: dict[str, QWidget] = {"review": window}
    if window.queue.rows:
        first = window.queue.rows[0]
        window.queue_view.table.select(first.task_id)
        window.review.show_view(load_review(api, first.task_id, window.services.clock))
        rejection = Decision("rejected", reason_code="interaction",
                             reason_text="与华法林合用出血风险增加，建议换用其他药物")
        reject = RejectDialog(reasons)
        reject.reason.setCurrentIndex(reject.reason.findData(rejection.reason_code))
        reject.text.setPlainText(rejection.reason_text or "")
        screens["reject_dialog"] = reject
        document = prepare(api, first.task_id, rejection)
        screens["confirm_signature"] = ConfirmSignatureDialog(
            document.document, document.sha256, reason_label=reasons["interaction"])
    history = HistoryView()
    page = api.review_history(limit=100)
    history.set_history(page.items, page.total)
    history.set_stats(api.review_stats(pharmacist_id=me.id))
    screens["my_reviews"] = history
    pharmacists = api.review_pharmacists()
    mine = next((p for p in pharmacists if p.id == me.id), None)
    if mine is not None and mine.pharmacist_level in SENIOR_LEVELS:
        senior = SeniorView(services)
        senior._on_open_tasks_loaded((api.open_review_tasks(limit=200), pharmacists))
        senior._on_spot_checks_loaded(api.spot_check_candidates(limit=200))
        screens["hospital_queue"] = senior
        spot = SeniorView(services)
        spot._on_spot_checks_loaded(api.spot_check_candidates(limit=200))
        spot.setCurrentIndex(1)
        screens["spot_checks"] = spot
    key = SigningKeyStore.describe(_sample_key())
    screens["signing_key"] = KeySetupDialog(existing=key, persistent=True)
    return screens


def _sample_key() -> str:
    from common import signing

    return signing.generate_private_key()
