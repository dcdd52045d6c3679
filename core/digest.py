"""The weekly digest of one unit, and the employee summary: what a leader reads in two
minutes and a team can discuss. Built only from frozen releases (privacy rule 1), for one
audience (rule 9: the member view of everyone who reads it), never ranking units.

``build_digest`` gathers the content; ``markdown``, ``html`` and ``chat_text`` render it.
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.anonymity.inputs import AUDIENCE_LEADER
from core.anonymity.record import (
    CellRelease,
    CommentRelease,
    ParticipationRelease,
    Release,
)
from core.anonymity.view import comments_for
from core.flags import Direction
from core.i18n import t
from core.overview import factor_rows
from core.questions import QuestionSet
from core.results import Scope, project
from core.trend import TrendPoint

#: At most this many discussion questions per flagged factor.
DISCUSSION_QUESTIONS = 3


@dataclass(frozen=True)
class FactorLine:
    factor: str
    name: str
    score: str | None  # this round's display score; None: not shown (see ``reason``)
    band: tuple[str, str] | None
    n_band: str | None
    reason: str | None  # a suppression reason (anonymity.reason.*)
    history: tuple[TrendPoint, ...]  # the factor's earlier rounds, oldest first (gaps kept)
    flag: Direction | None
    sustained: bool
    meaning: str | None = None  # for a flagged worsening: what a low score means
    discussion: tuple[str, ...] = ()


@dataclass(frozen=True)
class Digest:
    unit: str  # path
    parent: str | None
    period: str
    periods: tuple[str, ...]  # the rounds in ``history`` plus this one, oldest first
    period_of: Mapping[str, str]  # release round id -> period label
    locale: str
    participation: str | None  # "60-70 %" style band; None: not shown
    factors: tuple[FactorLine, ...]
    comments: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    withheld: bool = False  # nothing of this unit could be shown this round
    withheld_reason: str | None = None


@dataclass(frozen=True)
class RoundRelease:
    period: str
    release: Release


def digest_scope(unit: str) -> Scope:
    """A unit digest shows the unit's own cells, never a sensitive item (rule 10)."""
    return Scope(frozenset({unit}), False, frozenset({unit}))


def build_digest(
    *,
    unit_id: int,
    unit_path: str,
    parent_path: str | None,
    history: Sequence[RoundRelease],
    readers: frozenset[str] | None,
    question_set: QuestionSet,
    locale: str,
    measures: Sequence[str] = (),
) -> Digest:
    """The digest of ``unit_id`` for the latest round in ``history`` (oldest first).

    ``readers``: the units (as the release names them) of everyone who will read it; None when
    the audience is not known (a channel whose members cannot be listed): then every cell that
    is hidden from any of its own members is left out, the strictest reading. Scores, trends
    and flags come from ``core.overview.factor_rows``, on what these readers may see.
    """
    unit = str(unit_id)
    releases = [entry.release for entry in history]
    audience = readers if readers is not None else _everyone(releases)
    scope = digest_scope(unit)
    latest = history[-1]
    periods = {entry.release.round_id: entry.period for entry in history}
    known = {f.id: f for f in question_set.factors}
    lines = []
    for row in factor_rows(releases, unit, viewer_home_units=audience, scope=scope):
        factor = known.get(row.factor)
        if factor is None or row.round_id != latest.release.round_id:
            continue  # not measured this round (rotation), or not in this set
        meaning = None
        discussion: tuple[str, ...] = ()
        if row.flag is Direction.WORSENING:
            meaning = factor.low_score.get(locale)
            discussion = tuple(q[locale] for q in factor.discussion[:DISCUSSION_QUESTIONS])
        lines.append(
            FactorLine(
                factor=row.factor,
                name=factor.name[locale],
                score=row.score,
                band=row.band,
                n_band=row.n_band,
                reason=row.reason_key.removeprefix("anonymity.reason.") if row.reason_key else None,
                history=tuple(p for p in row.trend[:-1] if p.round_id in periods),
                flag=row.flag,
                sustained=row.sustained,
                meaning=meaning,
                discussion=discussion,
            )
        )
    order = {f.id: i for i, f in enumerate(question_set.factors)}
    lines.sort(key=lambda line: order[line.factor])
    projected = project(latest.release, audience, scope)
    participation = [p for p in projected.participation if p.unit == unit and p.published]
    comments = comments_for(latest.release, frozenset({AUDIENCE_LEADER}), frozenset({unit}))
    withheld = not any(line.score for line in lines)
    reasons = [line.reason for line in lines if line.reason]
    return Digest(
        unit=unit_path,
        parent=parent_path,
        period=latest.period,
        periods=tuple(e.period for e in history),
        period_of=periods,
        locale=locale,
        participation=participation[0].rate if participation else None,
        factors=tuple(lines),
        comments=tuple(c.text for c in comments) if not withheld else (),
        measures=tuple(measures),
        withheld=withheld,
        withheld_reason=(reasons[0] if reasons else None) if withheld else None,
    )


