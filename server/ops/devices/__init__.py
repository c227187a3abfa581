"""Kiosks' device status: each kiosk reports its card reader, scanner and printer, so faults
show in the metrics and the admin app before a patient meets them."""
