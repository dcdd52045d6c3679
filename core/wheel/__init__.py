"""The annual wheel (årshjul): see ``core.wheel.model``."""

from __future__ import annotations

from core.wheel.export import wheel_csv, wheel_ics
from core.wheel.model import (
    MANUAL_KINDS,
    Gap,
    NewWheelEntry,
    Source,
    Status,
    StoredWheelEntry,
    Wheel,
    WheelEntry,
    WheelKind,
    WheelRepository,
    parse_kind,
)
from core.wheel.service import add_wheel_entry, annual_wheel, remove_wheel_entry, year_range

__all__ = [
    "MANUAL_KINDS",
    "Gap",
    "NewWheelEntry",
    "Source",
    "Status",
    "StoredWheelEntry",
    "Wheel",
    "WheelEntry",
    "WheelKind",
    "WheelRepository",
    "add_wheel_entry",
    "annual_wheel",
    "parse_kind",
    "remove_wheel_entry",
    "wheel_csv",
    "wheel_ics",
    "year_range",
]