def _everyone(releases: Sequence[Release]) -> frozenset[str]:
    units: set[str] = set()
    for release in releases:
        for cell in release.cells:
            units.add(cell.unit)
            units.update(cell.hidden_for_home_units)
    return frozenset(units)


def reason_text(reason: str, locale: str) -> str:
    return t(f"anonymity.reason.{reason}", locale)


def _trend_text(line: FactorLine) -> str:
    scores = [p.score for p in line.history] + [line.score]
    return " → ".join(score if score is not None else "·" for score in scores)


def _flag_text(line: FactorLine, locale: str) -> str | None:
    if line.flag is None:
        return None
    key = f"digest.flag.{line.flag.value}"
    if line.sustained:
        key += "_sustained"
    return t(key, locale)


@dataclass(frozen=True)
class _Section:
    title: str
    items: tuple[str, ...]


def _sections(d: Digest) -> tuple[str, list[str], list[_Section]]:
    """Title, lead paragraphs and sections, as plain text: every renderer formats these."""
    loc = d.locale
    title = t("digest.title", loc, unit=d.unit, period=d.period)
    lead: list[str] = []
    if d.withheld:
        reason = reason_text(d.withheld_reason or "too_few_respondents", loc)
        lead.append(t("digest.withheld", loc, reason=reason))
        if d.parent:
            lead.append(t("digest.see_parent", loc, parent=d.parent))
    else:
        lead.append(t("digest.lead", loc))
    if d.participation:
        lead.append(t("digest.participation", loc, rate=d.participation))
    sections: list[_Section] = []
    if not d.withheld:
        rows = []
        for line in d.factors:
            if line.score is None:
                rows.append(
                    t(
                        "digest.factor_hidden",
                        loc,
                        factor=line.name,
                        reason=reason_text(line.reason or "", loc),
                    )
                )
                continue
            assert line.band is not None
            text = t(
                "digest.factor",
                loc,
                factor=line.name,
                score=line.score,
                low=line.band[0],
                high=line.band[1],
                trend=_trend_text(line),
            )
            flag = _flag_text(line, loc)
            rows.append(f"{text} — {flag}" if flag else text)
        sections.append(_Section(t("digest.scores", loc), tuple(rows)))
        for line in d.factors:
            if line.flag is not None and line.discussion:
                items = ((line.meaning,) if line.meaning else ()) + line.discussion
                sections.append(_Section(t("digest.discuss", loc, factor=line.name), tuple(items)))
    if d.comments:
        sections.append(_Section(t("digest.comments", loc), d.comments))
    if d.measures:
        sections.append(_Section(t("digest.measures", loc), d.measures))
    return title, lead, sections


