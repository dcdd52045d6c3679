"""Simulated employees for ``tempcheck demo``: who answers, and how, with plausible patterns.

Each unit has a mood per factor (some teams are stretched, some are fine); people vary
around it; some skip a pulse, some prefer not to say, a few write a comment, and a small
share answer "yes" to a screening question. Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from core.rounds import RoundItem

RESPONSE_RATE = 0.78
PREFER_NOT_RATE = 0.04
COMMENT_RATE = 0.12
SENSITIVE_YES_RATE = 0.04

COMMENTS = (
    "Mye å gjøre før jul, men vi hjelper hverandre.",
    "Too many meetings this month; hard to get real work done.",
    "Savner tydeligere beskjed om hva som er viktigst.",
    "Good atmosphere in the team lately.",
    "Vi trenger en bedre plan for ferieavvikling.",
)


class SimulatedWorkplace:
    def __init__(self, seed: int, unit_ids: Sequence[int], factors: Sequence[str]) -> None:
        self._rng = random.Random(seed)
        # A unit's mood per factor, on the 1–5 scale: most around 3.5–4, a few stretched.
        self._mood: Mapping[tuple[int, str], float] = {
            (unit, factor): self._rng.gauss(3.7, 0.5) - (0.9 if self._rng.random() < 0.1 else 0)
            for unit in unit_ids
            for factor in factors
        }

    def answers(
        self, unit_id: int, items: Sequence[RoundItem]
    ) -> tuple[dict[str, int | None], str | None] | None:
        """One person's submission, or None when they skip this pulse."""
        rng = self._rng
        if rng.random() > RESPONSE_RATE:
            return None
        values: dict[str, int | None] = {}
        for item in items:
            if rng.random() < PREFER_NOT_RATE:
                values[item.item_key] = None
            elif item.sensitive:
                values[item.item_key] = 2 if rng.random() < SENSITIVE_YES_RATE else 1
            else:
                mood = self._mood.get((unit_id, item.factor), 3.7)
                raw = round(rng.gauss(mood, 0.8))
                value = min(item.points, max(1, raw))
                values[item.item_key] = item.points + 1 - value if item.reverse else value
        comment = rng.choice(COMMENTS) if rng.random() < COMMENT_RATE else None
        return values, comment
