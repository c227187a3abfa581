"""The SMS gateways chosen by URL: the simulator keeps, logs and fails on request; the HTTP
gateway turns each kind of trouble into the typed error that says whether to retry."""

from __future__ import annotations

import json

import httpx
import pytest

from server.notifications.gateway import (
    DestinationRejected,
    GatewayUnavailable,
    HttpSmsGateway,
    SimulatedSmsGateway,
    gateway_for_url,
)


class TestChoosingByUrl:
    def test_sim_is_the_simulator(self):
        gateway = gateway_for_url("sim://")
        assert isinstance(gateway, SimulatedSmsGateway)
        assert gateway.log_path is None and gateway.fail_rate == 0

    def test_sim_options(self, tmp_path):
        gateway = gateway_for_url(f"sim://?log={tmp_path}/sms.log&fail=1")
        assert isinstance(gateway, SimulatedSmsGateway)
        assert gateway.log_path == tmp_path / "sms.log" and gateway.fail_rate == 1.0

    def test_http(self):
        assert isinstance(gateway_for_url("https://sms.example/send"), HttpSmsGateway)

    @pytest.mark.parametrize("url", ["smtp://x", "sim://?fail=abc", "sim://?fail=2"])
    def test_bad_urls_are_refused(self, url):
        with pytest.raises(ValueError):
            gateway_for_url(url)


class TestSimulator:
    async def test_keeps_and_logs_what_it_sent(self, tmp_path):
        gateway = SimulatedSmsGateway(log_path=tmp_path / "sms.log")
        first = await gateway.send_sms("13800000000", "您好")
        second = await gateway.send_sms("13900000000", "再见")
        assert first != second
        assert [(m.phone, m.text) for m in gateway.sent] == [("13800000000", "您好"),
                                                           ("13900000000", "再见")]
        lines = [json.loads(x) for x in (tmp_path / "sms.log").read_text("utf-8").splitlines()]
        assert [(x["phone"], x["text"], x["message_id"]) for x in lines] == [
            ("13800000000", "您好", first), ("13900000000", "再见", second)]

    async def test_fail_rate_one_fails_every_send(self):
        gateway = gateway_for_url("sim://?fail=1")
        with pytest.raises(GatewayUnavailable):
            await gateway.send_sms("13800000000", "您好")
        assert isinstance(gateway, SimulatedSmsGateway) and gateway.sent == []

    async def test_injected_failures_then_success(self):
        gateway = SimulatedSmsGateway()
        gateway.inject_failures(2)
        for _ in range(2):
            with pytest.raises(GatewayUnavailable):
                await gateway.send_sms("13800000000", "您好")
        await gateway.send_sms("13800000000", "您好")
        assert len(gateway.sent) == 1 and gateway.attempts == 3

    async def test_a_number_that_is_not_one_is_rejected_for_good(self):
        with pytest.raises(DestinationRejected):
            await SimulatedSmsGateway().send_sms("not-a-number", "您好")


def _gateway(handler) -> HttpSmsGateway:
    return HttpSmsGateway("http://sms.test/send", timeout=1.0,
                          transport=httpx.MockTransport(handler))


class TestHttpGateway:
    async def test_posts_phone_and_text_and_returns_the_message_id(self):
        seen = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(json.loads(request.content))
            return httpx.Response(200, json={"message_id": "m-1"})

        gateway = _gateway(handler)
        assert await gateway.send_sms("13800000000", "您好") == "m-1"
        assert seen == [{"phone": "13800000000", "text": "您好"}]
        await gateway.aclose()

    @pytest.mark.parametrize("status, error", [(503, GatewayUnavailable),
                                               (429, GatewayUnavailable),
                                               (400, DestinationRejected)])
    async def test_http_errors_are_typed(self, status, error):
        gateway = _gateway(lambda request: httpx.Response(status))
        with pytest.raises(error):
            await gateway.send_sms("13800000000", "您好")
        await gateway.aclose()

    async def test_no_connection_is_worth_a_retry(self):
        def handler(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("refused")

        gateway = _gateway(handler)
        with pytest.raises(GatewayUnavailable):
            await gateway.send_sms("13800000000", "您好")
        await gateway.aclose()

    async def test_an_unreadable_answer_is_worth_a_retry(self):
        gateway = _gateway(lambda request: httpx.Response(200, text="OK"))
        with pytest.raises(GatewayUnavailable):
            await gateway.send_sms("13800000000", "您好")
        await gateway.aclose()
