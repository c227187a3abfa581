"""Reports to the insurance centre after the fact, the sale write-off (7206) and the revoke
(7104), through the outbox: the handler of destination `insurance`.

`queue` writes a report in the transaction of the change that causes it (dispensing complete,
an order ending without its drugs), keyed by the prescription so the centre gets a
prescription's reports in order. The relay calls `InsuranceReports.deliver`, which sends the
report with the 2021 envelope's `msgid` made from the outbox message (envelope.message_id: the
same on every redelivery, so the centre carries it out once however often it arrives), then
records the outcome on the claim in a transaction of its own: written off / revoked, or the
error of the attempt in `delivery_error`. The centre's signed refusal is final (a dead letter at
once, retried by an administrator once the cause is cleared); no trustworthy answer is retried
with the outbox's back-off.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.access import scope
from server.audit import repository as audit_repository
from server.circulation.models import CirculationOrder
from server.core.services import Services
from server.insurance import envelope
from server.insurance import transactions as tx
from server.insurance.client import PlatformRefused, PlatformUnavailable
from server.insurance.models import ClaimStatus, InsuranceClaim
from server.outbox.handlers import Delivery, DeliveryFailed, DeliveryRefused
from server.outbox.service import enqueue

DESTINATION = "insurance"
REPORTS = {t.api: t for t in (tx.WRITE_OFF, tx.REVOKE)}
# The claim's status while the report is queued, and once the centre has it.
OUTCOME = {tx.WRITE_OFF.api: (ClaimStatus.WRITING_OFF, ClaimStatus.WRITTEN_OFF),
           tx.REVOKE.api: (ClaimStatus.REVOKING, ClaimStatus.REVOKED)}
# The audit action of a report's final outcome (its queueing is noted by the request).
ACTIONS = {tx.WRITE_OFF.api: "insurance.write_off_delivered",
           tx.REVOKE.api: "insurance.revoke_delivered"}


def ordering_key(order: CirculationOrder) -> str:
    # Per prescription, and of this destination only: an HIS that is down must not hold up
    # the insurance reports of the same prescription.
    return f"insurance:{order.prescription_id}"


async def queue(session: AsyncSession, svc: Services, claim: InsuranceClaim,
                order: CirculationOrder, transaction: tx.Transaction, *, fixmedins_code: str,
                data: dict[str, Any]) -> uuid.UUID:
    """Queue `data` for `transaction` in the current transaction; the outbox message id."""
    if transaction.api not in REPORTS:
        raise ValueError(f"{transaction.api} is not a report the outbox carries")
    payload = {"claim_id": str(claim.id), "order_id": str(order.id),
               "order_number": order.number, "fixmedins_code": fixmedins_code, "data": data}
    message = await enqueue(session, destination=DESTINATION, topic=transaction.api,
                            ordering_key=ordering_key(order),
                            payload=json.dumps(payload, ensure_ascii=False), now=svc.clock.now())
    return message.id


class InsuranceReports:
    def __init__(self, svc: Services) -> None:
        self.svc = svc

    async def deliver(self, delivery: Delivery) -> None:
        transaction = REPORTS.get(delivery.topic)
        if transaction is None:
            raise DeliveryRefused(f"不是医保上报的消息：{delivery.topic}")
        platform = self.svc.insurance
        if platform is None:
            raise DeliveryFailed("未配置医保电子处方中心（RXP_INSURANCE_URL），上报等待配置后投递")
        report = json.loads(delivery.payload)
        msgid = envelope.message_id(report["fixmedins_code"], delivery.created_at, delivery.seq)
        try:
            await platform.call(transaction, report["data"], msgid=msgid)
        except PlatformRefused as exc:
            await self._record(delivery, report, msgid, error=str(exc), final=True)
            raise DeliveryRefused(str(exc)) from exc
        except PlatformUnavailable as exc:
            await self._record(delivery, report, msgid, error=str(exc), final=False)
            raise DeliveryFailed(str(exc)) from exc
        await self._record(delivery, report, msgid, error=None, final=True)

    async def _record(self, delivery: Delivery, report: dict[str, Any], msgid: str, *,
                      error: str | None, final: bool) -> None:
        """The outcome on the claim (once: a redelivered report finds it recorded)."""
        queued, done = OUTCOME[delivery.topic]
        async with self.svc.db.session() as session, session.begin():
            # The relay acts for no user; the claim belongs to a hospital and a pharmacy.
            await scope.system_scope(session)
            claim = await session.get(InsuranceClaim, uuid.UUID(report["claim_id"]),
                                      with_for_update=True)
            if claim is None or claim.status != queued:
                return
            now = self.svc.clock.now()
            if error is None:
                claim.status, claim.delivery_error = done, None
                if done == ClaimStatus.WRITTEN_OFF:
                    claim.written_off_at = now
                else:
                    claim.revoked_at = now
            else:
                claim.delivery_error = error
            if final:  # delivered or refused; not every retry of a centre that is down
                await session.flush()
                await audit_repository.append(session, {
                    "occurred_at": datetime.now(UTC), "actor_kind": "system",
                    "actor_name": "rxp-outbox", "action": ACTIONS[delivery.topic],
                    "entity_type": "insurance_claim", "entity_id": str(claim.id),
                    "outcome": "success" if error is None else "failure",
                    "request_id": uuid.uuid4().hex,
                    "summary": {"order": report.get("order_number"), "msgid": msgid,
                                "message_id": str(delivery.id), "attempt": delivery.attempt,
                                "status": claim.status, "error": error}})
