"""Projections of a frozen release for one viewer or channel (rules 1, 2, 9, 10, 14).

A view only ever removes: unpublished cells, cells hidden from a home unit present in the
audience (the member view, precomputed in the release), cells outside the viewer's scope and,
for line managers, every sensitive cell. Removing cells from a safe release keeps it safe
(regions only merge), so any scope the caller picks is fine. The home units passed in are
those of the round's membership snapshot, not today's roster.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.anonymity.inputs import AUDIENCE_HR, AUDIENCE_LEADER
from core.anonymity.record import (
    CellRelease,
    CommentRelease,
    ParticipationRelease,
    Release,
    SegmentRelease,
)
from core.anonymity.segments import ad_hoc_filter

__all__ = [
    "LEADER_AUDIENCES",
    "SAFETY_AUDIENCES",
    "ad_hoc_filter",
    "comments_for",
    "participation_for",
    "segments_for",
    "view_for",
]

#: A line manager reads the comments written to "leader"; HR and verneombud read those and
#: the ones written to them. "themes" comments are never verbatim, so they are in no view.
LEADER_AUDIENCES = frozenset({AUDIENCE_LEADER})
SAFETY_AUDIENCES = frozenset({AUDIENCE_LEADER, AUDIENCE_HR})


def _visible(
    unit: str,
    hidden: Iterable[str],
    viewer_home_units: frozenset[str],
    scope_units: frozenset[str] | None,
) -> bool:
    if scope_units is not None and unit not in scope_units:
        return False
    return viewer_home_units.isdisjoint(hidden)


def view_for(
    release: Release,
    viewer_home_units: frozenset[str],
    scope_units: frozenset[str] | None = None,
    *,
    sensitive_allowed: bool,
) -> tuple[CellRelease, ...]:
    """The cells a viewer (or every member of a channel together) may see, in release order.

    ``sensitive_allowed`` must be False for line managers: rule 10 keeps sensitive items out of
    their reports entirely, whatever the numbers.
    """
    return tuple(
        cell
        for cell in release.cells
        if cell.published
        and (sensitive_allowed or not cell.sensitive)
        and _visible(cell.unit, cell.hidden_for_home_units, viewer_home_units, scope_units)
    )


def participation_for(
    release: Release,
    viewer_home_units: frozenset[str],
    scope_units: frozenset[str] | None = None,
) -> tuple[ParticipationRelease, ...]:
    return tuple(
        p
        for p in release.participation
        if p.published and _visible(p.unit, p.hidden_for_home_units, viewer_home_units, scope_units)
    )


def comments_for(
    release: Release,
    audiences: frozenset[str],
    scope_units: frozenset[str] | None = None,
) -> tuple[CommentRelease, ...]:
    """Verbatim comments for the given audiences, in the release's shuffled order."""
    return tuple(
        c
        for c in release.comments
        if c.audience in audiences and (scope_units is None or c.unit in scope_units)
    )


def segments_for(release: Release, *, sensitive_allowed: bool) -> tuple[SegmentRelease, ...]:
    """Published org-level segments; only for org-wide roles (the caller checks the role)."""
    return tuple(
        s for s in release.segments if s.published and (sensitive_allowed or not s.sensitive)
    )
