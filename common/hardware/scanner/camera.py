"""Scanning codes with a camera, or a video file standing in for one.

OpenCV reads the frames (`cv2.VideoCapture(0)` or `cv2.VideoCapture("frames.avi")`); pyzbar
(zbar) decodes them: QR codes and the 1-D codes (Code128, EAN-13, …), which OpenCV's own
barcode detector misses. zbar does NOT decode DataMatrix: GS1 DataMatrix traceability codes
need a 2-D scanner that decodes in the device (serial or keyboard wedge). The domestic
20-digit traceability codes are also printed as Code128 and QR, which this module reads.

A code held in front of the camera is on many consecutive frames: it is reported once, and
again only after it has been out of sight for longer than the de-duplication window. Time is
the frame's position for a video file (so a file decodes the same however fast it is read)
and the monotonic clock for a camera.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

import cv2
from pyzbar import pyzbar

from common.hardware.errors import ScannerDisconnected, ScannerUnavailable
from common.hardware.scanner.base import Scan


class CodeDeduplicator:
    def __init__(self, window: float) -> None:
        self.window = window
        self._last_seen: dict[str, float] = {}

    def accept(self, code: str, at: float) -> bool:
        """Whether `code` seen at `at` is new: not seen within `window` seconds before."""
        last = self._last_seen.get(code)
        self._last_seen[code] = at
        if len(self._last_seen) > 256:
            self._last_seen = {c: t for c, t in self._last_seen.items()
                               if at - t <= self.window}
        return last is None or at - last > self.window

    def reset(self) -> None:
        self._last_seen.clear()


def decode_frame(frame: Any) -> list[tuple[str, str]]:
    """(symbology, text) of every code zbar finds in a BGR or grey frame."""
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
    return [(symbol.type, symbol.data.decode("utf-8", errors="replace"))
            for symbol in pyzbar.decode(grey)]


class CameraScanner:
    def __init__(self, capture: cv2.VideoCapture, *, source: str, from_file: bool,
                 dedupe_window: float = 2.0, loop: bool = False) -> None:
        self.capture = capture
        self.source = source
        self.from_file = from_file
        self.loop = loop
        self.deduplicator = CodeDeduplicator(dedupe_window)
        self._pending: deque[Scan] = deque()

    def read(self, timeout: float | None = None) -> Scan | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._pending:
            if deadline is not None and time.monotonic() > deadline:
                return None
            ok, frame = self.capture.read()
            if not ok:
                if self.from_file and self.loop:
                    self.capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                    self.deduplicator.reset()
                    continue
                raise ScannerDisconnected("视频文件已读完" if self.from_file else None)
            at = (self.capture.get(cv2.CAP_PROP_POS_MSEC) / 1000 if self.from_file
                  else time.monotonic())
            for symbology, code in decode_frame(frame):
                if self.deduplicator.accept(code, at):
                    self._pending.append(Scan(code, symbology, self.source, at))
        return self._pending.popleft()

    def close(self) -> None:
        self.capture.release()


def open_camera_scanner(source: int | str, *, dedupe_window: float = 2.0,
                        loop: bool = False) -> CameraScanner:
    """`source`: a camera index, or the path of a video file."""
    from_file = isinstance(source, str)
    capture = cv2.VideoCapture(source)
    if not capture.isOpened():
        capture.release()
        what = f"视频文件 {source}" if from_file else f"摄像头 {source}"
        raise ScannerUnavailable(f"无法打开{what}")
    return CameraScanner(capture, source=str(source), from_file=from_file,
                         dedupe_window=dedupe_window, loop=loop)
