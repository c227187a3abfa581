"""Opening a patient: when two searches overlap, only the newest one's patients are listed
(its first row is selected and Enter opens it), whatever order the answers come back in."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from client_doctor.ui.dialogs import PatientSearchDialog
from common.api.models import Patient
from common.qt.worker import Worker

WAIT = 5_000


def _patient(name: str) -> Patient:
    now = datetime.now(UTC)
    return Patient(id=uuid.uuid4(), version=1, org_id=uuid.uuid4(), view="masked", name=name,
                   pregnant=False, lactating=False, created_at=now, updated_at=now)


def test_an_earlier_search_answering_last_does_not_replace_the_newer_results(
        qtbot: QtBot) -> None:
    release = threading.Event()

    def search(criteria: dict[str, str]) -> list[Patient]:
        if criteria["name"] == "张伟":
            assert release.wait(WAIT / 1000)  # the earlier search is the slow one
        return [_patient(criteria["name"])]

    dialog = PatientSearchDialog(search, Worker())
    qtbot.addWidget(dialog)
    for name in ("张伟", "李娜"):
        dialog.query.setText(name)
        dialog.run_search()
    qtbot.waitUntil(lambda: dialog.chosen is not None, timeout=WAIT)
    release.set()
    qtbot.wait(200)  # time for the earlier answer to arrive, were it delivered
    assert [p.name for p in dialog.found] == ["李娜"]
    assert dialog.chosen is not None and dialog.chosen.name == "李娜"
