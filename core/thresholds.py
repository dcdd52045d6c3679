"""Anonymity thresholds (privacy.md "Parameters"): defaults and the floors nobody may go below."""

from __future__ import annotations

from typing import Final

K_RESP: Final = 5
K_ELIGIBLE: Final = 6  # a unit with fewer eligible members is never a cell; it rolls up
K_COMMENT: Final = 10
K_DIST: Final = 10
K_SENSITIVE: Final = 20
MIN_COUNT: Final = 3
