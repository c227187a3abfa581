"""Any ASGI app (a simulator of an outside system) under uvicorn in a daemon thread, on a real
port, so adapters are tested over real sockets and against a system that goes away."""

from __future__ import annotations

import threading
import time
from typing import Any

import uvicorn

from installers.pgcluster import free_port


class AsgiServer:
    def __init__(self, app: Any, port: int | None = None) -> None:
        self.app = app
        self.port = port or free_port()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AsgiServer:
        server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port,
                                               log_level="warning", lifespan="off",
                                               timeout_graceful_shutdown=1))
        # uvicorn installs no signal handlers outside the main thread.
        thread = threading.Thread(target=server.run, name=f"asgi-{self.port}", daemon=True)
        thread.start()
        self._server, self._thread = server, thread
        deadline = time.monotonic() + 15
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(10)
        assert not self._thread.is_alive(), "uvicorn did not stop"
        self._server = self._thread = None
