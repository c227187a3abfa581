"""The system screen's logic: which kiosk devices to show first, and when the integration
outbox needs a look."""

from __future__ import annotations

from typing import Any

# Messages due but not yet sent above this: the receiver is down or slow.
DUE_WARNING = 50


def devices_in_order(devices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Faults first (the longest-standing first), then each kiosk's devices together."""
    return sorted(devices, key=lambda d: (d["state"] != "fault",
                                          d["since"] if d["state"] == "fault" else "",
                                          d["client_name"], d["device"]))


def destination_needs_attention(stats: dict[str, Any]) -> bool:
    return int(stats["dead"]) > 0 or int(stats["due"]) > DUE_WARNING
