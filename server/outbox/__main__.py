"""`python -m server.outbox`: the outbox relay as a service of its own (settings from the
environment or RXP_CONFIG). Run it with RXP_OUTBOX_RELAY=false on the API processes, or next
to them: relays share the queue safely. SIGTERM stops it between rounds; SIGKILL loses
nothing either (see relay.py)."""

from __future__ import annotations

import asyncio
import logging
import signal

from server.app import build_services
from server.outbox import destinations
from server.outbox.relay import relay_loop
from server.settings import Settings

log = logging.getLogger("server.outbox")


async def run() -> None:
    settings = Settings()  # from the environment (and RXP_CONFIG)
    svc = build_services(settings)
    for what, url in (("RXP_INSURANCE_URL", settings.insurance_url),
                      ("RXP_PAYMENT_GATEWAY_URL", settings.payment_gateway_url)):
        if url.startswith("sim://"):
            # An in-process simulator keeps its state (prescriptions, trades) in the process
            # that made it: this relay's copy knows none of the API process's.
            log.warning("%s=%s is a simulator inside each process, unknown to this relay: "
                        "let the API process relay (RXP_OUTBOX_RELAY=true) its messages",
                        what, url)
    built = destinations.build(svc)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print("rxp outbox: relay running", flush=True)
    try:
        await relay_loop(svc, built.handlers, stop=stop)
    finally:
        await built.aclose()
        await svc.db.dispose()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(run())


if __name__ == "__main__":
    main()
