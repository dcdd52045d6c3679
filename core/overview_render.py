"""The org overview as Markdown and HTML: a factor × unit table of released cells, withheld
cells marked with a dash and explained in a legend, sensitive prevalence where released and
allowed, participation bands. Units keep the tree's order; nothing is ranked."""

from __future__ import annotations

import html as html_lib
from collections.abc import Mapping
from dataclasses import dataclass

from core.i18n import t
from core.overview import Overview
from core.questions import QuestionSet

WITHHELD = "–"


@dataclass(frozen=True)
class OverviewTable:
    title: str
    columns: tuple[str, ...]  # unit paths
    rows: tuple[tuple[str, tuple[str, ...]], ...]  # factor name, one text per column
    values: tuple[tuple[int | None, ...], ...]  # what a chart may draw (None: withheld)
    participation: tuple[str, ...]  # one text per column
    prevalence: tuple[str, ...]  # lines
    legend: tuple[str, ...]


def _value(score: str | None) -> int | None:
    if score is None:
        return None
    return int("".join(ch for ch in score if ch.isdigit()))


def overview_table(
    overview: Overview,
    unit_paths: Mapping[str, str],
    question_set: QuestionSet,
    period: str,
    locale: str,
) -> OverviewTable:
    names = {f.id: f.name[locale] for f in question_set.factors}
    columns = tuple(unit_paths.get(u, u) for u in overview.units)
    rows = []
    values = []
    reasons: dict[str, None] = {}
    for factor in overview.factors:
        texts = []
        numbers = []
        for unit in overview.units:
            cell = overview.cell(factor, unit)
            if cell.score is not None:
                texts.append(cell.score)
            else:
                texts.append(WITHHELD)
                if cell.reason_key:
                    reasons.setdefault(cell.reason_key, None)
            numbers.append(_value(cell.score))
        rows.append((names.get(factor, factor), tuple(texts)))
        values.append(tuple(numbers))
    by_unit = {p.unit: p for p in overview.participation}
    participation = tuple(
        (by_unit[u].rate or WITHHELD) if u in by_unit else WITHHELD for u in overview.units
    )
    prevalence = tuple(
        t(
            "overview.prevalence",
            locale,
            factor=names.get(p.metric, p.metric),
            unit=unit_paths.get(p.unit, p.unit),
            value=p.prevalence,
        )
        for p in overview.prevalence
    )
    legend = tuple(t(key, locale) for key in reasons)
    return OverviewTable(
        title=t("overview.title", locale, period=period),
        columns=columns,
        rows=tuple(rows),
        values=tuple(values),
        participation=participation,
        prevalence=prevalence,
        legend=legend,
    )


def overview_markdown(table: OverviewTable, locale: str) -> str:
    head = [t("overview.factor", locale), *table.columns]
    lines = [f"# {table.title}", "", t("overview.lead", locale), ""]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    for name, texts in table.rows:
        lines.append("| " + " | ".join([name, *texts]) + " |")
    lines.append(
        "| " + " | ".join([t("overview.participation", locale), *table.participation]) + " |"
    )
    if table.prevalence:
        lines += ["", f"## {t('overview.sensitive', locale)}", ""]
        lines += [f"- {p}" for p in table.prevalence]
    if table.legend:
        lines += ["", f"{WITHHELD} = {t('overview.withheld', locale)}: " + "; ".join(table.legend)]
    return "\n".join(lines) + "\n"


def overview_html(table: OverviewTable, locale: str, chart_file: str | None = None) -> str:
    esc = html_lib.escape
    head = "".join(f"<th>{esc(c)}</th>" for c in (t("overview.factor", locale), *table.columns))
    body = "".join(
        "<tr><th>" + esc(name) + "</th>" + "".join(f"<td>{esc(x)}</td>" for x in texts) + "</tr>"
        for name, texts in table.rows
    )
    body += (
        f"<tr><th>{esc(t('overview.participation', locale))}</th>"
        + "".join(f"<td>{esc(x)}</td>" for x in table.participation)
        + "</tr>"
    )
    parts = [
        f"<h1>{esc(table.title)}</h1>",
        f"<p>{esc(t('overview.lead', locale))}</p>",
    ]
    if chart_file:
        alt = t("overview.chart_alt", locale)
        parts.append(f'<p><img src="{esc(chart_file)}" alt="{esc(alt)}"></p>')
    parts.append(
        '<table border="1" cellpadding="4">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
    if table.prevalence:
        parts.append(f"<h2>{esc(t('overview.sensitive', locale))}</h2>")
        parts.append("<ul>" + "".join(f"<li>{esc(p)}</li>" for p in table.prevalence) + "</ul>")
    if table.legend:
        parts.append(
            f"<p>{WITHHELD} = {esc(t('overview.withheld', locale))}: "
            f"{esc('; '.join(table.legend))}</p>"
        )
    return (
        f'<!doctype html>\n<html lang="{esc(locale)}"><head><meta charset="utf-8">'
        f"<title>{esc(table.title)}</title></head>\n<body>\n"
        + "\n".join(parts)
        + "\n</body></html>\n"
    )
