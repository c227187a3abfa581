"""A pair of connected pseudo-terminals from `socat`: what one side writes, the other reads.

The serial printer and scanner simulators sit on one end, the real pyserial drivers open the
other: the same code path as a USB-serial device, without the device. Used by the tests and
by the demo.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from common.hardware.errors import DeviceError


class PtyPair:
    def __init__(self, *, timeout: float = 5.0) -> None:
        socat = shutil.which("socat")
        if socat is None:
            raise DeviceError("未安装 socat，无法创建虚拟串口")
        self._folder = Path(tempfile.mkdtemp(prefix="rxp-pty-"))
        links = self._folder / "a", self._folder / "b"
        self._process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            [socat, "pty,raw,echo=0,link=" + str(links[0]),
             "pty,raw,echo=0,link=" + str(links[1])],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while not all(link.exists() for link in links):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise DeviceError("socat 未能创建虚拟串口")
            time.sleep(0.01)
        # The pty names, not the links: the links vanish with socat, names read better in logs.
        self.a, self.b = (os.path.realpath(link) for link in links)

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        with contextlib.suppress(OSError):
            shutil.rmtree(self._folder)

    def __enter__(self) -> PtyPair:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
