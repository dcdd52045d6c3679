"""Charts render to PNGs of the expected size and draw nothing a release did not publish."""

from __future__ import annotations

import math
import struct

import numpy
from matplotlib.lines import Line2D

from bot.charts import (
    DPI,
    TREND_SIZE,
    OverviewGrid,
    TrendSeries,
    figure_texts,
    overview_figure,
    overview_png,
    score_value,
    trend_figure,
    trend_png,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_MAGIC
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_score_values_from_display_strings() -> None:
    assert [score_value(s) for s in ("65", "≤ 10", "≥ 90", None, "–")] == [65, 10, 90, None, None]


def test_trend_png_has_the_expected_size_and_keeps_gaps() -> None:
    series = [
        TrendSeries("Workload", [60, None, 70], [(50, 70), None, (60, 80)]),
        TrendSeries("Support", [None, None, 40], [None, None, (30, 50)]),
    ]
    png = trend_png("Ops", ["W1", "W2", "W3"], series, "Score")
    assert _size(png) == TREND_SIZE and len(png) > 5_000
    figure = trend_figure("Ops", ["W1", "W2", "W3"], series, "Score")
    lines = [ln for ln in figure.axes[0].get_lines() if isinstance(ln, Line2D)]
    drawn = [numpy.asarray(ln.get_ydata(), dtype=float).tolist() for ln in lines]
    assert math.isnan(drawn[0][1]) and drawn[0][0] == 60 and drawn[0][2] == 70
    assert all(math.isnan(v) for v in drawn[1][:2])


def test_overview_draws_withheld_cells_without_a_number() -> None:
    grid = OverviewGrid(
        rows=["Ops", "Sales"],
        columns=["Workload", "Support"],
        values=[[55, None], [None, 80]],
        texts=[["55", "–"], ["–", "80"]],
    )
    png = overview_png("Overview", grid, "withheld")
    width, height = _size(png)
    assert width >= 6 * DPI and height >= 2.5 * DPI
    texts = figure_texts(overview_figure("Overview", grid, "withheld"))
    assert "55" in texts and "80" in texts and texts.count("–") == 2


def test_empty_overview_still_renders() -> None:
    png = overview_png("Overview", OverviewGrid([], [], [], []), "withheld")
    assert _size(png)[0] > 0