def markdown(d: Digest) -> str:
    title, lead, sections = _sections(d)
    out = [f"# {title}", "", *[f"{p}\n" for p in lead]]
    for section in sections:
        out.append(f"## {section.title}\n")
        out.extend(f"- {item}" for item in section.items)
        out.append("")
    out.append(f"_{t('digest.footer', d.locale)}_")
    return "\n".join(out).rstrip() + "\n"


def html(d: Digest, chart_file: str | None = None) -> str:
    esc = html_lib.escape
    title, lead, sections = _sections(d)
    body = [f"<h1>{esc(title)}</h1>", *[f"<p>{esc(p)}</p>" for p in lead]]
    if chart_file:
        alt = t("digest.chart_alt", d.locale, unit=d.unit)
        body.append(f'<p><img src="{esc(chart_file)}" alt="{esc(alt)}" width="900"></p>')
    for section in sections:
        body.append(f"<h2>{esc(section.title)}</h2>")
        body.append("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in section.items) + "</ul>")
    body.append(f"<p><em>{esc(t('digest.footer', d.locale))}</em></p>")
    return (
        f'<!doctype html>\n<html lang="{esc(d.locale)}"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def chat_text(d: Digest) -> str:
    """The digest in the chat subset both adapters render (``*bold*``, ``• `` lines)."""
    title, lead, sections = _sections(d)
    out = [f"*{title}*", *lead]
    for section in sections:
        out.append(f"*{section.title}*")
        out.extend(f"• {item}" for item in section.items)
    out.append(f"_{t('digest.footer', d.locale)}_")
    return "\n".join(out)


def _display_value(score: str) -> int:
    return int("".join(ch for ch in score if ch.isdigit()))


def summary_text(d: Digest) -> str | None:
    """The employee summary for the team channel: what we heard, what happens next. None
    when nothing can be said (a withheld unit). Factors are only ordered within the unit."""
    if d.withheld:
        return None
    loc = d.locale
    shown = [f for f in d.factors if f.score is not None]
    ordered = sorted(shown, key=lambda f: (_display_value(f.score or "0"), f.factor))
    lines = [f"*{t('summary.title', loc, unit=d.unit, period=d.period)}*"]
    if d.participation:
        lines.append(t("summary.participation", loc, rate=d.participation))
    if len(ordered) >= 2 and ordered[0].score == ordered[-1].score:
        names = ", ".join(f.name for f in ordered)
        lines.append(t("summary.even", loc, factors=names, score=ordered[0].score))
    elif len(ordered) >= 2:
        lines.append(t("summary.strongest", loc, factor=ordered[-1].name, score=ordered[-1].score))
        lines.append(t("summary.weakest", loc, factor=ordered[0].name, score=ordered[0].score))
    else:
        lines.extend(t("summary.one", loc, factor=f.name, score=f.score) for f in ordered)
    if d.measures:
        lines.append(t("summary.measures", loc))
        lines.extend(f"• {m}" for m in d.measures)
    else:
        lines.append(t("summary.next", loc))
    lines.append(f"_{t('summary.footer', loc)}_")
    return "\n".join(lines)


def split_by_unit(release: Release) -> dict[str, Release]:
    """A release cut into one small release per unit (its cells, participation and
    comments): a unit's digest reads only its own cells, so a week of digests for a
    thousand units reads each release once instead of once per unit."""
    cells: dict[str, list[CellRelease]] = {}
    for cell in release.cells:
        cells.setdefault(cell.unit, []).append(cell)
    parts: dict[str, list[ParticipationRelease]] = {}
    for part in release.participation:
        parts.setdefault(part.unit, []).append(part)
    comments: dict[str, list[CommentRelease]] = {}
    for comment in release.comments:
        comments.setdefault(comment.unit, []).append(comment)
    return {
        unit: Release(
            round_id=release.round_id,
            thresholds=release.thresholds,
            cells=tuple(cells.get(unit, ())),
            participation=tuple(parts.get(unit, ())),
            comments=tuple(comments.get(unit, ())),
        )
        for unit in {*cells, *parts, *comments}
    }
