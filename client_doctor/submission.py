"""Sign and submit, and what happens when the server is away at that moment.

Signing needs the exact document from the server (`GET .../signing-document`: the number and
revision are the server's), so a prescription is signed while the server is reachable. The
decision (see also docs/doctor.md):

- What the outbox holds is the *already signed* submit request: method, path, the body with
  the signature and the override reasons, and its Idempotency-Key, fixed before the first try.
  If the server goes away between the confirmation dialog and the submit (or the submit's
  answer is lost), the request is queued; `OutboxSender` sends it when the server is back,
  with the same key, so the server records one submission however often it arrives.
- A signature binds the version it was made for: if the draft changes meanwhile the server
  refuses the queued submit (a conflict) and the entry is marked failed for the doctor to sign
  again. Nothing is ever signed without the doctor seeing the document in the dialog.
- While the server is down from the start, nothing can be signed: the draft stays in the editor
  (and the doctor signs when the banner goes away).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from client_doctor.signing_keys import SigningKeys
from common.api import ApiClient, errors, new_idempotency_key
from common.api.models import Override, Prescription, SigningDocument, SubmitIn
from common.offline import Outbox, QueuedWrite


@dataclass(frozen=True)
class SignRequest:
    """A prescription's document to sign, fetched for the confirmation dialog."""

    prescription_id: uuid.UUID
    number: str
    version: int
    document: SigningDocument
    overrides: tuple[Override, ...]
    # Fixed here, so every send of this signed submit (retries, the outbox) is one submission.
    idempotency_key: str


@dataclass(frozen=True)
class Submitted:
    prescription: Prescription


@dataclass(frozen=True)
class Queued:
    entry: QueuedWrite


def prepare(api: ApiClient, rx: Prescription, overrides: list[Override]) -> SignRequest:
    """The document to show and sign for the saved draft `rx` (needs the server)."""
    document = api.signing_document(rx.id)
    return SignRequest(rx.id, rx.number, rx.version, document, tuple(overrides),
                       new_idempotency_key())


def submit_path(prescription_id: uuid.UUID) -> str:
    return f"/prescriptions/{prescription_id}/submit"


def sign_and_submit(api: ApiClient, keys: SigningKeys, request: SignRequest, *,
                    outbox: Outbox, owner: str) -> Submitted | Queued:
    """Sign the document the doctor confirmed and submit it; queue the signed request when the
    server cannot be reached. Other refusals (blocked, signature, conflict) are raised."""
    signature, algorithm = keys.sign(request.document.document)
    try:
        return Submitted(api.submit_prescription(
            request.prescription_id, version=request.version, signature=signature,
            algorithm=algorithm, overrides=list(request.overrides),
            idempotency_key=request.idempotency_key))
    except errors.ServerUnavailable:
        body = SubmitIn(version=request.version, signature=signature, algorithm=algorithm,
                        overrides=list(request.overrides))
        return Queued(outbox.enqueue(
            "POST", submit_path(request.prescription_id), body, owner=owner,
            idempotency_key=request.idempotency_key,
            description=f"提交处方 {request.number}"))
