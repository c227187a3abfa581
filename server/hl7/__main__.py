"""`python -m server.hl7`: the MLLP listener as a service of its own (settings from the
environment or RXP_CONFIG, as `rxp serve`). Stops cleanly on SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import logging
import signal

from server.app import build_services
from server.hl7.listener import MllpListener
from server.settings import Settings


async def serve() -> None:
    settings = Settings()  # from the environment (and RXP_CONFIG)
    svc = build_services(settings)
    listener = MllpListener(svc)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    port = await listener.start()
    print(f"rxp hl7: MLLP listening on {listener.host}:{port}", flush=True)
    try:
        await stop.wait()
    finally:
        await listener.stop()
        await svc.db.dispose()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(serve())


if __name__ == "__main__":
    main()
