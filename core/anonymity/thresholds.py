"""Anonymity thresholds (privacy.md "Parameters"): defaults, floors, and the raise-only rule.

A round freezes its ``Thresholds`` when it opens; the release engine reads nothing else. The
floors are the published promise, so nothing in the code path can go below them: ``validate``
rejects such values and ``check_change`` rejects any lowering, even one that stays above a floor
(a lowered K would let a later round publish what an earlier promise said it would not).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Final

from core.errors import TempcheckError

#: The floors of privacy.md. ``k_member_view`` and ``k_eligible`` float with ``k_resp``.
FLOOR_K_RESP: Final = 5
FLOOR_K_COMMENT: Final = 10
FLOOR_K_DIST: Final = 10
FLOOR_K_SENSITIVE: Final = 20
FLOOR_MIN_COUNT: Final = 3
FLOOR_GRACE_DAYS: Final = 1


@dataclass(frozen=True)
class Thresholds:
    """The anonymity parameters one round uses. Values may only ever be raised."""

    k_resp: int = 5
    k_member_view: int | None = None  # None: k_resp + 1
    k_eligible: int = 6
    k_comment: int = 10
    k_dist: int = 10
    k_sensitive: int = 20
    min_count: int = 3
    key_shred_grace_days: int = 7

    @property
    def member_view(self) -> int:
        """Effective K_MEMBER_VIEW: a viewer who answered knows one answer of the cell already."""
        return self.k_resp + 1 if self.k_member_view is None else self.k_member_view

    def floors(self) -> dict[str, int]:
        """The floor of each setting, given this ``k_resp``."""
        return {
            "k_resp": FLOOR_K_RESP,
            "k_member_view": self.k_resp + 1,
            "k_eligible": self.k_resp + 1,
            "k_comment": FLOOR_K_COMMENT,
            "k_dist": FLOOR_K_DIST,
            "k_sensitive": FLOOR_K_SENSITIVE,
            "min_count": FLOOR_MIN_COUNT,
            "key_shred_grace_days": FLOOR_GRACE_DAYS,
        }

    def effective(self) -> dict[str, int]:
        """Every setting as it is applied (``k_member_view`` resolved), in field order."""
        values: dict[str, int] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            values[f.name] = self.member_view if f.name == "k_member_view" else value
        return values

    def validate(self) -> None:
        """Raise ``anonymity.below_floor`` for the first setting under its floor."""
        for f in fields(self):
            raw = getattr(self, f.name)
            if raw is None and f.name == "k_member_view":
                continue
            # bool is an int subclass; True would silently mean 1.
            if not isinstance(raw, int) or isinstance(raw, bool):
                raise TempcheckError("anonymity.not_an_integer", setting=f.name, value=raw)
        floors = self.floors()
        for name, value in self.effective().items():
            if value < floors[name]:
                raise TempcheckError(
                    "anonymity.below_floor", setting=name, value=value, floor=floors[name]
                )

    def check_change(self, new: Thresholds) -> None:
        """Accept ``new`` as the thresholds of future rounds only if nothing goes down."""
        new.validate()
        old_values = self.effective()
        for name, value in new.effective().items():
            # A shorter key grace destroys keys sooner: more private, so it may go down
            # (never below its floor, which validate() enforces).
            if name == "key_shred_grace_days":
                continue
            if value < old_values[name]:
                raise TempcheckError(
                    "anonymity.lowering_rejected", setting=name, old=old_values[name], new=value
                )

    def to_dict(self) -> dict[str, int | None]:
        """JSON-able, in field order; ``k_member_view`` stays as given (None = derived)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Thresholds:
        """Inverse of ``to_dict``; missing settings take their defaults; validated."""
        known = {f.name for f in fields(cls)}
        for key in data:
            if key not in known:
                raise TempcheckError(
                    "anonymity.unknown_setting", setting=key, known=", ".join(sorted(known))
                )
        values: dict[str, int | None] = {}
        for key, value in data.items():
            if value is None and key == "k_member_view":
                values[key] = None
            elif isinstance(value, int) and not isinstance(value, bool):
                values[key] = value
            else:
                raise TempcheckError("anonymity.not_an_integer", setting=key, value=value)
        thresholds = cls(**values)  # type: ignore[arg-type]
        thresholds.validate()
        return thresholds


DEFAULT_THRESHOLDS: Final = Thresholds()
