"""Dispense and status messages to the HIS that placed a prescription (RDS^O13).

When circulation moves an order of an HIS-placed prescription on (dispensed, dispatched,
delivered, handed over), a snapshot of what was dispensed is queued in the outbox, in the
transaction of the change, keyed by the prescription so the HIS gets them in order. The HL7
text is rendered at delivery (sender.py): the patient's identifier is personal data and is
read, decrypted, only then, instead of lying in the outbox in clear.
"""

from __future__ import annotations

import json
from typing import Any

from server.access import scope
from server.circulation import hooks
from server.circulation.models import CirculationOrder
from server.core.context import RequestContext
from server.hl7 import repository
from server.organisations.models import Organisation
from server.outbox.service import enqueue
from server.prescriptions.lifecycle import STATUS_LABELS, Status
from server.prescriptions.models import Prescription

DESTINATION = "hl7"
FORWARDED = frozenset({"order.dispensed", "order.dispatched", "order.handed_over"})


async def _on_change(ctx: RequestContext, rx: Prescription, order: CirculationOrder,
                     type: str) -> None:
    delivered = type == "order.tracking" and rx.status == Status.DELIVERED
    if type not in FORWARDED and not delivered:
        return
    session = ctx.session
    # The HIS's routing row and the dispensing detail are read whatever the actor may see (a
    # pharmacy, a carrier's callback): they go to the hospital the prescription came from.
    async with scope.widened(session):
        placed = await repository.order_of(session, rx.id)
        if placed is None:
            return  # not an HIS-placed prescription
        lines = await repository.dispensing(session, order.id)
        pharmacy = await session.get(Organisation, order.pharmacy_id)
    # The time of the prescription's last move, from the server's clock: the event's time.
    occurred = rx.status_changed_at
    numbers = list(placed.placer_numbers)
    payload: dict[str, Any] = {
        "event": "order.delivered" if delivered else type,
        "prescription_id": str(rx.id), "prescription_number": rx.number,
        "status": rx.status, "status_label": STATUS_LABELS[Status(rx.status)],
        "order_number": order.number, "occurred_at": occurred.isoformat(),
        "pharmacy_code": pharmacy.code if pharmacy else "",
        "pharmacy_name": pharmacy.name if pharmacy else "",
        "lines": [{
            "line_no": line.line_no,
            "placer": numbers[line.line_no - 1] if line.line_no <= len(numbers) else "",
            "product_code": product.insurance_code or product.standard_code or str(product.id),
            "product_name": product.generic_name, "specification": product.specification,
            "route": rx_line.route, "unit": rx_line.unit, "prescribed": line.quantity,
            "dispensed": line.dispensed, "not_dispensed_reason": line.not_dispensed_reason,
            "batches": [[p.batch, p.expiry.isoformat()] for p in packages],
        } for line, rx_line, product, packages in lines],
    }
    await enqueue(session, destination=DESTINATION, topic=placed.sender,
                  ordering_key=str(rx.id), payload=json.dumps(payload, ensure_ascii=False),
                  now=occurred)


def install() -> None:
    hooks.on_change(_on_change)
