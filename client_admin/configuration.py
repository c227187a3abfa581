"""The run-time settings the admin app edits (server/platform_settings): which groups, and
turning what was typed into a field back into the value's type."""

from __future__ import annotations

from typing import Any

# Prescription limits, review time limits, and the circulation lock (accept) timeout.
SETTING_KEYS = ("prescription_limits", "review_time_limits", "circulation_limits")


def parse_field(current: Any, text: str) -> Any:
    """The typed value of `text` for a field whose value now is `current`. ValueError when
    it does not read as that type (the UI names the field)."""
    stripped = text.strip()
    if isinstance(current, bool):
        return stripped in ("1", "true", "True", "是")
    if isinstance(current, int):
        return int(stripped)
    if isinstance(current, float):
        return float(stripped)
    if isinstance(current, list):
        return [item.strip() for item in stripped.replace("，", ",").split(",") if item.strip()]
    return stripped


def format_field(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
