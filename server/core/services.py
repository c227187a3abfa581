"""What one server process holds: settings, database engines, keys and the clock.

Built once by `create_app(settings)` and reached by routes through `request.app.state.services`;
nothing of it exists at import time.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.checks.rational_use import RationalUseSystem
from server.circulation.carrier import Carrier
from server.core.clock import Clock
from server.core.db import Database
from server.core.keys import KeyMaterial
from server.insurance.client import InsurancePlatform
from server.notifications.gateway import NotificationGateway
from server.payments.gateway import PaymentGateway
from server.personal_data.cipher import FieldCipher
from server.settings import Settings


@dataclass
class Services:
    settings: Settings
    db: Database
    keys: KeyMaterial
    cipher: FieldCipher
    clock: Clock
    # The hospital's rational-drug-use system (合理用药): a real endpoint or the simulator.
    rational_use: RationalUseSystem
    # The courier's API (快递): a real carrier or the simulated one.
    carrier: Carrier
    # Where patients' SMS go: a real gateway or the simulator (server/notifications/gateway.py).
    notification_gateway: NotificationGateway
    # The payment gateway (支付渠道): the sandbox, or a real gateway's adapter.
    payment_gateway: PaymentGateway
    # The insurance e-prescription centre (医保电子处方中心); None when not connected.
    insurance: InsurancePlatform | None = None
