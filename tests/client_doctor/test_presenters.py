"""Qt-free parts of the doctor app: the prescription list under live events, the signing key
in the keyring, the patient's facts, the printed prescription's QR code."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest

from client_doctor.patient import PatientFacts, allergy_text
from client_doctor.prescriptions import PrescriptionList, can_reissue, can_revise, can_void
from client_doctor.signing_keys import KeyState, SigningKeys
from common import signing
from common.api.models import Certificate, LiveEvent, PatientContext, PrescriptionSummary
from common.auth import CredentialStore
from tests.clients import MemoryKeyring


def summary(status: str = "under_review", **kw: object) -> PrescriptionSummary:
    return PrescriptionSummary.model_validate({
        "id": kw.get("id", uuid.uuid4()), "number": "RX20260101001", "version": 1,
        "status": status, "status_label": "药师审核中", "patient_id": uuid.uuid4(),
        "visit_type": "outpatient", "total_amount": "12.50",
        "created_at": kw.get("created_at", datetime.now(UTC))})


def event(payload: dict[str, object], kind: str = "prescription.status") -> LiveEvent:
    return LiveEvent(id=1, type=kind, created_at=datetime.now(UTC), org_id=uuid.uuid4(),
                     entity_type="prescription", entity_id=str(payload.get("id")),
                     payload=payload)


class TestPrescriptionList:
    def test_a_status_event_changes_the_row_at_once(self):
        model = PrescriptionList()
        item = summary()
        model.load([item])
        changed = model.apply_event(event({"id": str(item.id), "status": "rejected",
                                           "reason_text": "剂量偏大"}))
        assert changed == item.id
        row = model.row(item.id)
        assert row is not None
        assert (row.status, row.status_label, row.reason) == ("rejected", "审核驳回", "剂量偏大")

    def test_other_events_and_unknown_ids(self):
        model = PrescriptionList()
        assert model.apply_event(event({"id": "x"}, kind="review.task_assigned")) is None
        assert model.apply_event(event({"id": "not-a-uuid"})) is None
        other = uuid.uuid4()
        assert model.apply_event(event({"id": str(other), "status": "approved"})) == other
        assert model.row(other) is None  # read again by the view, then added

    def test_newest_first(self):
        old = summary(created_at=datetime(2026, 1, 1, tzinfo=UTC))
        new = summary(created_at=datetime(2026, 2, 1, tzinfo=UTC))
        model = PrescriptionList()
        model.load([old, new])
        assert [r.id for r in model.rows()] == [new.id, old.id]

    def test_what_the_doctor_may_do(self):
        assert can_revise("rejected") and can_revise("draft") and not can_revise("approved")
        assert can_void("under_review") and not can_void("dispensing")
        assert can_reissue("voided") and not can_reissue("collected")


class TestSigningKeys:
    def store(self, backend: MemoryKeyring | None = None) -> CredentialStore:
        return CredentialStore("http://rxp.test", backend=backend or MemoryKeyring())

    def test_first_time_set_up_and_registration(self):
        backend = MemoryKeyring()
        keys = SigningKeys(self.store(backend), "doctor_wang")
        assert keys.state([]) is KeyState.MISSING
        public_pem = keys.generate()
        assert public_pem.startswith("-----BEGIN PUBLIC KEY-----")
        # In the OS keyring, under the server's service, not on the server.
        assert any(name == "signing-key:doctor_wang" for _, name in backend.entries)
        assert keys.state([]) is KeyState.UNREGISTERED
        public = signing.load_public_key(public_pem)
        certificate = Certificate(id=uuid.uuid4(), user_id=uuid.uuid4(),
                                  algorithm=public.algorithm, fingerprint=public.fingerprint,
                                  registered_at=datetime.now(UTC),
                                  valid_from=datetime.now(UTC), status="active")
        assert keys.state([certificate]) is KeyState.REGISTERED
        revoked = certificate.model_copy(update={"status": "revoked"})
        assert keys.state([revoked]) is KeyState.UNREGISTERED
        signature, algorithm = keys.sign({"type": "rxp.prescription/1", "number": "RX1"})
        assert algorithm == "sm2-sm3"
        assert signing.verify_document(public, {"type": "rxp.prescription/1", "number": "RX1"},
                                       signature)

    def test_no_key_no_signature(self):
        with pytest.raises(LookupError):
            SigningKeys(self.store(), "doctor_wang").sign({"a": 1})


class TestPatientFacts:
    def test_from_the_context(self):
        context = PatientContext.model_validate({
            "patient": {"id": uuid.uuid4(), "version": 1, "org_id": uuid.uuid4(),
                        "view": "masked", "name": "吴*", "sex": "female",
                        "birth_date": date(1959, 6, 25), "pregnant": False,
                        "lactating": False, "created_at": datetime.now(UTC),
                        "updated_at": datetime.now(UTC)},
            "diagnoses": [_record(icd10="I10", name="原发性高血压", active=True),
                          _record(icd10="J02.9", name="急性咽炎", active=False)],
            "allergies": [_record(allergen_class="penicillins", allergen_class_label="青霉素类",
                                  allergen="青霉素", reaction="皮疹", severity="severe",
                                  active=True)],
            "current_medications": [_record(generic_name="华法林", dose="2.5mg qd",
                                            started_on=date(2026, 1, 2))],
            "past_medications": []})
        facts = PatientFacts.of(context)
        assert facts.allergies == ("青霉素类（青霉素）：皮疹",)
        assert facts.diagnoses == ("I10 原发性高血压",)
        assert facts.current_medications == ("华法林 2.5mg qd（2026-01-02起）",)
        assert allergy_text(None, "磺胺类", None) == "磺胺类"


def _record(**kw: object) -> dict[str, object]:
    return {"id": uuid.uuid4(), "version": 1, "patient_id": uuid.uuid4(), "source": "his",
            "recorded_at": datetime.now(UTC), "recorded_by": "HIS", **kw}


class TestQrCode:
    def test_the_code_reads_back_as_the_number(self, qapp, tmp_path: Path):
        from client_doctor.ui.printing import qr_image

        image = qr_image("RX202601010001")
        path = tmp_path / "qr.png"
        assert image.save(str(path))
        pixels = cv2.imread(str(path))
        assert isinstance(pixels, np.ndarray)
        text, _, _ = cv2.QRCodeDetector().detectAndDecode(pixels)
        assert text == "RX202601010001"
