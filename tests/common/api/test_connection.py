"""Retries against the real server: a write whose answer is lost is sent again with the same
Idempotency-Key and the same bytes, and the server makes one record of it."""

from __future__ import annotations

import httpx
import pytest

from common.api import errors
from tests.clients import LosingTransport, draft, sign_and_submit
from tests.helpers import sql

pytestmark = pytest.mark.slow


def posts_to(path: str):
    return lambda request: request.method == "POST" and request.url.path == path


def count(db, statement: str, *params: object) -> int:
    value = sql(db.owner, statement, params)[0][0]
    assert isinstance(value, int)
    return value


class GatewayError(httpx.BaseTransport):
    """A reverse proxy that answers 502 to the first `failures` requests without passing them
    on, then forwards to the real server."""

    def __init__(self, failures: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.failures = failures

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.failures > 0:
            self.failures -= 1
            return httpx.Response(502, text="<html>Bad Gateway</html>", request=request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class TestLostAnswers:
    def test_create_draft_retried_with_the_same_key_makes_one_record(self, staff, demo, db):
        transport = LosingTransport(posts_to("/prescriptions"))
        doctor = staff("doctor_wang", transport=transport)
        before = count(db, "SELECT count(*) FROM prescription")
        created = doctor.api.create_draft(draft(demo, doctor.api))
        sends = [r for r in transport.requests if posts_to("/prescriptions")(r)]
        assert len(sends) == 2
        assert sends[0].headers["Idempotency-Key"] == sends[1].headers["Idempotency-Key"]
        assert sends[0].content == sends[1].content
        assert transport.responses[-1].headers.get("Idempotent-Replayed") == "true"
        assert count(db, "SELECT count(*) FROM prescription") == before + 1
        assert count(db, "SELECT count(*) FROM prescription WHERE id = %s", created.id) == 1

    def test_submit_retried_after_a_lost_answer_submits_once(self, staff, demo, db):
        doctor = staff("doctor_wang")
        body = draft(demo, doctor.api)
        created = doctor.api.create_draft(body)
        path = f"/prescriptions/{created.id}/submit"
        losing = staff("doctor_wang", transport=LosingTransport(posts_to(path)))
        submitted = sign_and_submit(losing, body, created)
        assert submitted.status == "under_review"
        assert count(db, "SELECT count(*) FROM review_task WHERE prescription_id = %s",
                     created.id) == 1
        assert count(db, "SELECT count(*) FROM prescription_transition WHERE prescription_id"
                         " = %s AND to_status = 'submitted'", created.id) == 1

    def test_without_the_key_the_repeat_would_have_been_refused(self, staff, demo):
        # Why the key matters: the same submit sent again as a new request is a conflict.
        doctor = staff("doctor_wang")
        body = draft(demo, doctor.api)
        created = doctor.api.create_draft(body)
        sign_and_submit(doctor, body, created)
        with pytest.raises(errors.VersionConflict) as refused:
            sign_and_submit(doctor, body, created)
        assert refused.value.status == 409

    def test_a_lost_refresh_answer_does_not_cost_the_session(self, staff, clock, memory_keyring):
        transport = LosingTransport(posts_to("/auth/refresh"))
        doctor = staff("doctor_wang", transport=transport)
        clock.advance(minutes=16)  # the access token has run out
        assert doctor.api.me().name == doctor.account.display_name
        refreshes = [r for r in transport.requests if posts_to("/auth/refresh")(r)]
        assert len(refreshes) == 2
        assert refreshes[0].headers["Idempotency-Key"] == refreshes[1].headers["Idempotency-Key"]
        # The replayed pair is the one the server issued: it works, and the session stands.
        clock.advance(minutes=16)
        assert doctor.api.me().name == doctor.account.display_name

    def test_a_gateway_error_is_retried(self, staff, demo):
        gateway = GatewayError(failures=0)
        doctor = staff("doctor_wang", transport=gateway)
        gateway.failures = 2
        assert doctor.api.search_catalogue("bfl").items

    def test_a_gateway_error_that_persists_is_server_unavailable(self, staff):
        gateway = GatewayError(failures=0)
        doctor = staff("doctor_wang", transport=gateway)
        gateway.failures = 10
        with pytest.raises(errors.ServerUnavailable) as unavailable:
            doctor.api.me()
        assert unavailable.value.status == 502
