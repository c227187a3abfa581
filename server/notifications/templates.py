"""The texts of patient notifications, in one place.

Each template names the parameters it takes; rendering refuses an unknown template, a missing
parameter and an unexpected one (a typo in a caller would otherwise send a text with a hole in
it). Parameters marked secret (a login code, a pickup code) are masked in the copy of the text
that is stored; only the message handed to the gateway carries them.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from decimal import Decimal

# The signature (短信签名) every SMS in China must start with, as registered with the carrier.
SIGNATURE = "【滨江处方流转】"
SECRET_MASK = "*"  # noqa: S105  (a mask, not a password)


class TemplateError(ValueError):
    """A notification cannot be rendered: a caller's mistake, not the patient's."""


class UnknownTemplate(TemplateError):
    pass


class TemplateParamsInvalid(TemplateError):
    pass


@dataclass(frozen=True)
class Template:
    code: str
    title: str  # what the notification is about, for lists and the audit log
    text: str
    secret: frozenset[str] = frozenset()

    @property
    def params(self) -> frozenset[str]:
        return frozenset(name for _, name, _, _ in string.Formatter().parse(self.text) if name)


def _t(code: str, title: str, text: str, *, secret: tuple[str, ...] = ()) -> Template:
    return Template(code, title, SIGNATURE + text, frozenset(secret))


TEMPLATES: dict[str, Template] = {t.code: t for t in (
    _t("sms_login_code", "登录验证码",
       "您的身份验证码为{code}，{minutes}分钟内有效。工作人员不会向您索取验证码，请勿告诉他人。",
       secret=("code",)),
    _t("prescription_approved", "处方审核通过",
       "您的处方（{number}）已由药师审核通过，可选择药店购药（到店自取或配送到家）。"),
    _t("order_locked", "已选择药店",
       "您的处方（{number}）已发送至{pharmacy}，等待药店接单。"),
    _t("pharmacy_accepted", "药店已接单",
       "{pharmacy}已接收您的处方（{number}），正在为您备药。"),
    _t("pharmacy_returned", "药店退回处方",
       "{pharmacy}未能为您调配处方（{number}），原因：{reason}。请重新选择药店。"),
    _t("lock_timed_out", "药店超时未接单",
       "{pharmacy}未在规定时间内接单，您的处方（{number}）已释放，请重新选择药店。"),
    _t("ready_for_pickup", "待取药",
       "您在{pharmacy}的药品已备好，取药码{pickup_code}，排队号{queue_number}。"
       "请凭取药码到店取药。",
       secret=("pickup_code",)),
    _t("dispatched", "已发货",
       "您的处方（{number}）药品已由{carrier}发出，运单号{tracking_number}，请保持电话畅通。"),
    _t("delivered", "已送达",
       "您的处方（{number}）药品已送达，请核对药品，如有疑问请联系药店。"),
    _t("not_dispensed", "未发药",
       "您的处方（{number}）中{items}未能发药，原因：{reason}。如已付款将为您退款。"),
    _t("refunded", "已退款",
       "您的处方（{number}）已退款{amount}元，将原路退回，预计1至7个工作日到账。"),
    _t("payment_received", "已付款",
       "您已成功支付处方（{number}）费用{amount}元。"),
)}

ParamValue = str | int | Decimal


@dataclass(frozen=True)
class RenderedText:
    template: Template
    text: str  # what the patient receives
    masked: str  # what is stored: secret parameters masked


def template(code: str) -> Template:
    found = TEMPLATES.get(code)
    if found is None:
        raise UnknownTemplate(f"未知的通知模板：{code}（可用：{'、'.join(sorted(TEMPLATES))}）")
    return found


def render(code: str, params: dict[str, ParamValue]) -> RenderedText:
    chosen = template(code)
    wanted = chosen.params
    missing = sorted(wanted - params.keys())
    unexpected = sorted(params.keys() - wanted)
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"缺少参数 {'、'.join(missing)}")
        if unexpected:
            parts.append(f"多余参数 {'、'.join(unexpected)}")
        raise TemplateParamsInvalid(f"通知模板 {code}：{'；'.join(parts)}")
    values = {name: str(value) for name, value in params.items()}
    for name, value in values.items():
        if not value.strip():
            raise TemplateParamsInvalid(f"通知模板 {code}：参数 {name} 为空")
    masked = {name: (SECRET_MASK * len(value) if name in chosen.secret else value)
              for name, value in values.items()}
    return RenderedText(chosen, chosen.text.format(**values), chosen.text.format(**masked))
