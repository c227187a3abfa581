"""The doctor's paper prescription, printed offscreen in a process of its own as the app prints
it: the app's own bootstrap (its Chinese catalogue, a CJK font) and its own printing code
(`client_doctor.ui.printing.write_pdf`, what "Print / PDF" calls), then the PDF's page rendered
to a PNG (QtPdf) so that the code on it can be read back with a barcode decoder (`read_codes`).

A process of its own because a Qt application is one per process: the drill's process (or the
test session running it) keeps no Qt state.

    python -m installers.drills.paper <prescription.json> <patient> <doctor> <out.pdf> <out.png>
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

RENDER_DPI = 200  # the PNG of the A5 page: about what a desk scanner or a phone camera sees
A5_MM = (148, 210)


class OffscreenPrint:
    """This module run in a child process (offscreen Qt), started at once: the drill goes on
    while the app prints; `wait()` for the page."""

    def __init__(self, prescription_json: str, *, patient_name: str, doctor_name: str,
                 source: Path, pdf: Path, png: Path) -> None:
        """`source`: where the prescription's JSON is put for the child to read."""
        source.write_text(prescription_json, encoding="utf-8")
        png.unlink(missing_ok=True)  # a page from an earlier run proves nothing
        self.png = png
        self.process = subprocess.Popen(
            [sys.executable, "-m", "installers.drills.paper", str(source), patient_name,
             doctor_name, str(pdf), str(png)],
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, cwd=Path(__file__).resolve().parents[2])

    def wait(self, timeout: float = 60) -> Path:
        """The rendered page; raises RuntimeError with the child's output if it failed."""
        try:
            output, _ = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
        if self.process.returncode != 0 or not self.png.exists():
            raise RuntimeError(f"printing failed ({self.process.returncode}): {output[-1500:]}")
        return self.png


def read_codes(png: Path) -> list[tuple[str, str]]:
    """(symbology, text) of every 1-D/2-D code zbar finds on the image."""
    from PIL import Image
    from pyzbar import pyzbar

    with Image.open(png) as image:
        return [(code.type, code.data.decode()) for code in pyzbar.decode(image)]


def main(argv: list[str]) -> int:
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtPdf import QPdfDocument

    from client_doctor.app import CATALOGUE, I18N_DIR
    from client_doctor.ui.printing import write_pdf
    from common.api.models import Prescription
    from common.qt.app import create_application

    source, patient_name, doctor_name, pdf, png = argv
    rx = Prescription.model_validate_json(Path(source).read_text(encoding="utf-8"))
    app, _ = create_application("rxp-doctor", [], catalogues=[(CATALOGUE, I18N_DIR)])
    write_pdf(rx, Path(pdf), patient_name=patient_name, doctor_name=doctor_name)
    document = QPdfDocument(app)
    error = document.load(pdf)
    if error != QPdfDocument.Error.None_ or document.pageCount() != 1:
        print(f"the PDF does not load as one page: {error}, {document.pageCount()} pages",
              file=sys.stderr)
        return 1
    size = QSize(round(A5_MM[0] / 25.4 * RENDER_DPI), round(A5_MM[1] / 25.4 * RENDER_DPI))
    page = document.render(0, size)
    # The page comes with a transparent background: on paper it is white.
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.drawImage(0, 0, page)
    painter.end()
    if page.isNull() or not image.save(png):  # PNG, by its suffix
        print("the page did not render", file=sys.stderr)
        return 1
    document.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
