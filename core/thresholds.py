"""Anonymity thresholds (privacy.md "Parameters"): defaults and the floors nobody may go below.

The rules live in ``core.anonymity.thresholds.Thresholds``; these names are the defaults.
"""

from __future__ import annotations

from typing import Final

from core.anonymity.thresholds import DEFAULT_THRESHOLDS, Thresholds

K_RESP: Final = DEFAULT_THRESHOLDS.k_resp
K_MEMBER_VIEW: Final = DEFAULT_THRESHOLDS.member_view
K_ELIGIBLE: Final = DEFAULT_THRESHOLDS.k_eligible  # fewer eligible members: never a cell; rolls up
K_COMMENT: Final = DEFAULT_THRESHOLDS.k_comment
K_DIST: Final = DEFAULT_THRESHOLDS.k_dist
K_SENSITIVE: Final = DEFAULT_THRESHOLDS.k_sensitive
MIN_COUNT: Final = DEFAULT_THRESHOLDS.min_count
KEY_SHRED_GRACE_DAYS: Final = DEFAULT_THRESHOLDS.key_shred_grace_days

__all__ = [
    "KEY_SHRED_GRACE_DAYS",
    "K_COMMENT",
    "K_DIST",
    "K_ELIGIBLE",
    "K_MEMBER_VIEW",
    "K_RESP",
    "K_SENSITIVE",
    "MIN_COUNT",
    "Thresholds",
]
