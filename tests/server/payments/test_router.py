"""The payments HTTP API: the gateway's callback endpoint, payments as staff see them, and the
sandbox's own endpoints."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from installers.database import DatabaseUrls
from server.app import create_app
from server.core.clock import FakeClock
from server.payments import service
from server.payments.models import Payment
from server.settings import Settings
from tests.helpers import HeadersFor, audit_rows, deliver_outbox, sql
from tests.server.payments.conftest import PaidCalls, Payments

NOTIFY = "/payments/notify/sandbox"


def signed_looking_headers(clock: FakeClock) -> dict[str, str]:
    return {"Sandboxpay-Timestamp": str(int(clock.now().timestamp())),
            "Sandboxpay-Nonce": "abc", "Sandboxpay-Signature": "c2lnbmF0dXJl",
            "Sandboxpay-Signature-Type": "ED25519"}


class TestNotifyEndpoint:
    @pytest.mark.parametrize("body", [
        b"", b"not json at all", b"\xff\xfe\x00garbage", b"[1, 2, 3]", b'{"id": 1}',
        json.dumps({"resource": {"amount": "lots"}}).encode(), b"{" * 5000,
    ])
    async def test_garbage_is_refused_with_400_in_the_gateways_shape(
            self, client: httpx.AsyncClient, db: DatabaseUrls, body: bytes) -> None:
        response = await client.post(NOTIFY, content=body,
                                     headers={"Content-Type": "application/json"})
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "FAIL" and response.json()["message"]
        [(outcome, signature_ok, stored)] = sql(
            db.owner, "SELECT outcome, signature_ok, encode(body, 'hex') FROM payment_notification")
        assert (outcome, signature_ok, stored) == ("malformed", False, body.hex())

    async def test_a_bad_signature_over_any_body_is_refused_as_forged(
            self, client: httpx.AsyncClient, db: DatabaseUrls, clock: FakeClock) -> None:
        response = await client.post(NOTIFY, content=b'{"id": "x"}',
                                     headers=signed_looking_headers(clock))
        assert response.status_code == 400 and response.json()["code"] == "FAIL"
        assert sql(db.owner, "SELECT outcome FROM payment_notification") == [("forged",)]
        [event] = audit_rows(db.owner, "action = 'security.payment_notification_refused'")
        assert event["ip"] == "10.1.2.3" and event["actor_id"] is None

    async def test_a_wrongly_encoded_signature_is_refused_not_a_500(
            self, client: httpx.AsyncClient, clock: FakeClock) -> None:
        headers = {**signed_looking_headers(clock), "Sandboxpay-Signature": "签名!!"}
        response = await client.post(NOTIFY, content=b"{}", headers=[
            (k.encode(), v.encode()) for k, v in headers.items()])
        assert response.status_code == 400 and response.json()["code"] == "FAIL"

    async def test_an_oversized_body_is_refused(self, client: httpx.AsyncClient,
                                                db: DatabaseUrls) -> None:
        response = await client.post(NOTIFY, content=b"x" * (service.MAX_NOTIFICATION_BYTES + 1))
        assert response.status_code == 400
        assert sql(db.owner, "SELECT outcome, body_truncated, length(body)"
                             " FROM payment_notification") == [
            ("malformed", True, service.MAX_NOTIFICATION_BYTES)]

    async def test_an_unknown_gateway_is_404_in_the_gateways_shape(
            self, client: httpx.AsyncClient) -> None:
        response = await client.post("/payments/notify/alipay", content=b"{}")
        assert response.status_code == 404 and response.json()["code"] == "FAIL"
        # Documented, as every answer the gateway can get (found by the fuzz drill).
        documented = (await client.get("/openapi.json")).json()[
            "paths"]["/payments/notify/{gateway}"]["post"]["responses"]
        assert {"200", "400", "404", "500"} <= set(documented)

    async def test_no_bearer_token_is_needed(self, payments: Payments,
                                             paid_calls: PaidCalls) -> None:
        payment: Payment = await payments.call(service.start_online,
                                               **payments.order(subject="药品"))
        delivery = await payments.pay(str(payment.gateway_trade_no))
        assert delivery["attempts"] == [200]


class TestReadPayment:
    @pytest.fixture
    async def paid(self, payments: Payments, paid_calls: PaidCalls) -> Payment:
        payment: Payment = await payments.call(service.start_online,
                                               **payments.order(subject="药品", pharmacy="P1"))
        await payments.pay(str(payment.gateway_trade_no))
        await payments.call(service.refund, order_id=payment.order_id, reason="测试退款")
        await deliver_outbox(payments.svc)
        return payment

    async def test_the_pharmacy_of_the_payment_sees_it_with_refunds_and_callbacks(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, paid: Payment) -> None:
        response = await client.get(f"/payments/{paid.id}",
                                    headers=await headers_for("store_kangning"))
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["status"], body["amount_fen"], body["method"]) == ("refunded", 12_345,
                                                                         "online")
        assert [r["status"] for r in body["refunds"]] == ["succeeded"]
        assert [(n["outcome"], n["signature_ok"]) for n in body["notifications"]] == [
            ("accepted", True)]

    async def test_hospital_administrators_see_it(self, client: httpx.AsyncClient,
                                                  headers_for: HeadersFor, paid: Payment) -> None:
        response = await client.get(f"/payments/{paid.id}",
                                    headers=await headers_for("admin_h1"))
        assert response.status_code == 200 and response.json()["id"] == str(paid.id)

    async def test_another_pharmacy_does_not_learn_it_exists(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, paid: Payment) -> None:
        other = await headers_for("store_yimin")
        hidden = await client.get(f"/payments/{paid.id}", headers=other)
        missing = await client.get(f"/payments/{uuid.uuid4()}", headers=other)
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json()

    async def test_a_doctor_may_not_and_nobody_anonymous(
            self, client: httpx.AsyncClient, headers_for: HeadersFor, paid: Payment) -> None:
        doctor = await client.get(f"/payments/{paid.id}",
                                  headers=await headers_for("doctor_wang"))
        assert doctor.status_code == 403
        assert (await client.get(f"/payments/{paid.id}")).status_code == 401


class TestSandboxEndpoints:
    async def test_an_unknown_trade_is_404(self, client: httpx.AsyncClient) -> None:
        assert (await client.post("/payments/sandbox/4200nothing/pay")).status_code == 404
        assert (await client.get("/payments/sandbox/4200nothing")).status_code == 404

    async def test_a_trade_is_paid_once(self, payments: Payments, paid_calls: PaidCalls) -> None:
        payment: Payment = await payments.call(service.start_online,
                                               **payments.order(subject="药品"))
        await payments.pay(str(payment.gateway_trade_no))
        again = await payments.client.post(f"/payments/sandbox/{payment.gateway_trade_no}/pay")
        assert again.status_code == 409 and again.json()["code"] == "ORDERPAID"

    async def test_an_expired_qr_code_cannot_be_paid(self, payments: Payments,
                                                     clock: FakeClock, db: DatabaseUrls) -> None:
        payment: Payment = await payments.call(service.start_online,
                                               **payments.order(subject="药品"))
        clock.advance(minutes=16)
        refused = await payments.client.post(
            f"/payments/sandbox/{payment.gateway_trade_no}/pay")
        assert refused.status_code == 409 and refused.json()["code"] == "ORDER_CLOSED"
        # The platform learns it when it asks (the gateway sends no notification for it).
        await payments.call(service.reconcile, order_id=payment.order_id)
        assert sql(db.owner, "SELECT status FROM payment WHERE id = %s",
                   (payment.id,)) == [("closed",)]

    async def test_a_duplicate_of_an_unpaid_trade_is_refused(self, payments: Payments) -> None:
        payment: Payment = await payments.call(service.start_online,
                                               **payments.order(subject="药品"))
        response = await payments.client.post(
            f"/payments/sandbox/{payment.gateway_trade_no}/notifications",
            json={"kind": "duplicate"})
        assert response.status_code == 409
        unknown = await payments.client.post(
            f"/payments/sandbox/{payment.gateway_trade_no}/notifications",
            json={"kind": "free_money"})
        assert unknown.status_code == 422


class TestNotMountedInProduction:
    def test_the_sandbox_routes_exist_only_outside_production(self, settings: Settings) -> None:
        pay = "/payments/sandbox/{gateway_trade_no}/pay"
        assert pay in create_app(settings).openapi()["paths"]
        production = create_app(settings.model_copy(update={"environment": "production"}))
        assert pay not in production.openapi()["paths"]
        assert "/payments/notify/{gateway}" in production.openapi()["paths"]
