"""Section "audit_trail": the period's changes to question sets, thresholds, cadences and
channels, the roster and its roles, the annual wheel, assessments, measures, evidence and
the consultation log — who, when, what. Reads (``*.read``) and the rounds' own life
(open, close, release: in "mappings") are left out."""

from __future__ import annotations

from typing import Final

from core.documentation.loaded import Loaded

CHANGE_PREFIXES: Final = (
    "questions.",
    "thresholds.",
    "cadence.",
    "channel.",
    "org.",
    "roles.",
    "role.",
    "grant.",
    "wheel.",
    "assessment.",
    "measure.",
    "evidence.",
    "consultation.",
)


def is_change(action: str) -> bool:
    return action.startswith(CHANGE_PREFIXES) and not action.endswith(".read")


def audit_trail(data: Loaded) -> list[dict[str, object]]:
    return [
        {
            "at": e.at.isoformat(timespec="seconds"),
            "actor": e.actor,
            "action": e.action,
            "detail": dict(e.detail),
        }
        for e in sorted(data.audit, key=lambda e: (e.at, e.id))
        if is_change(e.action) and data.period.holds(data.period.local_day(e.at))
    ]
