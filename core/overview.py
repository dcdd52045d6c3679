"""What digests and the org overview show, as plain data (issue 7; rendering is elsewhere).

Both read only frozen releases, projected for the viewer or channel first
(``core.results.project``: role scope, rule 14's leadership factor, the member-view rule), so
nothing here can show what the viewer may not see. Units are never ranked: rows and columns
keep the release's order (the tree's order), never an order by score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.anonymity.release import Release
from core.flags import Direction
from core.results import WHOLE_ORGANISATION, Scope, project
from core.scores import cumulative_priors
from core.trend import TrendPoint, factor_series

SUSTAINED_KEY = "results.flag.sustained"
NOT_IN_SCOPE_KEY = "results.reason.not_in_scope"


def reason_key(reason: str) -> str:
    """The message key that explains a suppression reason (core/locales/*/anonymity.yaml)."""
    return f"anonymity.reason.{reason}"


@dataclass(frozen=True)
class FactorRow:
    """One factor of one unit for a digest: the latest point of its series and the trend."""

    factor: str
    """The factor id; its name, explanation and questions come from the round's question set."""
    round_id: str
    """The round of the latest point (the digest decides whether it is this week's)."""
    score: str | None
    band: tuple[str, str] | None
    n_band: str | None
    reason_key: str | None
    """Set when the latest point is a gap: why it is not shown."""
    trend: tuple[TrendPoint, ...]
    flag: Direction | None
    flag_key: str | None
    """``results.flag.worsening`` / ``results.flag.improvement``."""
    sustained: bool
    probability: float | None
    """Posterior probability behind the flag (display only)."""


def _visible_history(
    history: Sequence[Release], viewer_home_units: frozenset[str], scope: Scope
) -> list[Release]:
    return [project(r, viewer_home_units, scope) for r in history]


def _factors_of(history: Sequence[Release], unit: str) -> list[str]:
    seen: dict[str, None] = {}
    for release in history:
        for cell in release.cells:
            if cell.unit == unit and not cell.sensitive:
                seen.setdefault(cell.metric, None)
    return sorted(seen)


def factor_rows(
    history: Sequence[Release],
    unit: str,
    *,
    viewer_home_units: frozenset[str] = frozenset(),
    scope: Scope = WHOLE_ORGANISATION,
) -> tuple[FactorRow, ...]:
    """Factor rows of ``unit`` over a tenant's release history (oldest first), by factor id.

    ``viewer_home_units`` are the home units (from the rounds' snapshots) of everyone who will
    read the result — a digest's destination channel's members — and ``scope`` the reader's
    role scope; a digest for a unit's managers' channel passes the scope of those managers.
    """
    visible = _visible_history(history, viewer_home_units, scope)
    priors = cumulative_priors(visible)
    rows = []
    for factor in _factors_of(visible, unit):
        series = factor_series(visible, unit, factor, priors)
        if not series:
            continue
        last = series[-1]
        flag = last.flag
        rows.append(
            FactorRow(
                factor=factor,
                round_id=last.point.round_id,
                score=last.point.score,
                band=last.point.band,
                n_band=last.point.n_band,
                reason_key=reason_key(last.point.reason) if last.point.reason else None,
                trend=tuple(p.point for p in series),
                flag=flag.direction if flag else None,
                flag_key=flag.direction.label_key if flag else None,
                sustained=flag.sustained if flag else False,
                probability=flag.probability if flag else None,
            )
        )
    return tuple(rows)


@dataclass(frozen=True)
class OverviewCell:
    """One (factor, unit) cell: a released value, or the reason it is not shown (never both)."""

    factor: str
    unit: str
    score: str | None
    band: tuple[str, str] | None
    n_band: str | None
    reason_key: str | None


@dataclass(frozen=True)
class PrevalenceCell:
    """A released sensitive prevalence ("< 3" or a banded rate); only published ones."""

    metric: str
    unit: str
    prevalence: str
    n_band: str


@dataclass(frozen=True)
class ParticipationCell:
    unit: str
    n_band: str | None
    rate: str | None
    reason_key: str | None


@dataclass(frozen=True)
class Overview:
    round_id: str
    units: tuple[str, ...]
    """Columns, in the release's (tree) order; never sorted by a score."""
    factors: tuple[str, ...]
    """Rows: the scored factors of the round, by id."""
    cells: tuple[OverviewCell, ...]
    """Factor-major: for each factor, one cell per unit in ``units`` order."""
    prevalence: tuple[PrevalenceCell, ...]
    participation: tuple[ParticipationCell, ...]

    def cell(self, factor: str, unit: str) -> OverviewCell:
        return next(c for c in self.cells if c.factor == factor and c.unit == unit)


def org_overview(
    release: Release,
    *,
    viewer_home_units: frozenset[str] = frozenset(),
    scope: Scope = WHOLE_ORGANISATION,
) -> Overview:
    """The factor × unit matrix of one release as the viewer may see it.

    A unit is a column when any of its cells or its participation is in the viewer's scope. A
    cell the viewer may not see at all (outside scope, e.g. another unit's leadership factor
    for the adviser) is absent from the projection and shows as a gap without a value.
    """
    visible = project(release, viewer_home_units, scope)
    units: dict[str, None] = {}
    for unit in [c.unit for c in visible.cells] + [p.unit for p in visible.participation]:
        units.setdefault(unit, None)
    order = [u for u in (c.unit for c in release.cells) if u in units]
    columns = tuple(dict.fromkeys(order + list(units)))
    factors = tuple(sorted({c.metric for c in release.cells if not c.sensitive}))
    by_key = {(c.metric, c.unit): c for c in visible.cells}
    cells = []
    for factor in factors:
        for unit in columns:
            found = by_key.get((factor, unit))
            if found is not None and found.published:
                cells.append(
                    OverviewCell(factor, unit, found.score, found.band, found.n_band, None)
                )
            else:
                key = (
                    reason_key(found.reason)
                    if found is not None and found.reason
                    else NOT_IN_SCOPE_KEY
                )
                cells.append(OverviewCell(factor, unit, None, None, None, key))
    prevalence = tuple(
        PrevalenceCell(c.metric, c.unit, c.prevalence, c.n_band)
        for c in visible.cells
        if c.sensitive and c.published and c.prevalence is not None and c.n_band is not None
    )
    participation = tuple(
        ParticipationCell(
            p.unit,
            p.n_band if p.published else None,
            p.rate if p.published else None,
            None if p.published else reason_key(p.reason or "too_few_respondents"),
        )
        for p in visible.participation
    )
    return Overview(release.round_id, columns, factors, tuple(cells), prevalence, participation)
