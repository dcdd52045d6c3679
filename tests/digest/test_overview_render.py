"""The org overview rendered as Markdown, HTML and a heat map: released cells only,
withheld cells as a dash with the reason in the legend, sensitive items only for roles that
may see them, units in tree order."""

from __future__ import annotations

from bot.charts import OverviewGrid, figure_texts, overview_chart, overview_figure
from core.overview import org_overview
from core.overview_render import overview_html, overview_markdown, overview_table
from core.results import WHOLE_ORGANISATION, Scope
from tests.digest.test_digest_content import BANK, release

PATHS = {"1": "Acme", "2": "Acme/Ops", "3": "Acme/Sales"}


def test_overview_shows_released_cells_and_marks_the_rest() -> None:
    rel = release("5", {"workload": "40", "leadership": "75"})
    table = overview_table(org_overview(rel, scope=WHOLE_ORGANISATION), PATHS, BANK, "W43", "en")
    md = overview_markdown(table, "en")
    assert "| Factor | Acme/Ops | Acme/Sales |" in md
    assert "| Workload and time pressure | 40 | – |" in md
    assert "| Participation | 70 % | – |" in md
    assert "too few responses" in md  # the legend explains the dash
    assert "Bullying and harassment, Acme/Ops: < 3" in md  # HR/AMU scope: sensitive allowed
    html = overview_html(table, "en", "overview.png")
    assert "<td>40</td>" in html and 'src="overview.png"' in html
    png = overview_chart(table, "en")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    grid = OverviewGrid(
        [n for n, _ in table.rows], list(table.columns),
        [list(v) for v in table.values], [list(x) for _, x in table.rows],
    )  # fmt: skip
    texts = figure_texts(overview_figure(table.title, grid, "not shown"))
    assert "40" in texts and texts.count("–") >= 1


def test_a_leaders_overview_has_no_sensitive_items_and_only_their_units() -> None:
    rel = release("5", {"workload": "40", "leadership": "75"})
    ops = Scope(frozenset({"2"}), False, frozenset({"2"}))
    table = overview_table(org_overview(rel, scope=ops), PATHS, BANK, "W43", "nb")
    md = overview_markdown(table, "nb")
    assert "Acme/Sales" not in md and "< 3" not in md and "Sensitive" not in md
    assert "| Arbeidsmengde og tidspress | 40 |" in md
