"""Video files of code images: a camera stand-in for tests and the demo.

Each code is shown for `hold_frames` consecutive frames (as a package held in front of the
camera), then `gap_frames` blank frames. MJPG in an .avi, which OpenCV writes and reads
without extra codecs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import barcode
import cv2
import numpy as np
import qrcode
from barcode.writer import ImageWriter
from PIL import Image

FRAME_SIZE = (640, 480)


def code_image(symbology: str, data: str) -> Image.Image:
    """`symbology`: "qr" or "code128"."""
    if symbology == "qr":
        qr = qrcode.QRCode(box_size=8, border=4)
        qr.add_data(data)
        qr.make(fit=True)
        return qr.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    if symbology == "code128":
        writer = ImageWriter()
        return barcode.get("code128", data, writer=writer).render(
            {"write_text": False, "module_width": 0.25, "module_height": 12.0,
             "quiet_zone": 4.0, "dpi": 200}).convert("RGB")
    raise ValueError(f"unknown symbology {symbology!r} (qr, code128)")


def _frame(image: Image.Image | None) -> Any:
    width, height = FRAME_SIZE
    canvas = Image.new("RGB", FRAME_SIZE, "white")
    if image is not None:
        scale = min(1.0, (width - 20) / image.width, (height - 20) / image.height)
        if scale < 1.0:
            image = image.resize((int(image.width * scale), int(image.height * scale)),
                                 Image.Resampling.NEAREST)
        canvas.paste(image, ((width - image.width) // 2, (height - image.height) // 2))
    return cv2.cvtColor(np.asarray(canvas), cv2.COLOR_RGB2BGR)


def write_code_video(path: Path, codes: Sequence[tuple[str, str] | None], *, fps: float = 10,
                     hold_frames: int = 5, gap_frames: int = 3) -> Path:
    """Writes `codes` ((symbology, data), or None for an empty stretch) to an MJPG .avi."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, FRAME_SIZE)
    if not writer.isOpened():
        raise OSError(f"cannot write video {path}")
    try:
        blank = _frame(None)
        for code in codes:
            frame = blank if code is None else _frame(code_image(*code))
            for _ in range(hold_frames):
                writer.write(frame)
            for _ in range(gap_frames):
                writer.write(blank)
    finally:
        writer.release()
    return path
