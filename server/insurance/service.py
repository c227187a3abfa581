"""Claims of circulation orders at the insurance e-prescription centre.

When a centre is configured (RXP_INSURANCE_URL), paying an order (online or at the counter)
first makes its claim: the prescription is pre-checked, signed by the centre and uploaded
(uploadChk -> rxFixmedinsSign -> rxFileUpld), then settled (rxSetl) for the drugs of the order;
the settlement's pooled fund / personal account / cash become the payment's insurance split,
the delivery fee being cash. A centre that refuses (patient not insured, a drug outside the
circulation catalogue...) leaves the order self-paid (自费), the refusal kept on the claim; a
centre that cannot be reached stops the payment with 503, since charging an insured patient the
whole amount without telling them is not a fallback. Without a centre nothing here runs and
payments stay all cash, as they were.

Dispensing reports the sale with every package's traceability code (7206 write-off); an order
that ends without dispensing revokes the prescription at the centre (7104), which reverses the
settlement. These two are reports after the fact: they are queued in the outbox in the
transaction of the dispensing or of the order's end (server/insurance/reports.py delivers them
with retries, and the claim becomes written off or revoked then), so they never hold up
dispensing or the refund and are never lost when the centre is down.
"""

from __future__ import annotations

import base64
import logging
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from common import signing
from server.access import scope
from server.circulation.models import CirculationOrder
from server.core.context import RequestContext
from server.core.errors import ServiceUnavailable
from server.core.services import Services
from server.identity.models import StaffUser
from server.insurance import reports, repository
from server.insurance import transactions as tx
from server.insurance.client import InsurancePlatform, PlatformRefused, PlatformUnavailable
from server.insurance.models import ClaimStatus, InsuranceClaim
from server.organisations.models import Organisation
from server.patients.identity import open_identity
from server.patients.models import Patient
from server.payments.split import InsuranceSplit
from server.prescriptions.models import Prescription

log = logging.getLogger(__name__)

CHINA = ZoneInfo("Asia/Shanghai")
ID_CARD = "01"  # 居民身份证 (psn_cert_type)


