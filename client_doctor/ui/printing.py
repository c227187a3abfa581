"""A prescription on paper or as PDF (处方笺) with its QR code, drawn with QPainter so the same
code serves a printer (QPrinter) and a file (QPdfWriter).

The QR code carries the prescription number: the pharmacy and the kiosk look it up by number
(the patient proves who they are separately), so the code itself holds nothing personal.
"""

from __future__ import annotations

import io
from pathlib import Path

import qrcode
from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QFont,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
)

from client_doctor.editor import FREQUENCIES
from common.api.models import Prescription

translate = QCoreApplication.translate


def qr_image(payload: str, *, box_size: int = 8) -> QImage:
    """The QR code of `payload` as an image (error correction M: survives a smudge)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M,
                         box_size=box_size, border=2)
    code.add_data(payload)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    image = QImage()
    image.loadFromData(buffer.getvalue(), "PNG")
    return image


def paint_prescription(device: QPagedPaintDevice, rx: Prescription, *, patient_name: str,
                       doctor_name: str, font_family: str | None = None) -> None:
    """One A5 page: header, patient, diagnoses, the lines (Rp), total, doctor, QR code."""
    painter = QPainter(device)
    try:
        page = QRectF(painter.viewport())
        dpi = device.logicalDpiY()
        mm = dpi / 25.4

        def font(points: float, bold: bool = False) -> QFont:
            f = QFont(font_family) if font_family else QFont()
            f.setPointSizeF(points)
            f.setBold(bold)
            return f

        y = 0.0
        painter.setFont(font(16, bold=True))
        title = translate("PrescriptionPrint", "Circulation prescription")
        painter.drawText(QRectF(0, y, page.width(), 12 * mm), Qt.AlignmentFlag.AlignCenter,
                         title)
        y += 14 * mm
        size = 30 * mm
        painter.drawImage(QRectF(page.width() - size, 0, size, size), qr_image(rx.number))
        painter.setFont(font(10))
        issued = rx.issued_at or rx.created_at
        header = [
            translate("PrescriptionPrint", "No. %1").replace("%1", rx.number),
            translate("PrescriptionPrint", "Date: %1").replace(
                "%1", f"{issued.astimezone():%Y-%m-%d %H:%M}"),
            translate("PrescriptionPrint", "Patient: %1").replace("%1", patient_name),
            translate("PrescriptionPrint", "Diagnoses: %1").replace(
                "%1", "；".join(f"{d['code']} {d['name']}" for d in rx.diagnoses)),
        ]
        for text in header:
            painter.drawText(QRectF(0, y, page.width() - size - 4 * mm, 7 * mm),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
            y += 7 * mm
        y = max(y, size) + 4 * mm
        painter.drawLine(0, int(y), int(page.width()), int(y))
        y += 3 * mm
        painter.setFont(font(14, bold=True))
        painter.drawText(QRectF(0, y, 20 * mm, 9 * mm), Qt.AlignmentFlag.AlignLeft, "Rp.")
        y += 10 * mm
        for line in rx.lines:
            painter.setFont(font(11, bold=True))
            painter.drawText(QRectF(4 * mm, y, page.width() - 40 * mm, 7 * mm),
                             Qt.AlignmentFlag.AlignLeft,
                             f"{line.line_no}. {line.generic_name}  {line.specification}")
            painter.drawText(QRectF(page.width() - 36 * mm, y, 36 * mm, 7 * mm),
                             Qt.AlignmentFlag.AlignRight, f"× {line.quantity} {line.unit}")
            y += 7 * mm
            painter.setFont(font(10))
            usage = translate("PrescriptionPrint", "Sig: %1 %2, %3, %4, %5 days").replace(
                "%1", f"{line.dose.normalize():f}").replace("%2", line.dose_unit).replace(
                "%3", line.route).replace("%4", FREQUENCIES.get(line.frequency,
                                                                line.frequency)).replace(
                "%5", str(line.days))
            painter.drawText(QRectF(10 * mm, y, page.width() - 10 * mm, 7 * mm),
                             Qt.AlignmentFlag.AlignLeft, usage)
            y += 9 * mm
        y += 4 * mm
        painter.drawLine(0, int(y), int(page.width()), int(y))
        y += 3 * mm
        painter.setFont(font(10))
        footer = [
            translate("PrescriptionPrint", "Total: ¥%1").replace("%1", f"{rx.total_amount}"),
            translate("PrescriptionPrint", "Doctor: %1").replace("%1", doctor_name),
            translate("PrescriptionPrint", "Signed electronically (%1)").replace(
                "%1", rx.signature.algorithm) if rx.signature else
            translate("PrescriptionPrint", "Not signed"),
            translate("PrescriptionPrint", "Status: %1").replace("%1", rx.status_label),
        ]
        for text in footer:
            painter.drawText(QRectF(0, y, page.width(), 7 * mm), Qt.AlignmentFlag.AlignLeft,
                             text)
            y += 7 * mm
    finally:
        painter.end()


def write_pdf(rx: Prescription, path: Path, *, patient_name: str, doctor_name: str,
              font_family: str | None = None) -> Path:
    writer = QPdfWriter(str(path))
    writer.setTitle(f"处方 {rx.number}")
    writer.setCreator("rxp-doctor")
    writer.setResolution(150)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A5),
                                     QPageLayout.Orientation.Portrait,
                                     QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))
    paint_prescription(writer, rx, patient_name=patient_name, doctor_name=doctor_name,
                       font_family=font_family)
    return path
