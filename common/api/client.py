"""Typed calls of the API the desktop apps use, one method per route.

Each write takes an optional `idempotency_key`: an app that wants to resend a write after a
restart (the outbox) or to be sure a double click makes one record passes its own key; otherwise
each call gets a fresh one, which the retries of that call reuse.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from common.api.connection import NO_RETRY, Connection
from common.api.models import (
    Annotation,
    AnnotationIn,
    Certificate,
    CheckResult,
    DecisionDocumentIn,
    DecisionIn,
    DraftIn,
    DraftUpdate,
    Duty,
    DutyIn,
    DutyState,
    HistoryPage,
    LaunchRequest,
    LaunchResponse,
    LiveEventPage,
    LoginRequest,
    Me,
    OpenTaskPage,
    Override,
    PatientContext,
    PatientPage,
    Pharmacist,
    Prescription,
    PrescriptionPage,
    Product,
    QueuePage,
    ReasonIn,
    ReassignIn,
    RefreshRequest,
    RejectIn,
    ReviewStats,
    ReviewTask,
    ReviewTaskDetail,
    SearchPage,
    SigningDocument,
    SpotCheckIn,
    SpotCheckPage,
    SubmitIn,
    Template,
    TemplateIn,
    TokenResponse,
)

_templates = TypeAdapter(list[Template])
_pharmacists = TypeAdapter(list[Pharmacist])
_certificates = TypeAdapter(list[Certificate])
Id = uuid.UUID | str


class ApiClient(Connection):
    """The API of one server for the apps. See `Connection` for the constructor, retries and
    errors; `tokens` is set by `common.auth.Session` once someone logs in."""

    # -- health --------------------------------------------------------------------------------

    def health(self, *, timeout: float = 1.5) -> None:
        """One cheap probe, no retry; raises ServerUnavailable when the server does not answer."""
        self.request("GET", "/health", auth=False, retry=NO_RETRY, timeout=timeout)

    # -- authentication ------------------------------------------------------------------------

    def login(self, username: str, password: str, totp_code: str | None, *,
              idempotency_key: str | None = None) -> TokenResponse:
        """Password plus TOTP. A retry of a lost answer replays it (the code is single-use)."""
        body = LoginRequest(username=username, password=password, totp_code=totp_code)
        return TokenResponse.model_validate(self.send_json(
            "POST", "/auth/login", body, idempotency_key=idempotency_key, auth=False))

    def refresh(self, refresh_token: str, *, idempotency_key: str | None = None
                ) -> TokenResponse:
        """Rotate: the token sent is spent. A retry with the same key gets the same new pair,
        so a lost answer does not look like a stolen token to the server."""
        return TokenResponse.model_validate(self.send_json(
            "POST", "/auth/refresh", RefreshRequest(refresh_token=refresh_token),
            idempotency_key=idempotency_key, auth=False))

    def launch(self, launch_token: str, *, idempotency_key: str | None = None
               ) -> LaunchResponse:
        """Start from the HIS: a single-use launch token for a session and the patient."""
        return LaunchResponse.model_validate(self.send_json(
            "POST", "/auth/launch", LaunchRequest(launch_token=launch_token),
            idempotency_key=idempotency_key, auth=False))

    def my_certificates(self) -> list[Certificate]:
        """The public keys registered for the logged-in user."""
        return _certificates.validate_python(self.get_json("/me/certificates"))

    def logout(self) -> None:
        self.request("POST", "/auth/logout")

    def me(self) -> Me:
        return Me.model_validate(self.get_json("/auth/me"))

    # -- catalogue and patients ----------------------------------------------------------------

    def search_catalogue(self, q: str, *, item_type: str | None = None,
                         chronic_only: bool = False, herbal_pieces: bool | None = None,
                         limit: int = 20, offset: int = 0) -> SearchPage:
        """As-you-type search: generic or brand name, pinyin initials (`amxl`), codes."""
        return SearchPage.model_validate(self.get_json("/catalogue/search", params={
            "q": q, "item_type": item_type, "chronic_only": chronic_only,
            "herbal_pieces": herbal_pieces, "limit": limit, "offset": offset}))

    def catalogue_product(self, product_id: Id) -> Product:
        """One product's catalogue entry (the drug reference data the review screen shows)."""
        return Product.model_validate(self.get_json(f"/catalogue/products/{product_id}"))

    def search_patients(self, *, name: str | None = None, id_number: str | None = None,
                        phone: str | None = None, insurance_card: str | None = None,
                        hospital_card: str | None = None, limit: int = 20) -> PatientPage:
        """Exact match on every criterion given (the server searches blind indexes)."""
        return PatientPage.model_validate(self.get_json("/patients", params={
            "name": name, "id_number": id_number, "phone": phone,
            "insurance_card": insurance_card, "hospital_card": hospital_card, "limit": limit}))

    def patient_context(self, patient_id: Id, *, past_limit: int | None = None
                        ) -> PatientContext:
        return PatientContext.model_validate(self.get_json(
            f"/patients/{patient_id}/context", params={"past_limit": past_limit}))

    # -- prescriptions (doctor) ----------------------------------------------------------------

    def check_prescription(self, draft: DraftIn) -> CheckResult:
        """Warnings while prescribing, on content not saved yet."""
        return CheckResult.model_validate(self.send_json("POST", "/prescriptions/check", draft))

    def create_draft(self, draft: DraftIn, *, idempotency_key: str | None = None
                     ) -> Prescription:
        return Prescription.model_validate(self.send_json(
            "POST", "/prescriptions", draft, idempotency_key=idempotency_key))

    def update_draft(self, prescription_id: Id, update: DraftUpdate, *,
                     idempotency_key: str | None = None) -> Prescription:
        return Prescription.model_validate(self.send_json(
            "PUT", f"/prescriptions/{prescription_id}", update,
            idempotency_key=idempotency_key))

    def list_my_prescriptions(self, *, status: str | None = None, limit: int = 50,
                              offset: int = 0) -> PrescriptionPage:
        return PrescriptionPage.model_validate(self.get_json("/prescriptions", params={
            "status": status, "limit": limit, "offset": offset}))

    def get_prescription(self, prescription_id: Id) -> Prescription:
        return Prescription.model_validate(self.get_json(f"/prescriptions/{prescription_id}"))

    def signing_document(self, prescription_id: Id) -> SigningDocument:
        """The exact content to sign on submit."""
        return SigningDocument.model_validate(self.get_json(
            f"/prescriptions/{prescription_id}/signing-document"))

    def submit_prescription(self, prescription_id: Id, *, version: int, signature: str,
                            algorithm: str, overrides: list[Override] | None = None,
                            idempotency_key: str | None = None) -> Prescription:
        body = SubmitIn(version=version, signature=signature, algorithm=algorithm,
                        overrides=overrides or [])
        return Prescription.model_validate(self.send_json(
            "POST", f"/prescriptions/{prescription_id}/submit", body,
            idempotency_key=idempotency_key))

    def void_prescription(self, prescription_id: Id, *, version: int, reason: str,
                          idempotency_key: str | None = None) -> Prescription:
        return Prescription.model_validate(self.send_json(
            "POST", f"/prescriptions/{prescription_id}/void",
            ReasonIn(version=version, reason=reason), idempotency_key=idempotency_key))

    def reissue_prescription(self, prescription_id: Id, *, version: int, reason: str,
                             idempotency_key: str | None = None) -> Prescription:
        """重开: voids this one and returns the new draft linked to it."""
        return Prescription.model_validate(self.send_json(
            "POST", f"/prescriptions/{prescription_id}/reissue",
            ReasonIn(version=version, reason=reason), idempotency_key=idempotency_key))

    def list_templates(self) -> list[Template]:
        return _templates.validate_python(self.get_json("/prescription-templates"))

    def create_template(self, template: TemplateIn, *, idempotency_key: str | None = None
                        ) -> Template:
        return Template.model_validate(self.send_json(
            "POST", "/prescription-templates", template, idempotency_key=idempotency_key))

    def delete_template(self, template_id: Id) -> None:
        self.request("DELETE", f"/prescription-templates/{template_id}")

    # -- review (pharmacist) -------------------------------------------------------------------

    def set_duty(self, on_duty: bool) -> Duty:
        """On / off duty; going off hands open tasks back for reassignment."""
        return Duty.model_validate(self.send_json("POST", "/review/duty",
                                                  DutyIn(on_duty=on_duty)))

    def duty_state(self) -> DutyState:
        return DutyState.model_validate(self.get_json("/review/duty"))

    def review_queue(self, *, limit: int = 50, offset: int = 0) -> QueuePage:
        return QueuePage.model_validate(self.get_json("/review/queue", params={
            "limit": limit, "offset": offset}))

    def review_task(self, task_id: Id) -> ReviewTaskDetail:
        return ReviewTaskDetail.model_validate(self.get_json(f"/review/tasks/{task_id}"))

    def rejection_reasons(self) -> dict[str, str]:
        reasons: dict[str, str] = self.get_json("/review/reasons")
        return reasons

    def decision_document(self, task_id: Id, decision: str, *, reason_code: str | None = None,
                          reason_text: str | None = None) -> SigningDocument:
        """The exact content the pharmacist signs for `decision` ("approved" / "rejected")."""
        body = DecisionDocumentIn.model_validate(
            {"decision": decision, "reason_code": reason_code, "reason_text": reason_text})
        return SigningDocument.model_validate(self.send_json(
            "POST", f"/review/tasks/{task_id}/decision-document", body))

    def approve(self, task_id: Id, *, version: int, signature: str, algorithm: str,
                idempotency_key: str | None = None) -> ReviewTask:
        body = DecisionIn(version=version, signature=signature, algorithm=algorithm)
        return ReviewTask.model_validate(self.send_json(
            "POST", f"/review/tasks/{task_id}/approve", body, idempotency_key=idempotency_key))

    def reject(self, task_id: Id, *, version: int, signature: str, algorithm: str,
               reason_code: str, reason_text: str,
               idempotency_key: str | None = None) -> ReviewTask:
        body = RejectIn(version=version, signature=signature, algorithm=algorithm,
                        reason_code=reason_code, reason_text=reason_text)
        return ReviewTask.model_validate(self.send_json(
            "POST", f"/review/tasks/{task_id}/reject", body, idempotency_key=idempotency_key))

    def annotate(self, task_id: Id, text: str, *, line_no: int | None = None,
                 idempotency_key: str | None = None) -> Annotation:
        return Annotation.model_validate(self.send_json(
            "POST", f"/review/tasks/{task_id}/annotations",
            AnnotationIn(text=text, line_no=line_no), idempotency_key=idempotency_key))

    def review_history(self, *, limit: int = 50, offset: int = 0) -> HistoryPage:
        """My decisions, newest first."""
        return HistoryPage.model_validate(self.get_json("/review/history", params={
            "limit": limit, "offset": offset}))

    def review_stats(self, *, pharmacist_id: Id | None = None, since: datetime | None = None,
                     until: datetime | None = None) -> ReviewStats:
        return ReviewStats.model_validate(self.get_json("/review/stats", params={
            "pharmacist_id": pharmacist_id and str(pharmacist_id),
            "since": since and since.isoformat(), "until": until and until.isoformat()}))

    def review_pharmacists(self) -> list[Pharmacist]:
        """The hospital's pharmacists with duty and open tasks (to reassign to)."""
        return _pharmacists.validate_python(self.get_json("/review/pharmacists"))

    def open_review_tasks(self, *, limit: int = 50, offset: int = 0) -> OpenTaskPage:
        """Senior pharmacists: every open task of the hospital."""
        return OpenTaskPage.model_validate(self.get_json("/review/open-tasks", params={
            "limit": limit, "offset": offset}))

    def reassign_task(self, task_id: Id, to_user_id: Id, *,
                      idempotency_key: str | None = None) -> ReviewTask:
        return ReviewTask.model_validate(self.send_json(
            "POST", f"/review/tasks/{task_id}/reassign",
            ReassignIn.model_validate({"to_user_id": to_user_id}),
            idempotency_key=idempotency_key))

    def spot_check_candidates(self, *, pending: bool = True, limit: int = 50,
                              offset: int = 0) -> SpotCheckPage:
        """Senior pharmacists: others' approvals not spot-checked yet (or checked ones)."""
        return SpotCheckPage.model_validate(self.get_json("/review/spot-checks", params={
            "pending": pending, "limit": limit, "offset": offset}))

    def spot_check(self, task_id: Id, result: str, *, note: str | None = None,
                   idempotency_key: str | None = None) -> ReviewTask:
        """`result` "correct", or "error" (wrongly approved)."""
        return ReviewTask.model_validate(self.send_json(
            "POST", f"/review/tasks/{task_id}/spot-check",
            SpotCheckIn.model_validate({"result": result, "note": note}),
            idempotency_key=idempotency_key))

    # -- live events (polling twin of common.events.EventSubscriber) ---------------------------

    def events_after(self, after: int = 0, *, limit: int = 100) -> LiveEventPage:
        return LiveEventPage.model_validate(self.get_json("/events", params={
            "after": after, "limit": limit}))

    # -- anything else -------------------------------------------------------------------------

    def call(self, method: str, path: str, body: Any = None, *,
             params: dict[str, Any] | None = None, idempotency_key: str | None = None) -> Any:
        """A route without a typed method yet: the decoded JSON (None for 204)."""
        response = self.request(method, path, body=body, params=params,
                                idempotency_key=idempotency_key)
        return response.json() if response.content else None