def _time(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def _fen(value: Any) -> int:
    return int(Decimal(str(value)) * 100)


def _note(ctx: RequestContext, action: str, claim: InsuranceClaim, **facts: Any) -> None:
    # Joins the request's own audit event (a payment, a dispensing) when there is one.
    summary = {"action": action, "claim_id": str(claim.id), "status": claim.status, **facts}
    if ctx.audit is None:
        ctx.note(action, "insurance_claim", claim.id, **facts)
    else:
        ctx.audit.summary.setdefault("insurance", []).append(summary)


async def _claim(ctx: RequestContext, order: CirculationOrder) -> InsuranceClaim:
    claim = await repository.for_order(ctx.session, order.id, lock=True)
    if claim is None:
        claim = InsuranceClaim(order_id=order.id, prescription_id=order.prescription_id,
                               org_id=order.org_id, pharmacy_id=order.pharmacy_id,
                               status=ClaimStatus.UPLOADED)
        ctx.session.add(claim)
    return claim


async def prescription_document(ctx: RequestContext, svc: Services, order: CirculationOrder,
                                rx: Prescription) -> dict[str, Any] | None:
    """What uploadChk is given: the prescription of the order with the insured person; None
    when the patient has no ID number to claim with."""
    # The claim is made for the order on both sides' behalf: the pharmacy registering a
    # counter payment reads the hospital's patient, doctor and department for it.
    async with scope.widened(ctx.session, frozenset({order.org_id, order.pharmacy_id})):
        patient = await ctx.session.get(Patient, rx.patient_id)
        doctor = await ctx.session.get(StaffUser, rx.doctor_id)
        hospital = await ctx.session.get(Organisation, rx.org_id)
        department = await ctx.session.get(Organisation, rx.department_id)
        lines = await repository.order_lines(ctx.session, order.id)
    assert patient is not None and hospital is not None
    identity = open_identity(svc.cipher, patient)
    if not identity.id_number:
        return None
    return {
        "hospRxno": rx.number, "fixmedinsCode": hospital.code, "fixmedinsName": hospital.name,
        "prscDeptName": department.name if department else "",
        "prscDrName": doctor.display_name if doctor else "",
        "prscTime": _time(rx.issued_at or rx.signed_at), "valiEndTime": _time(rx.expires_at),
        "psnName": identity.name, "psnCertType": ID_CARD, "certno": identity.id_number,
        "diseinfo": [{"diagCode": str(d.get("code", "")), "diagName": str(d.get("name", ""))}
                     for d in rx.diagnoses],
        "rxdrugdetail": [{
            "medListCodg": product.insurance_code or "", "fixmedinsHilistId": str(product.id),
            "drugGenname": product.generic_name, "drugSpec": product.specification,
            "drugDosform": product.dosage_form or "", "drugCnt": line.quantity,
            "totalUnit": product.unit, "drugPric": _yuan(line.unit_price_fen),
            "drugSumamt": _yuan(line.unit_price_fen * line.quantity)}
            for line, product in lines],
    }


async def _upload(platform: InsurancePlatform, claim: InsuranceClaim,
                  document: dict[str, Any]) -> None:
    checked = await platform.pre_check(document)
    claim.hi_rxno, claim.rx_trace_code = str(checked["hiRxno"]), str(checked["rxTraceCode"])
    original = base64.b64encode(signing.canonical_bytes(document)).decode("ascii")
    signed = await platform.sign({"rxTraceCode": claim.rx_trace_code, "originalValue": original,
                                  "fixmedinsCode": document["fixmedinsCode"]})
    claim.sign_cert_sn = str(signed.get("signCertSn") or "")[:64] or None
    await platform.upload({"rxTraceCode": claim.rx_trace_code, "hiRxno": claim.hi_rxno,
                           "rxFile": signed["rxFile"], "signDigest": signed["signDigest"],
                           "fixmedinsCode": document["fixmedinsCode"],
                           "psnName": document["psnName"], "certno": document["certno"]})


async def _settle(ctx: RequestContext, svc: Services, platform: InsurancePlatform,
                  claim: InsuranceClaim, order: CirculationOrder) -> None:
    pharmacy = await ctx.session.get(Organisation, order.pharmacy_id)
    lines = await repository.order_lines(ctx.session, order.id)
    answer = await platform.settle({
        "hiRxno": claim.hi_rxno, "fixmedinsCode": pharmacy.code if pharmacy else "",
        "medinsSetlId": order.number,
        "detail": [{"medListCodg": product.insurance_code or "", "cnt": line.quantity,
                    "pric": _yuan(line.unit_price_fen),
                    "sumamt": _yuan(line.unit_price_fen * line.quantity)}
                   for line, product in lines]})
    try:
        total, fund = _fen(answer["medfeeSumamt"]), _fen(answer["fundPaySumamt"])
        account, cash = _fen(answer["acctPay"]), _fen(answer["psnCashPay"])
    except (KeyError, ArithmeticError, ValueError) as exc:
        raise ServiceUnavailable("医保结算结果不完整，请稍后重试") from exc
    if total != order.items_fen or fund + account + cash != total or min(fund, account, cash) < 0:
        # Not a split we can charge by: nothing is charged until the centre answers sensibly.
        log.error("settlement of %s does not add up: %s", order.number, answer)
        raise ServiceUnavailable("医保结算金额与订单药品金额不符，请联系医保经办机构")
    claim.status = ClaimStatus.SETTLED
    claim.setl_id = str(answer.get("setlId") or "")[:40] or None
    claim.fund_fen, claim.personal_account_fen, claim.cash_fen = fund, account, cash
    claim.settled_at = svc.clock.now()


def _split(claim: InsuranceClaim, order: CirculationOrder) -> InsuranceSplit:
    assert claim.fund_fen is not None and claim.personal_account_fen is not None
    assert claim.cash_fen is not None
    return InsuranceSplit(fund_fen=claim.fund_fen,
                          personal_account_fen=claim.personal_account_fen,
                          cash_fen=claim.cash_fen + order.delivery_fee_fen)


async def split_for_order(ctx: RequestContext, svc: Services, order: CirculationOrder,
                          rx: Prescription) -> InsuranceSplit | None:
    """The insurance split of paying `order`: None (all cash) without a centre or when the
    centre refused the claim; ServiceUnavailable when the centre cannot be reached."""
    platform = svc.insurance
    if platform is None:
        return None
    claim = await _claim(ctx, order)
    if claim.status == ClaimStatus.SETTLED:
        return _split(claim, order)
    if claim.status != ClaimStatus.UPLOADED:
        return None
    try:
        document = await prescription_document(ctx, svc, order, rx)
        if document is None:
            claim.status, claim.refusal = ClaimStatus.REFUSED, "患者无身份证号，不能医保结算"
        else:
            await _upload(platform, claim, document)
            await _settle(ctx, svc, platform, claim, order)
    except PlatformRefused as exc:
        claim.status, claim.refusal_code, claim.refusal = ClaimStatus.REFUSED, exc.code, str(exc)
    except PlatformUnavailable as exc:
        raise ServiceUnavailable(f"{exc}，请稍后重试或到药店柜台自费支付") from exc
    await ctx.session.flush()
    _note(ctx, "insurance.claim", claim, order=order.number, hi_rxno=claim.hi_rxno,
          refusal=claim.refusal, fund_fen=claim.fund_fen,
          personal_account_fen=claim.personal_account_fen)
    return _split(claim, order) if claim.status == ClaimStatus.SETTLED else None


async def write_off(ctx: RequestContext, svc: Services, order: CirculationOrder, *,
                    pharmacist: str, dispenser: str) -> InsuranceClaim | None:
    """Queue the report of the dispensed packages of a settled order (7206), with their
    traceability codes, batches and expiry dates."""
    platform = svc.insurance
    claim = await repository.for_order(ctx.session, order.id, lock=True)
    if platform is None or claim is None or claim.status != ClaimStatus.SETTLED:
        return claim
    lines = await repository.order_lines(ctx.session, order.id)
    by_line: dict[Any, list[Any]] = {}
    for package in await repository.packages(ctx.session, order.id):
        by_line.setdefault(package.order_line_id, []).append(package)
    detail = [{"medListCodg": product.insurance_code or "", "cnt": len(by_line[line.id]),
               "bchno": by_line[line.id][0].batch,
               "expyEnd": by_line[line.id][0].expiry.isoformat(),
               "drugtracinfo": [{"drug_trac_codg": p.trace_code, "bchno": p.batch,
                                 "expyEnd": p.expiry.isoformat()} for p in by_line[line.id]]}
              for line, product in lines if by_line.get(line.id)]
    if not detail:
        return claim
    pharmacy = await ctx.session.get(Organisation, order.pharmacy_id)
    message_id = await reports.queue(
        ctx.session, svc, claim, order, tx.WRITE_OFF,
        fixmedins_code=pharmacy.code if pharmacy else "",
        data={"hiRxno": claim.hi_rxno, "setlId": claim.setl_id, "pharName": pharmacist,
              "dspeerName": dispenser, "selRetnTime": _time(svc.clock.now()),
              "detail": detail})
    claim.status = ClaimStatus.WRITING_OFF
    _note(ctx, "insurance.write_off", claim, order=order.number, message_id=str(message_id))
    return claim


async def revoke(ctx: RequestContext, svc: Services, order: CirculationOrder,
                 reason: str) -> InsuranceClaim | None:
    """The order ended without its drugs: queue the revoke of the uploaded prescription
    (7104), which reverses its settlement at the centre."""
    platform = svc.insurance
    claim = await repository.for_order(ctx.session, order.id, lock=True)
    if (platform is None or claim is None or claim.hi_rxno is None
            or claim.status not in (ClaimStatus.UPLOADED, ClaimStatus.SETTLED)):
        return claim
    hospital = await ctx.session.get(Organisation, order.org_id)
    code = hospital.code if hospital else ""
    message_id = await reports.queue(
        ctx.session, svc, claim, order, tx.REVOKE, fixmedins_code=code,
        data={"hiRxno": claim.hi_rxno, "fixmedinsCode": code,
              "undoRea": reason[:200] or "订单取消", "undoTime": _time(svc.clock.now())})
    claim.status = ClaimStatus.REVOKING
    _note(ctx, "insurance.revoke", claim, order=order.number, message_id=str(message_id))
    return claim
