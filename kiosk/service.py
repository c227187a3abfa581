"""The kiosk's calls to the server, Qt-free and blocking (the Qt layer runs them on workers).

The kiosk holds two credentials: its own (an integration client of kind `kiosk`, by client
credentials), which may turn a card number into a patient token; and, while a patient is at the
screen, that patient's token, which is all the patient API accepts.

Identifying someone hands back their token without making it the current patient's: the
worker that asked may be answering for a patient who has since left, while the next one is
being identified. The GUI thread, which knows whose visit is open, makes it current
(`use_patient`) or lets it go (`end_access`), and takes it back when the visit ends
(`take_patient`, then `end_access` on a worker).
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from common.api import NO_RETRY, ApiClient
from common.api.errors import NotAuthenticated
from kiosk.models import (
    DeliveryMode,
    Order,
    PatientAccess,
    PatientPrescription,
    Payment,
    PharmacyOption,
)

log = logging.getLogger(__name__)
REPORT_TIMEOUT = 5.0  # seconds; a report held up longer is retried with fresher states
_prescriptions = TypeAdapter(list[PatientPrescription])
_options = TypeAdapter(list[PharmacyOption])


class _Token:
    """A bearer token held in memory (a `TokenSource` for one `ApiClient`)."""

    def __init__(self, renew: Any = None) -> None:
        self.value: str | None = None
        self._renew = renew
        self._lock = threading.Lock()

    def access_token(self) -> str | None:
        with self._lock:
            if self.value is None and self._renew is not None:
                self.value = self._renew()
            return self.value

    def refresh_access(self, stale: str | None) -> str:
        with self._lock:
            if self._renew is None:
                raise NotAuthenticated("患者身份验证已过期，请重新验证")
            self.value = self._renew()
            return self.value


class KioskService:
    """One kiosk's view of the server. `kiosk_api` and `patient_api` are two connections to the
    same server: the kiosk's own token never goes out with a patient request, nor the reverse."""

    def __init__(self, kiosk_api: ApiClient, patient_api: ApiClient, *, client_id: str,
                 client_secret: str) -> None:
        self.kiosk_api = kiosk_api
        self.patient_api = patient_api
        self._client_id = client_id
        self._client_secret = client_secret
        self._kiosk_token = _Token(self._client_token)
        kiosk_api.tokens = self._kiosk_token
        self._patient_token = _Token()
        patient_api.tokens = self._patient_token

    @classmethod
    def connect(cls, base_url: str, *, client_id: str, client_secret: str,
                **api_kw: Any) -> KioskService:
        return cls(ApiClient(base_url, **api_kw), ApiClient(base_url, **api_kw),
                   client_id=client_id, client_secret=client_secret)

    def close(self) -> None:
        self.kiosk_api.close()
        self.patient_api.close()

    def _client_token(self) -> str:
        answer = self.kiosk_api.send_json("POST", "/auth/token", {
            "client_id": self._client_id, "client_secret": self._client_secret}, auth=False)
        return str(answer["access_token"])

    def health(self) -> None:
        self.kiosk_api.health()

    def report_devices(self, body: dict[str, Any]) -> None:
        """The devices' states (`kiosk.devices`), with the kiosk's own token. No retry here:
        the reporter retries later with the states of that moment, not these."""
        self.kiosk_api.request("POST", "/devices/status", body=body, retry=NO_RETRY,
                               timeout=REPORT_TIMEOUT)

    # -- identification ----------------------------------------------------------------------

    def identify_by_card(self, card_type: str, card_number: str) -> PatientAccess:
        return PatientAccess.model_validate(self.kiosk_api.call(
            "POST", "/patient-access/card", {"card_type": card_type, "card_number": card_number}))

    def identify_by_slip(self, code: str) -> PatientAccess:
        return PatientAccess.model_validate(self.kiosk_api.send_json(
            "POST", "/patient-access/slip", {"code": code}, auth=False))

    def request_sms_code(self, id_number: str) -> str:
        """Sends the code; returns the masked phone it went to."""
        answer = self.kiosk_api.send_json("POST", "/patient-access/sms-codes",
                                          {"id_number": id_number}, auth=False)
        return str(answer["phone"])

    def identify_by_sms(self, id_number: str, code: str) -> PatientAccess:
        return PatientAccess.model_validate(self.kiosk_api.send_json(
            "POST", "/patient-access/sms-login", {"id_number": id_number, "code": code},
            auth=False))

    def use_patient(self, access: PatientAccess) -> None:
        """Make `access` the current patient's (GUI thread: the visit it opens is shown)."""
        self._patient_token.value = access.access_token

    def take_patient(self) -> str | None:
        """Drop the current patient's token and hand it over, for `end_access` (GUI thread)."""
        token, self._patient_token.value = self._patient_token.value, None
        return token

    def end_access(self, token: str) -> None:
        """End a patient's access on the server (best effort: it runs out by itself anyway)."""
        try:
            self.patient_api.request("POST", "/patient-access/logout", bearer=token)
        except Exception as exc:
            log.info("patient logout failed: %s", exc)

    @property
    def has_patient(self) -> bool:
        return self._patient_token.value is not None

    # -- the patient's prescriptions and orders -----------------------------------------------

    def prescriptions(self, access: PatientAccess | None = None) -> list[PatientPrescription]:
        """The current patient's prescriptions, or those of `access` just identified."""
        response = self.patient_api.request(
            "GET", "/patient/prescriptions", bearer=access.access_token if access else None)
        return _prescriptions.validate_python(response.json())

    def pharmacies(self, prescription_id: uuid.UUID, mode: DeliveryMode, *,
                   region_code: str | None = None) -> list[PharmacyOption]:
        return _options.validate_python(self.patient_api.call(
            "GET", f"/patient/prescriptions/{prescription_id}/pharmacies",
            params={"mode": mode.value, "region_code": region_code}))

    def choose(self, prescription_id: uuid.UUID, *, pharmacy_id: uuid.UUID, mode: DeliveryMode,
               appointment_at: datetime | None = None,
               address: dict[str, str] | None = None) -> Order:
        body: dict[str, Any] = {"pharmacy_id": str(pharmacy_id), "mode": mode.value}
        if appointment_at is not None:
            body["appointment_at"] = appointment_at.isoformat()
        if address is not None:
            body["address"] = address
        return Order.model_validate(self.patient_api.call(
            "POST", f"/patient/prescriptions/{prescription_id}/order", body))

    def pay_online(self, order_id: uuid.UUID) -> Payment:
        return Payment.model_validate(self.patient_api.call(
            "POST", f"/patient/orders/{order_id}/payment", {"method": "online"}))

    def order(self, order_id: uuid.UUID) -> Order:
        return Order.model_validate(self.patient_api.call("GET", f"/patient/orders/{order_id}"))

    def queue_number(self, order_id: uuid.UUID) -> str:
        answer = self.patient_api.call("POST", f"/patient/orders/{order_id}/queue-number")
        return str(answer["queue_number"])
