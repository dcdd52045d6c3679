"""Charts for digests and the org overview: PNG bytes from released display values only.

matplotlib's Agg backend, no global pyplot state (a ``Figure`` per chart), so charts can be
drawn from any thread. A chart receives what a release published and nothing else: a gap is
``None`` and stays a gap (privacy rule 5), a withheld overview cell is drawn hatched with no
number. Every figure is sized in pixels so the PNGs have a known size.

matplotlib is imported when the first chart is drawn, not with this module: ``serve`` builds
the digest renderer at start and should not pay ~0.5 s of CPU for a library it may not use
for days.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.digest import Digest
from core.i18n import t
from core.overview_render import OverviewTable

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

DPI = 100
TREND_SIZE = (900, 420)  # pixels
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b")


@dataclass(frozen=True)
class TrendSeries:
    label: str
    scores: Sequence[int | None]  # one per round; None: not published that round
    bands: Sequence[tuple[int, int] | None]


@dataclass(frozen=True)
class OverviewGrid:
    rows: Sequence[str]  # unit labels
    columns: Sequence[str]  # factor labels
    values: Sequence[Sequence[int | None]]  # None: not published (drawn as withheld)
    texts: Sequence[Sequence[str]]  # what each cell says ("65", "≤ 10", "–")


def score_value(display: str | None) -> int | None:
    """A release's display score ("65", "≤ 10", "≥ 90") as a number to draw; None stays None."""
    if display is None:
        return None
    digits = "".join(ch for ch in display if ch.isdigit())
    return int(digits) if digits else None


def _png(figure: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def trend_figure(
    title: str, rounds: Sequence[str], series: Sequence[TrendSeries], y_label: str
) -> Figure:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(TREND_SIZE[0] / DPI, TREND_SIZE[1] / DPI), dpi=DPI)
    axes = figure.add_subplot()
    xs = list(range(len(rounds)))
    for index, line in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        ys = [float("nan") if s is None else float(s) for s in line.scores]
        axes.plot(xs, ys, marker="o", color=colour, label=line.label)
        for x, band in zip(xs, line.bands, strict=True):
            if band is not None:
                axes.vlines(x, band[0], band[1], color=colour, alpha=0.35, linewidth=6)
    axes.set_ylim(0, 100)
    axes.set_xticks(xs, list(rounds), rotation=30, ha="right", fontsize=8)
    axes.set_ylabel(y_label)
    axes.set_title(title, fontsize=11)
    axes.grid(axis="y", alpha=0.3)
    if series:
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    figure.tight_layout()
    return figure


def trend_png(
    title: str, rounds: Sequence[str], series: Sequence[TrendSeries], y_label: str
) -> bytes:
    return _png(trend_figure(title, rounds, series, y_label))


def overview_figure(title: str, grid: OverviewGrid, withheld_label: str) -> Figure:
    rows, cols = len(grid.rows), len(grid.columns)
    width = max(6.0, 1.6 + 0.75 * cols)
    height = max(2.5, 1.4 + 0.38 * rows)
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI)
    axes = figure.add_subplot()
    data = [[float("nan") if v is None else float(v) for v in row] for row in grid.values]
    if rows and cols:
        axes.imshow(data, cmap="RdYlGn", vmin=0, vmax=100, aspect="auto")
    for r in range(rows):
        for c in range(cols):
            if grid.values[r][c] is None:
                axes.add_patch(_withheld_patch(c, r))
            axes.text(c, r, grid.texts[r][c], ha="center", va="center", fontsize=7)
    axes.set_xticks(range(cols), list(grid.columns), rotation=45, ha="right", fontsize=7)
    axes.set_yticks(range(rows), list(grid.rows), fontsize=7)
    axes.set_title(f"{title}  (▨ {withheld_label})", fontsize=10)
    figure.tight_layout()
    return figure


def _withheld_patch(x: int, y: int) -> Rectangle:
    from matplotlib.patches import Rectangle

    return Rectangle(
        (x - 0.5, y - 0.5), 1, 1, fill=True, facecolor="#eeeeee", hatch="///", edgecolor="#999999"
    )


def overview_png(title: str, grid: OverviewGrid, withheld_label: str) -> bytes:
    return _png(overview_figure(title, grid, withheld_label))


def figure_texts(figure: Figure) -> list[str]:
    """Every text drawn on a figure (titles, ticks, labels, legend): what a test inspects."""
    from matplotlib.text import Text

    return [t.get_text() for t in figure.findobj(match=Text) if isinstance(t, Text)]


def digest_chart(digest: Digest) -> bytes | None:
    """The trend of the factors shown in a digest, one x position per round of the digest's
    history; None when nothing could be shown."""
    positions = {period: i for i, period in enumerate(digest.periods)}
    series = []
    for factor in digest.factors:
        if factor.score is None:
            continue
        scores: list[int | None] = [None] * len(digest.periods)
        bands: list[tuple[int, int] | None] = [None] * len(digest.periods)
        points = [(p.round_id, p.score, p.band) for p in factor.history]
        for round_id, score, band in points:
            at = positions.get(digest.period_of.get(round_id, ""))
            if at is not None:
                scores[at], bands[at] = score_value(score), _band(band)
        scores[-1], bands[-1] = score_value(factor.score), _band(factor.band)
        series.append(TrendSeries(factor.name, scores, bands))
    if not series:
        return None
    title = t("digest.title", digest.locale, unit=digest.unit, period=digest.period)
    return trend_png(title, digest.periods, series, t("digest.chart_axis", digest.locale))


def _band(band: tuple[str, str] | None) -> tuple[int, int] | None:
    return (int(band[0]), int(band[1])) if band else None


def overview_chart(table: OverviewTable, locale: str) -> bytes:
    grid = OverviewGrid(
        rows=[name for name, _ in table.rows],
        columns=list(table.columns),
        values=[list(v) for v in table.values],
        texts=[list(texts) for _, texts in table.rows],
    )
    return overview_png(table.title, grid, t("overview.withheld", locale))
