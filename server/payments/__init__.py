"""Payments: online payment through a gateway (QR code, signed callbacks, refunds) and counter
payments registered by pharmacy staff, for the orders of the circulation core."""
