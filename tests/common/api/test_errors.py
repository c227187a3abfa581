"""Mapping error answers to exceptions, for answers the real server does not give today (a
proxy's page, a rate limit, a name newer than this client)."""

from __future__ import annotations

import httpx

from common.api import errors


def answer(status: int, json: object = None, **kw: object) -> httpx.Response:
    return httpx.Response(status, json=json, request=httpx.Request("GET", "http://x/"),
                          **kw)  # type: ignore[arg-type]


class TestMapping:
    def test_a_name_this_client_does_not_know_falls_back_to_its_status(self):
        error = errors.from_response(answer(409, {"error": "PrescriptionLocked",
                                                  "detail": "处方已被其他药店锁定"}))
        assert type(error) is errors.Conflict
        assert error.code == "PrescriptionLocked" and error.message == "处方已被其他药店锁定"

    def test_a_business_rule_field_is_kept(self):
        error = errors.from_response(answer(422, {
            "error": "Unprocessable", "detail": "驳回须选择驳回原因并填写说明",
            "field": "reason_code", "fields": [{"field": "reason_code",
                                                "message": "驳回须选择驳回原因并填写说明",
                                                "type": "Unprocessable"}]}))
        assert isinstance(error, errors.ValidationFailed)
        assert error.field == "reason_code" and error.messages_for("reason_code")

    def test_a_gateway_page_is_server_unavailable(self):
        response = httpx.Response(504, text="<html>Gateway Timeout</html>",
                                  request=httpx.Request("GET", "http://x/"))
        error = errors.from_response(response)
        assert type(error) is errors.ServerUnavailable and error.status == 504
        assert error.message == errors.ServerUnavailable.default_message

    def test_rate_limited_says_when_to_come_back(self):
        error = errors.from_response(answer(429, {"error": "TooManyRequests", "detail": "慢一点"},
                                            headers={"Retry-After": "30"}))
        assert isinstance(error, errors.RateLimited) and error.retry_after == 30
        assert error.message == "慢一点"
