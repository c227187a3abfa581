"""Camera scanning from a generated video file: OpenCV frames, zbar decoding, de-duplication."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.hardware import open_scanner
from common.hardware.errors import ScannerDisconnected, ScannerUnavailable
from common.hardware.scanner.base import Scan
from common.hardware.scanner.camera import CameraScanner, CodeDeduplicator
from common.hardware.scanner.video import write_code_video

TRACE_CODE = "81234567890123456789"


def all_scans(scanner: CameraScanner) -> list[Scan]:
    scans = []
    with pytest.raises(ScannerDisconnected):
        while True:
            scan = scanner.read(timeout=5)
            assert scan is not None
            scans.append(scan)
    return scans


def test_qr_and_code128_each_reported_once_while_held(tmp_path: Path) -> None:
    # 10 fps: every code is on 6 consecutive frames (0.6 s), then 0.3 s of blank frames.
    video = write_code_video(tmp_path / "codes.avi",
                             [("qr", "处方 RX-2024-0001"), ("code128", TRACE_CODE)],
                             fps=10, hold_frames=6, gap_frames=3)
    scanner = open_scanner(f"file://{video}?dedupe=1")
    assert isinstance(scanner, CameraScanner)
    scans = all_scans(scanner)
    assert [(s.symbology, s.code) for s in scans] == [
        ("QRCODE", "处方 RX-2024-0001"), ("CODE128", TRACE_CODE)]
    assert scans[1].at == pytest.approx(0.9)


def test_the_same_code_again_counts_only_after_the_window(tmp_path: Path) -> None:
    # The code is out of sight 0.3 s, then 1.3 s (an empty stretch between).
    video = write_code_video(tmp_path / "again.avi",
                             [("code128", TRACE_CODE), ("code128", TRACE_CODE), None,
                              ("code128", TRACE_CODE)],
                             fps=10, hold_frames=5, gap_frames=3)
    scans = all_scans(open_scanner(f"file://{video}?dedupe=1"))  # type: ignore[arg-type]
    assert [s.at for s in scans] == pytest.approx([0.0, 2.4])
    scans = all_scans(open_scanner(f"file://{video}?dedupe=0.2"))  # type: ignore[arg-type]
    assert [s.at for s in scans] == pytest.approx([0.0, 0.8, 2.4])


def test_looping_file_restarts(tmp_path: Path) -> None:
    video = write_code_video(tmp_path / "loop.avi", [("qr", "A1")], hold_frames=2, gap_frames=1)
    scanner = open_scanner(f"file://{video}?loop=1")
    first, second = scanner.read(timeout=5), scanner.read(timeout=5)
    assert first is not None and second is not None
    assert (first.code, second.code) == ("A1", "A1")


def test_deduplicator_window_restarts_with_each_sighting() -> None:
    dedupe = CodeDeduplicator(window=1.0)
    assert [dedupe.accept("X", t) for t in (0.0, 0.5, 1.2, 1.9, 3.0)] == [
        True, False, False, False, True]
    assert dedupe.accept("Y", 3.0)


def test_missing_video_and_camera() -> None:
    with pytest.raises(ScannerUnavailable):
        open_scanner("file:///nonexistent/frames.avi")
    with pytest.raises(ScannerUnavailable):
        open_scanner("camera://57")
