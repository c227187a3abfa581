"""Every screen of `client_pharmacist.screens.build_screens(api)` renders with real data, for the
project's screenshot registry; the pictures are saved for a person to check."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from client_pharmacist.screens import build_screens
from client_pharmacist.ui.main_window import MainWindow
from server.seed.demo import DemoGroup
from tests.client_pharmacist.prescribing import (
    only_on_duty,
    queue_item,
    submit_clean,
    submit_warfarin_patient_aspirin,
)
from tests.client_pharmacist.screenshots import save_screenshots
from tests.clients import Staff

pytestmark = pytest.mark.slow


def decide(pharmacist: Staff, prescription, decision: str, **reason: str) -> None:
    item = queue_item(pharmacist, prescription)
    assert item is not None
    document = pharmacist.api.decision_document(item.task.id, decision, **reason)
    signature, algorithm = pharmacist.sign(document.document)
    if decision == "approved":
        pharmacist.api.approve(item.task.id, version=item.task.version, signature=signature,
                               algorithm=algorithm)
    else:
        pharmacist.api.reject(item.task.id, version=item.task.version, signature=signature,
                              algorithm=algorithm, reason_code=reason["reason_code"],
                              reason_text=reason["reason_text"])


def test_every_screen_with_demo_data(qtbot: QtBot, staff, demo: DemoGroup, no_leaked_windows):
    doctor = staff("doctor_wang")
    liu = only_on_duty(staff, "pharm_liu")["pharm_liu"]
    decide(liu, submit_clean(demo, doctor), "approved")  # for 陈静 to spot-check
    chen = only_on_duty(staff, "pharm_chen")["pharm_chen"]
    decide(chen, submit_clean(demo, doctor), "approved")
    decide(chen, submit_clean(demo, doctor), "rejected", reason_code="dose_frequency",
           reason_text="剂量偏大，请调整为每日两次")
    interaction = submit_warfarin_patient_aspirin(demo, doctor)
    submit_clean(demo, doctor)

    screens = build_screens(chen.api)
    assert set(screens) == {"review", "reject_dialog", "confirm_signature", "my_reviews",
                            "hospital_queue", "spot_checks", "signing_key"}
    window = screens["review"]
    assert isinstance(window, MainWindow)
    assert window.queue_view.table.rowCount() == 2
    assert window.review.view is not None and window.review.view.number == interaction.number
    labels = [w.text() for w in window.findChildren(QLabel)]
    assert "刘*" in labels
    saved = save_screenshots(qtbot, screens)
    assert all(path.stat().st_size > 10_000 for path in saved)
