"""First-time set-up of the signing key against the real server: generated on the
workstation, unusable until the administrator registers the public key, then accepted."""

from __future__ import annotations

import pytest

from client_doctor import submission
from client_doctor.signing_keys import KeyState, SigningKeys
from common.api import errors
from common.api.models import Override
from common.offline import Outbox
from tests.clients import draft

pytestmark = pytest.mark.slow


def test_generate_register_sign(staff, demo, tmp_path):
    doctor = staff("doctor_wang")
    keys = SigningKeys(doctor.session.store, "doctor_wang")
    public_pem = keys.generate()  # replaces the demo key in this workstation's keyring
    assert keys.state(doctor.api.my_certificates()) is KeyState.UNREGISTERED
    body = draft(demo, doctor.api)
    created = doctor.api.create_draft(body)
    outbox = Outbox(tmp_path / "offline.sqlite3")
    overrides = [Override(key=i.key, reason="已评估，获益大于风险")
                 for i in doctor.api.check_prescription(body).issues if i.needs_override]
    request = submission.prepare(doctor.api, created, overrides)
    with pytest.raises(errors.SignatureInvalid):  # not the key the server knows
        submission.sign_and_submit(doctor.api, keys, request, outbox=outbox,
                                   owner="doctor_wang")

    admin = staff("admin_h1")
    admin.api.call("POST", f"/users/{demo.account('doctor_wang').id}/certificates",
                   {"algorithm": "sm2-sm3", "public_key": public_pem})
    assert keys.state(doctor.api.my_certificates()) is KeyState.REGISTERED
    again = submission.prepare(doctor.api, doctor.api.get_prescription(created.id), overrides)
    done = submission.sign_and_submit(doctor.api, keys, again, outbox=outbox,
                                      owner="doctor_wang")
    assert isinstance(done, submission.Submitted)
    assert done.prescription.status == "under_review" and not outbox.pending()
