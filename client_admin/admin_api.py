"""The administration routes the app calls, one method each, over the shared `ApiClient`.

Answers are the server's JSON (dicts): the screens show them as tables and send them back
edited, so a typed model per route would only be copied field by field. Every method blocks;
the Qt layer runs them on its worker threads.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from common.api import ApiClient
from common.api.errors import ServerUnavailable

Id = uuid.UUID | str
Json = dict[str, Any]


class AdminApi:
    def __init__(self, api: ApiClient) -> None:
        self.api = api

    def _get(self, path: str, **params: Any) -> Any:
        return self.api.call("GET", path, params={k: v for k, v in params.items()
                                                  if v is not None})

    # -- users -----------------------------------------------------------------------------

    def users(self, *, q: str | None = None, org_id: Id | None = None,
              limit: int = 500) -> list[Json]:
        page = self._get("/users", q=q or None, org_id=org_id and str(org_id), limit=limit)
        items: list[Json] = page["items"]
        return items

    def user(self, user_id: Id) -> Json:
        found: Json = self._get(f"/users/{user_id}")
        return found

    def create_user(self, body: Json) -> Json:
        """The new user and, once only, the TOTP secret to enrol (`totp_secret`, `totp_uri`)."""
        created: Json = self.api.call("POST", "/users", body)
        return created

    def update_user(self, user_id: Id, body: Json) -> Json:
        updated: Json = self.api.call("PATCH", f"/users/{user_id}", body)
        return updated

    def freeze_user(self, user_id: Id, reason: str) -> Json:
        frozen: Json = self.api.call("POST", f"/users/{user_id}/freeze", {"reason": reason})
        return frozen

    def unfreeze_user(self, user_id: Id) -> Json:
        user: Json = self.api.call("POST", f"/users/{user_id}/unfreeze")
        return user

    def reset_second_factor(self, user_id: Id) -> Json:
        reset: Json = self.api.call("POST", f"/users/{user_id}/second-factor/reset")
        return reset

    def certificates(self, user_id: Id) -> list[Json]:
        found: list[Json] = self._get(f"/users/{user_id}/certificates")
        return found

    def register_certificate(self, user_id: Id, *, algorithm: str, public_key: str) -> Json:
        registered: Json = self.api.call("POST", f"/users/{user_id}/certificates",
                                         {"algorithm": algorithm, "public_key": public_key})
        return registered

    # -- organisations and pharmacies ----------------------------------------------------------

    def organisations(self, *, kind: str | None = None) -> list[Json]:
        items: list[Json] = self._get("/organisations", kind=kind, limit=1000)["items"]
        return items

    def create_organisation(self, body: Json) -> Json:
        created: Json = self.api.call("POST", "/organisations", body)
        return created

    def pharmacies(self, *, status: str | None = None) -> list[Json]:
        items: list[Json] = self._get("/pharmacies", status=status, limit=500)["items"]
        return items

    def change_pharmacy_status(self, pharmacy_id: Id, action: str, *, version: int,
                               reason: str | None) -> Json:
        """`action`: approve, refuse, suspend or reinstate."""
        changed: Json = self.api.call("POST", f"/pharmacies/{pharmacy_id}/{action}",
                                      {"version": version, "reason": reason})
        return changed

    def pharmacy_history(self, pharmacy_id: Id) -> list[Json]:
        found: list[Json] = self._get(f"/pharmacies/{pharmacy_id}/history")
        return found

    # -- catalogue ---------------------------------------------------------------------------

    def products(self, *, status: str | None = None) -> list[Json]:
        items: list[Json] = self._get("/catalogue/products", status=status, limit=500)["items"]
        return items

    def product(self, product_id: Id) -> Json:
        found: Json = self._get(f"/catalogue/products/{product_id}")
        return found

    def change_product_status(self, product_id: Id, action: str, *, version: int,
                              reason: str | None) -> Json:
        """`action`: approve, refuse, suspend, reinstate or withdraw."""
        changed: Json = self.api.call("POST", f"/catalogue/products/{product_id}/{action}",
                                      {"version": version, "reason": reason})
        return changed

    def add_price(self, product_id: Id, *, price: str, effective_from: str | None,
                  note: str | None) -> Json:
        detail: Json = self.api.call("POST", f"/catalogue/products/{product_id}/prices",
                                     {"price": price, "effective_from": effective_from,
                                      "note": note})
        return detail

    # -- rights ------------------------------------------------------------------------------

    def prescribing_rights(self, department_id: Id) -> Json:
        found: Json = self._get(f"/rights/prescribing/{department_id}")
        return found

    def put_prescribing_rights(self, department_id: Id, cells: list[Json],
                               previous: list[Json]) -> Json:
        saved: Json = self.api.call("PUT", f"/rights/prescribing/{department_id}",
                                    {"cells": cells, "previous": previous})
        return saved

    def reviewing_rights(self) -> Json:
        found: Json = self._get("/rights/reviewing")
        return found

    def put_reviewing_rights(self, cells: list[Json], previous: list[Json]) -> Json:
        saved: Json = self.api.call("PUT", "/rights/reviewing",
                                    {"cells": cells, "previous": previous})
        return saved

    def department_templates(self, department_id: Id) -> list[Json]:
        """The department's shared prescription templates, with `products` per line."""
        found: list[Json] = self._get(f"/prescription-templates/departments/{department_id}")
        return found

    def retire_department_template(self, department_id: Id, template_id: Id) -> None:
        self.api.call("DELETE", f"/prescription-templates/departments/{department_id}/"
                                f"{template_id}")

    # -- knowledge ---------------------------------------------------------------------------

    def knowledge_sets(self) -> list[Json]:
        items: list[Json] = self._get("/knowledge/sets", limit=100)["items"]
        return items

    def knowledge_rules(self, kind: str, set_id: Id | None = None) -> Json:
        found: Json = self._get(f"/knowledge/rules/{kind}", set_id=set_id and str(set_id))
        return found

    def import_knowledge(self, kind: str, csv_text: str, *, description: str,
                         activate: bool) -> Json:
        """The new version; `ValidationFailed` (nothing stored) lists the bad rows in
        `body["errors"]`."""
        created: Json = self.api.call("POST", f"/knowledge/import/{kind}", {
            "csv": csv_text, "description": description, "activate": activate})
        return created

    def activate_knowledge(self, set_id: Id) -> Json:
        activated: Json = self.api.call("POST", f"/knowledge/sets/{set_id}/activate")
        return activated

    # -- configuration -----------------------------------------------------------------------

    def setting(self, key: str) -> Json:
        found: Json = self._get(f"/settings/{key}")
        return found

    def put_setting(self, key: str, value: Json, version: int) -> Json:
        saved: Json = self.api.call("PUT", f"/settings/{key}",
                                    {"value": value, "version": version})
        return saved

    def tariffs(self) -> list[Json]:
        found: list[Json] = self._get("/tariffs")
        return found

    def put_tariff(self, carrier_code: str, body: Json) -> Json:
        saved: Json = self.api.call("PUT", f"/tariffs/{carrier_code}", body)
        return saved

    # -- statistics --------------------------------------------------------------------------

    def statistics(self, report: str, *, group_by: str | None, since: datetime,
                   until: datetime) -> Json:
        """`report`: prescriptions, reviews or fulfilment (which has no grouping)."""
        found: Json = self._get(f"/statistics/{report}", group_by=group_by,
                                since=since.isoformat(), until=until.isoformat())
        return found

    # -- audit and trace ---------------------------------------------------------------------

    def audit_events(self, *, action: str | None = None, entity_type: str | None = None,
                     entity_id: str | None = None, actor_id: str | None = None,
                     since: datetime | None = None, until: datetime | None = None,
                     limit: int = 200) -> Json:
        page: Json = self._get("/audit/events", action=action, entity_type=entity_type,
                               entity_id=entity_id, actor_id=actor_id,
                               since=since and since.isoformat(),
                               until=until and until.isoformat(), limit=limit)
        return page

    def verify_audit(self) -> Json:
        result: Json = self.api.call("POST", "/audit/verify")
        return result

    def prescription_trace(self, prescription_id: Id) -> Json:
        found: Json = self._get(f"/prescriptions/{prescription_id}/trace")
        return found

    def code_trace(self, code: str) -> Json:
        found: Json = self._get(f"/trace-codes/{code}/trace")
        return found

    # -- incidents ---------------------------------------------------------------------------

    def incidents(self, *, unresolved: bool = False, limit: int = 200) -> list[Json]:
        """Newest first, each with its `respond` and `fix` clocks as they stand now."""
        items: list[Json] = self._get("/incidents", unresolved=unresolved or None,
                                      limit=limit)["items"]
        return items

    def incident(self, incident_id: Id) -> Json:
        """One incident with its timeline (`events`)."""
        found: Json = self._get(f"/incidents/{incident_id}")
        return found

    def open_incident(self, body: Json) -> Json:
        created: Json = self.api.call("POST", "/incidents", body)
        return created

    def incident_action(self, incident_id: Id, action: str, body: Json) -> Json:
        """`action`: acknowledge ({note?}), respond ({note}), resolve ({resolution}), notes
        ({note}) or severity ({severity, reason})."""
        changed: Json = self.api.call("POST", f"/incidents/{incident_id}/{action}", body)
        return changed

    def incident_report(self, month: str | None = None) -> Json:
        """The month's (YYYY-MM, Beijing; default this month) clocks met and missed."""
        found: Json = self._get("/incidents/report", month=month)
        return found

    # -- system ------------------------------------------------------------------------------

    def outbox(self) -> Json:
        """The patient notification outbox: `pending`, `failed`, `oldest_pending_at`."""
        found: Json = self._get("/notifications/outbox")
        return found

    def integration_outbox(self) -> Json:
        """Messages to outside systems per destination: pending, due, dead, oldest."""
        found: Json = self._get("/outbox/stats")
        return found

    def dead_letters(self, limit: int = 200) -> list[Json]:
        items: list[Json] = self._get("/outbox/dead-letters", limit=limit)["items"]
        return items

    def retry_dead_letter(self, message_id: Id) -> Json:
        retried: Json = self.api.call("POST", f"/outbox/messages/{message_id}/retry")
        return retried

    def device_status(self) -> list[Json]:
        """Each kiosk device's last reported state."""
        found: list[Json] = self._get("/devices/status")
        return found

    def readiness(self) -> Json:
        """`/ready` whether ready or not: a 503 carries the same report of what is down."""
        try:
            found: Json = self.api.call("GET", "/ready")
        except ServerUnavailable as exc:
            if exc.status == 503 and "primary" in exc.body:
                return dict(exc.body)
            raise
        return found
