"""Widgets the desktop apps and the kiosk share. Each module keeps its logic in plain functions
and small classes next to the widget, so tests can check it without a window."""

from common.qt.widgets.countdown import Countdown, CountdownLabel, CountdownState, countdown
from common.qt.widgets.offline_banner import OfflineBanner, offline_text
from common.qt.widgets.patient_banner import PatientBanner, PatientSummary, format_age
from common.qt.widgets.search_box import ResultCursor, SearchBox
from common.qt.widgets.status_badge import (
    STATUS_COLOURS,
    StatusBadge,
    StatusStyle,
    status_styles,
)
from common.qt.widgets.warning_list import (
    CheckWarning,
    LevelStyle,
    WarningList,
    level_style,
    worst_first,
)

__all__ = [
    "STATUS_COLOURS",
    "CheckWarning",
    "Countdown",
    "CountdownLabel",
    "CountdownState",
    "LevelStyle",
    "OfflineBanner",
    "PatientBanner",
    "PatientSummary",
    "ResultCursor",
    "SearchBox",
    "StatusBadge",
    "StatusStyle",
    "WarningList",
    "countdown",
    "format_age",
    "level_style",
    "offline_text",
    "status_styles",
    "worst_first",
]
