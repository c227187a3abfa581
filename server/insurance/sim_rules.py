"""What the simulated insurance centre knows and decides (server/insurance/simulator.py).

Its own tables, not ours: which generic names are class A (甲类, wholly eligible) or excluded
from circulation (不予支付), everything else with an insurance code being class B (乙类, 10%
paid by the patient first); who is insured (any valid ID number is, with a personal account,
unless told otherwise through POST /_sim/persons); and the settlement rule: the fund pays
`fund_ratio` of the eligible amount, the personal account what it can of the rest, cash the
remainder. Amounts on the wire are yuan with two decimals, as the centre writes them.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from common import signing
from server.insurance import transactions as tx
from server.personal_data.id_number import validate_id_number

DEFAULT_BALANCE_FEN = 50_000  # 500 元 in the personal account
DEFAULT_FUND_RATIO = 70  # percent of the eligible amount
CLASS_B_SELF_PAY = 10  # percent paid by the patient first on class B drugs

# Class A (甲类) by generic-name keyword: common essential medicines.
CLASS_A = ("阿莫西林", "布洛芬", "对乙酰氨基酚", "二甲双胍", "硝苯地平", "氨氯地平", "阿司匹林",
           "卡托普利", "氢氯噻嗪", "青霉素", "头孢氨苄", "头孢拉定", "红霉素", "甲硝唑",
           "胰岛素", "地高辛", "硝酸甘油", "奥美拉唑", "氯化钠", "葡萄糖", "六味地黄丸",
           "板蓝根", "藿香正气", "华法林")
# Not paid by the insurance fund (不予支付), so not in the circulation catalogue.
NOT_COVERED = ("西瓜霜润喉片", "金嗓子喉片", "片仔癀", "维生素C片", "复合维生素B片",
               "蜜炼川贝枇杷膏", "特殊医学用途")


class Refusal(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _invalid(field_name: str, what: str = "缺失或格式不正确") -> Refusal:
    return Refusal(tx.INVALID_FIELD, f"{field_name} {what}")


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise _invalid(name)
    return value.strip()


def _fen(value: Any, name: str) -> int:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise _invalid(name) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise _invalid(name)
    return int(amount * 100)


def yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def drug_class(name: str, code: str | None) -> str | None:
    """'A', 'B', or None when not in the circulation catalogue."""
    if not code or code[:1] not in "XZT" or any(word in name for word in NOT_COVERED):
        return None
    return "A" if any(word in name for word in CLASS_A) else "B"


@dataclass
class InsuredPerson:
    certno: str
    insured: bool = True
    balance_fen: int = DEFAULT_BALANCE_FEN
    fund_ratio: int = DEFAULT_FUND_RATIO


@dataclass
class SimRx:
    hi_rxno: str
    hosp_rxno: str
    trace_code: str
    certno: str
    psn_name: str
    content: dict[str, Any]
    digest: bytes  # SM3 of the pre-checked content's canonical bytes
    status: str = "checked"  # checked | signed | uploaded | revoked
    sign_digest: str | None = None
    settlement: dict[str, Any] | None = None
    settled_for: str | None = None  # the settling order's number (medinsSetlId)
    acct_fen: int = 0
    trace_codes: list[str] = field(default_factory=list)
    dispensed_at: str | None = None
    revoked_reason: str | None = None

    @property
    def stas_codg(self) -> str:
        if self.status == "revoked":
            return tx.RX_REVOKED
        return tx.RX_USED if self.dispensed_at else tx.RX_VALID


def _now_text() -> str:
    return datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class SimulatedCentre:
    platform_seal: signing.PrivateKey = field(
        default_factory=lambda: signing.load_private_key(signing.generate_private_key()))
    persons: dict[str, InsuredPerson] = field(default_factory=dict)
    rxs: dict[str, SimRx] = field(default_factory=dict)  # by hiRxno
    written_off_codes: set[str] = field(default_factory=set)

    def handlers(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {tx.PRE_CHECK.api: self.pre_check, tx.SIGN.api: self.sign,
                tx.UPLOAD.api: self.upload, tx.REVOKE.api: self.revoke,
                tx.DETAIL.api: self.detail, tx.REVIEW_RESULT.api: self.review_result,
                tx.SETTLEMENT.api: self.settlement_info, tx.CATALOGUE.api: self.catalogue,
                tx.SETTLE.api: self.settle, tx.WRITE_OFF.api: self.write_off}

    # -- people and prescriptions ----------------------------------------------------------

    def set_person(self, certno: str, *, insured: bool = True,
                   balance_fen: int = DEFAULT_BALANCE_FEN) -> InsuredPerson:
        person = InsuredPerson(validate_id_number(certno), insured, balance_fen)
        self.persons[person.certno] = person
        return person

    def person(self, certno: str) -> InsuredPerson:
        try:
            normalised = validate_id_number(certno)
        except ValueError as exc:
            raise _invalid("certno", f"不正确：{exc}") from None
        return self.persons.setdefault(normalised, InsuredPerson(normalised))

    def rx(self, data: dict[str, Any]) -> SimRx:
        found = self.rxs.get(_text(data, "hiRxno"))
        if found is None:
            raise Refusal(tx.UNKNOWN_RX, "医保处方编号不存在")
        return found

    def _by_trace(self, data: dict[str, Any]) -> SimRx:
        trace = _text(data, "rxTraceCode")
        for rx in self.rxs.values():
            if rx.trace_code == trace:
                return rx
        raise Refusal(tx.UNKNOWN_RX, "处方追溯码不存在，请先预核验")

    # -- hospital side ---------------------------------------------------------------------

    def pre_check(self, data: dict[str, Any]) -> dict[str, Any]:
        hosp_rxno = _text(data, "hospRxno")
        for name in ("fixmedinsCode", "psnName", "prscTime"):
            _text(data, name)
        person = self.person(_text(data, "certno"))
        if not person.insured:
            raise Refusal(tx.NOT_INSURED, f"参保人 {data['psnName']} 无有效参保信息")
        lines = data.get("rxdrugdetail")
        if not isinstance(lines, list) or not lines:
            raise _invalid("rxdrugdetail")
        for number, line in enumerate(lines, start=1):
            if not isinstance(line, dict):
                raise _invalid(f"rxdrugdetail[{number}]")
            name = _text(line, "drugGenname")
            _fen(line.get("drugSumamt"), f"rxdrugdetail[{number}].drugSumamt")
            if drug_class(name, line.get("medListCodg")) is None:
                raise Refusal(tx.NOT_COVERED,
                              f"第 {number} 行 {name} 不在医保电子处方流转药品目录内")
        digest = signing.canonical_bytes(data)
        for rx in self.rxs.values():
            if rx.hosp_rxno != hosp_rxno:
                continue
            if rx.content == data and rx.status != "revoked":
                return {"rxTraceCode": rx.trace_code, "hiRxno": rx.hi_rxno}  # asked again
            if rx.status in ("uploaded", "revoked"):
                raise Refusal(tx.WRONG_STATE, f"处方 {hosp_rxno} 已上传或已撤销，不能再次预核验")
        rx = SimRx(hi_rxno="HI" + secrets.token_hex(8).upper(), hosp_rxno=hosp_rxno,
                   trace_code="TR" + secrets.token_hex(10).upper(), certno=person.certno,
                   psn_name=str(data["psnName"]), content=data,
                   digest=_sm3(digest))
        self.rxs[rx.hi_rxno] = rx
        return {"rxTraceCode": rx.trace_code, "hiRxno": rx.hi_rxno}

    def sign(self, data: dict[str, Any]) -> dict[str, Any]:
        rx = self._by_trace(data)
        try:
            original = base64.b64decode(_text(data, "originalValue"), validate=True)
        except binascii.Error:
            raise _invalid("originalValue", "不是 base64") from None
        if _sm3(original) != rx.digest:
            raise Refusal(tx.WRONG_STATE, "签名原文与预核验的处方内容不符")
        if rx.status == "revoked":
            raise Refusal(tx.WRONG_STATE, "处方已撤销")
        if rx.sign_digest is None:
            rx.sign_digest = base64.b64encode(signing.sign(self.platform_seal, original)).decode()
            rx.status = "signed" if rx.status == "checked" else rx.status
        return {"rxFile": base64.b64encode(original).decode(), "signDigest": rx.sign_digest,
                "signCertSn": self.platform_seal.public.fingerprint[:32],
                "signCertDn": "CN=医保电子处方中心（模拟）"}

    def upload(self, data: dict[str, Any]) -> dict[str, Any]:
        rx = self._by_trace(data)
        if rx.hi_rxno != _text(data, "hiRxno"):
            raise _invalid("hiRxno", "与处方追溯码不符")
        if rx.sign_digest is None:
            raise Refusal(tx.WRONG_STATE, "处方尚未进行医保电子签名")
        if _text(data, "signDigest") != rx.sign_digest:
            raise Refusal(tx.WRONG_STATE, "医保电子签名与签名结果不符")
        if rx.status == "revoked":
            raise Refusal(tx.WRONG_STATE, "处方已撤销")
        rx.status = "uploaded"
        return {"hiRxno": rx.hi_rxno, "rxStasCodg": rx.stas_codg,
                "rxStasName": tx.RX_STATUS_NAMES[rx.stas_codg]}

    def revoke(self, data: dict[str, Any]) -> dict[str, Any]:
        rx = self.rx(data)
        reason = _text(data, "undoRea")
        if rx.dispensed_at:
            raise Refusal(tx.DISPENSED, "处方已取药（销售出库已核销），不能撤销")
        if rx.status != "revoked":
            rx.status, rx.revoked_reason = "revoked", reason
            if rx.settlement is not None:
                # The settlement is reversed with the prescription: the account gets its money.
                self.persons[rx.certno].balance_fen += rx.acct_fen
                rx.settlement = {**rx.settlement, "setlStas": "2"}
        return {"hiRxno": rx.hi_rxno, "rxStasCodg": rx.stas_codg,
                "rxStasName": tx.RX_STATUS_NAMES[rx.stas_codg]}

    def detail(self, data: dict[str, Any]) -> dict[str, Any]:
        rx = self.rx(data)
        return {"hiRxno": rx.hi_rxno, "hospRxno": rx.hosp_rxno, "rxTraceCode": rx.trace_code,
                "rxStasCodg": rx.stas_codg, "rxStasName": tx.RX_STATUS_NAMES[rx.stas_codg],
                "psnName": rx.psn_name, "rxdrugdetail": rx.content.get("rxdrugdetail", [])}

    def review_result(self, data: dict[str, Any]) -> dict[str, Any]:
        rx = self.rx(data)
        if rx.status not in ("uploaded", "revoked"):
            return {"hiRxno": rx.hi_rxno, "rxChkStasCodg": "0", "rxChkStasName": "未审核"}
        return {"hiRxno": rx.hi_rxno, "rxChkStasCodg": "1", "rxChkStasName": "审核通过",
                "rxChkOpnn": "处方符合医保电子处方流转规定"}

    def settlement_info(self, data: dict[str, Any]) -> dict[str, Any]:
        rx = self.rx(data)
        out: dict[str, Any] = {"hiRxno": rx.hi_rxno, "rxStasCodg": rx.stas_codg,
                               "takeDrugFlag": "1" if rx.dispensed_at else "0"}
        if rx.settlement is None:
            return {**out, "setlStas": "0"}
        return {**out, **rx.settlement, "selRetnTime": rx.dispensed_at or ""}

    def catalogue(self, data: dict[str, Any]) -> dict[str, Any]:
        items = ([{"drugGenname": word, "hilistType": "甲类"} for word in CLASS_A]
                 + [{"drugGenname": word, "hilistType": "不予支付"} for word in NOT_COVERED])
        wanted = data.get("drugGenname")
        if isinstance(wanted, str) and wanted:
            items = [i for i in items if i["drugGenname"] in wanted or wanted in i["drugGenname"]]
        return {"total": len(items), "list": items,
                "note": "未列出的、带医保代码的药品按乙类（先行自付 10%）"}

    # -- pharmacy side ---------------------------------------------------------------------

    def settle(self, data: dict[str, Any]) -> dict[str, Any]:
        rx = self.rx(data)
        order_no = _text(data, "medinsSetlId")
        _text(data, "fixmedinsCode")
        if rx.status != "uploaded":
            raise Refusal(tx.WRONG_STATE, f"处方状态为{tx.RX_STATUS_NAMES[rx.stas_codg]}，不能结算")
        if rx.settlement is not None:
            if rx.settled_for == order_no:
                return rx.settlement  # the same settlement asked again
            raise Refusal(tx.WRONG_STATE, "处方已在其他订单结算")
        person = self.person(rx.certno)
        if not person.insured:
            raise Refusal(tx.NOT_INSURED, f"参保人 {rx.psn_name} 无有效参保信息")
        prescribed = {str(line.get("medListCodg")): line
                      for line in rx.content.get("rxdrugdetail", [])}
        lines = data.get("detail")
        if not isinstance(lines, list) or not lines:
            raise _invalid("detail")
        total = eligible = 0
        for number, line in enumerate(lines, start=1):
            if not isinstance(line, dict):
                raise _invalid(f"detail[{number}]")
            code = str(line.get("medListCodg"))
            if code not in prescribed:
                raise Refusal(tx.NOT_COVERED, f"detail[{number}] 的药品不在该处方内")
            amount = _fen(line.get("sumamt"), f"detail[{number}].sumamt")
            total += amount
            kind = drug_class(str(prescribed[code].get("drugGenname", "")), code)
            eligible += amount if kind == "A" else amount * (100 - CLASS_B_SELF_PAY) // 100
        fund = eligible * person.fund_ratio // 100
        account = min(person.balance_fen, total - fund)
        person.balance_fen -= account
        rx.acct_fen, rx.settled_for = account, order_no
        rx.settlement = {"setlId": "ST" + secrets.token_hex(8).upper(), "setlStas": "1",
                         "medinsSetlId": order_no, "medfeeSumamt": yuan(total),
                         "fundPaySumamt": yuan(fund), "acctPay": yuan(account),
                         "psnCashPay": yuan(total - fund - account), "setlTime": _now_text()}
        return rx.settlement

    def write_off(self, data: dict[str, Any]) -> dict[str, Any]:
        rx = self.rx(data)
        if rx.settlement is None or rx.settlement.get("setlStas") != "1":
            raise Refusal(tx.WRONG_STATE, "处方尚未结算，不能销售出库核销")
        if _text(data, "setlId") != rx.settlement["setlId"]:
            raise _invalid("setlId", "与结算结果不符")
        for name in ("pharName", "dspeerName"):
            _text(data, name)
        lines = data.get("detail")
        if not isinstance(lines, list) or not lines:
            raise _invalid("detail")
        codes: list[str] = []
        for number, line in enumerate(lines, start=1):
            traced = line.get("drugtracinfo") if isinstance(line, dict) else None
            if not isinstance(traced, list) or not traced:
                raise _invalid(f"detail[{number}].drugtracinfo")
            for node in traced:
                code = node.get("drug_trac_codg") if isinstance(node, dict) else None
                if not isinstance(code, str) or not code:
                    raise _invalid(f"detail[{number}].drugtracinfo.drug_trac_codg")
                codes.append(code)
        if rx.dispensed_at:
            return {"hiRxno": rx.hi_rxno, "rxStasCodg": rx.stas_codg}  # asked again
        reused = [c for c in codes if c in self.written_off_codes] + [
            c for i, c in enumerate(codes) if c in codes[:i]]
        if reused:
            raise Refusal(tx.WRONG_STATE, f"追溯码 {reused[0]} 已核销，不能重复销售")
        self.written_off_codes.update(codes)
        rx.trace_codes, rx.dispensed_at = codes, _now_text()
        return {"hiRxno": rx.hi_rxno, "rxStasCodg": rx.stas_codg}


def _sm3(data: bytes) -> bytes:
    import gmssl_pyx

    return bytes(gmssl_pyx.sm3_hash(data))
