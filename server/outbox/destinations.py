"""The handlers of every outbox destination, built for one process (the composition root of
the relay: the server's lifespan and `python -m server.outbox` both start from here).

The outbox itself knows no destination; this is the one module that names them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

from server.core.services import Services
from server.hl7.dispense import DESTINATION as HL7
from server.hl7.sender import Hl7Sender
from server.insurance.reports import DESTINATION as INSURANCE
from server.insurance.reports import InsuranceReports
from server.outbox.handlers import Handler
from server.payments.refunds import DESTINATION as PAYMENT_REFUND
from server.payments.refunds import RefundRequests


class Destinations:
    def __init__(self, handlers: dict[str, Handler],
                 closers: list[Callable[[], Awaitable[None]]]) -> None:
        self.handlers = handlers
        self._closers = closers

    async def aclose(self) -> None:
        for close in self._closers:
            with contextlib.suppress(Exception):
                await close()


def build(svc: Services) -> Destinations:
    hl7 = Hl7Sender(svc)
    return Destinations({HL7: hl7.deliver, INSURANCE: InsuranceReports(svc).deliver,
                         PAYMENT_REFUND: RefundRequests(svc).deliver}, [hl7.aclose])
