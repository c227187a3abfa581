"""What every view of the doctor app works with: the API, the session, the outbox, one worker."""

from __future__ import annotations

from dataclasses import dataclass, field

from client_doctor.signing_keys import SigningKeys
from common.api import ApiClient
from common.auth import Session
from common.offline import Outbox
from common.qt.worker import Worker


@dataclass
class DoctorContext:
    api: ApiClient
    session: Session
    outbox: Outbox
    worker: Worker
    # Names of patients opened in this run, for the prescription list (the list API gives ids).
    patient_names: dict[str, str] = field(default_factory=dict)

    @property
    def username(self) -> str:
        return self.session.username or ""

    def keys(self) -> SigningKeys:
        return SigningKeys(self.session.store, self.username)
