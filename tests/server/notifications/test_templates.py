"""Notification texts: every template renders with its parameters, and a caller's mistake (an
unknown template, a missing or misspelt parameter) is refused before anything is queued."""

from __future__ import annotations

import pytest

from server.notifications.templates import (
    SIGNATURE,
    TEMPLATES,
    ParamValue,
    TemplateParamsInvalid,
    UnknownTemplate,
    render,
)

# The product's own vocabulary, one template per event the brief names.
EXPECTED = {"sms_login_code", "prescription_approved", "order_locked", "pharmacy_accepted",
            "pharmacy_returned", "lock_timed_out", "ready_for_pickup", "dispatched", "delivered",
            "not_dispensed", "refunded", "payment_received"}


class TestTemplates:
    def test_every_event_has_a_template(self):
        assert set(TEMPLATES) == EXPECTED

    @pytest.mark.parametrize("code", sorted(EXPECTED))
    def test_each_renders_with_its_parameters_and_the_signature(self, code):
        params: dict[str, ParamValue] = {
            name: f"值{i}" for i, name in enumerate(sorted(TEMPLATES[code].params))}
        rendered = render(code, params)
        assert rendered.text.startswith(SIGNATURE)
        assert "{" not in rendered.text
        for name, value in params.items():
            assert str(value) in rendered.text
            assert (str(value) in rendered.masked) == (name not in TEMPLATES[code].secret)

    def test_reselecting_a_pharmacy_is_asked_for_when_the_lock_is_released(self):
        returned = render("pharmacy_returned", {"pharmacy": "康宁大药房", "number": "RX1",
                                                "reason": "缺货"})
        timed_out = render("lock_timed_out", {"pharmacy": "康宁大药房", "number": "RX1"})
        assert "请重新选择药店" in returned.text and "请重新选择药店" in timed_out.text
        assert "可选择药店" in render("prescription_approved", {"number": "RX1"}).text

    def test_pickup_shows_code_and_queue_number(self):
        rendered = render("ready_for_pickup", {"pharmacy": "康宁大药房", "pickup_code": "482913",
                                               "queue_number": "A017"})
        assert "482913" in rendered.text and "A017" in rendered.text
        assert "482913" not in rendered.masked and "******" in rendered.masked
        assert "A017" in rendered.masked

    def test_dispatch_names_carrier_and_tracking_number(self):
        text = render("dispatched", {"number": "RX1", "carrier": "顺丰速运",
                                     "tracking_number": "SF1234567890"}).text
        assert "顺丰速运" in text and "SF1234567890" in text


class TestSecrets:
    def test_a_login_code_is_masked_in_the_stored_copy_only(self):
        rendered = render("sms_login_code", {"code": "093517", "minutes": 5})
        assert "093517" in rendered.text
        assert "093517" not in rendered.masked
        assert "验证码为******" in rendered.masked


class TestMistakes:
    def test_unknown_template(self):
        with pytest.raises(UnknownTemplate, match="未知的通知模板：no_such"):
            render("no_such", {})

    def test_missing_parameter_is_named(self):
        with pytest.raises(TemplateParamsInvalid, match="缺少参数 tracking_number"):
            render("dispatched", {"number": "RX1", "carrier": "顺丰速运"})

    def test_unexpected_parameter_is_named(self):
        with pytest.raises(TemplateParamsInvalid, match="多余参数 pharmcy"):
            render("delivered", {"number": "RX1", "pharmcy": "康宁"})

    def test_blank_parameter_is_refused(self):
        with pytest.raises(TemplateParamsInvalid, match="参数 number 为空"):
            render("delivered", {"number": " "})
