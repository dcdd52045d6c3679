"""HTML of the sections about results and follow-up: mappings, risk assessments, measures,
the consultation log. Every value shown is one the content holds; withheld cells show a dash
and the reason, never a number."""

from __future__ import annotations

from collections.abc import Mapping

from core.documentation.html_common import (
    esc,
    items,
    mapping,
    none_recorded,
    para,
    rows_of,
    table,
    value_or_reason,
)
from core.i18n import t


def _round_html(r: Mapping[str, object], names: Mapping[str, str], locale: str) -> str:
    qs = mapping(r["question_set"])
    heading = t("docs.round.heading", locale, round=r["round"], period=r["period"], unit=r["unit"])
    facts = t(
        "docs.round.facts",
        locale,
        method=t(f"docs.method.{r['method']}", locale),
        opened=r["opened"],
        closed=r["closed"] or "–",
        released=r["released"] or "–",
        set=f"{qs.get('key', '–')} v{qs.get('version', '–')}",
        k=mapping(r["thresholds"]).get("k_resp", "–"),
    )
    asked = ", ".join(names.get(str(f), str(f)) for f in rows_of(r["factors"]))
    parts = [
        f"<h3>{esc(heading)}</h3>",
        para(facts),
        para(t("docs.round.asked", locale, factors=asked)),
    ]
    if r.get("note"):
        parts.append(para(t(str(r["note"]), locale), "none"))
        return f'<div class="round">{"".join(parts)}</div>'
    if not r["reportable"]:
        parts.append(para(t("docs.too_few_to_report", locale), "none"))
    parts.append(
        table(
            [t(f"docs.col.{c}", locale) for c in ("unit", "responses", "participation", "note")],
            [
                (
                    p["unit"],
                    p["n_band"] or "–",
                    p["rate"] or "–",
                    t(str(p["reason"]), locale) if p["reason"] else "",
                )
                for p in rows_of(r["participation"])
            ],
            "participation",
        )
    )
    parts.append(
        table(
            [
                t(f"docs.col.{c}", locale)
                for c in ("factor", "unit", "score", "uncertainty", "responses", "note")
            ],
            [
                (
                    names.get(str(c["factor"]), str(c["factor"])),
                    c["unit"],
                    *value_or_reason(c, locale),
                )
                for c in rows_of(r["results"])
            ],
            "results",
        )
    )
    prevalence = rows_of(r["prevalence"])
    if prevalence:
        parts.append(para(t("docs.round.prevalence", locale)))
        parts.append(
            items(
                t(
                    "overview.prevalence",
                    locale,
                    factor=names.get(str(p["metric"]), str(p["metric"])),
                    unit=p["unit"],
                    value=p["prevalence"],
                )
                for p in prevalence
            )
        )
    return f'<div class="round">{"".join(parts)}</div>'


def mappings_html(content: Mapping[str, object], names: Mapping[str, str], locale: str) -> str:
    rounds = rows_of(content["rounds"])
    parts = [para(t("docs.mappings.rule", locale, k=content["k_resp"]))]
    if content.get("note"):
        parts.append(para(t(str(content["note"]), locale, k=content["k_eligible"]), "none"))
    if not rounds:
        parts.append(none_recorded(locale))
    parts += [_round_html(r, names, locale) for r in rounds]
    return "".join(parts)


def _evidence_line(e: Mapping[str, object], locale: str) -> str:
    source = t(f"docs.evidence.{e['source']}", locale)
    if "cell" in e:
        score, band, n_band, note = value_or_reason(mapping(e["cell"]), locale)
        value = note or t("docs.evidence.value", locale, score=score, band=band, n=n_band)
        return t(
            "docs.evidence.cell",
            locale,
            source=source,
            unit=e["unit"],
            round=e["round"],
            value=value,
        )
    return f"{source} ({e['observed_on']}): {e['text']}"


def assessments_html(content: object, names: Mapping[str, str], locale: str) -> str:
    found = rows_of(content)
    if not found:
        return none_recorded(locale)
    parts = []
    for a in found:
        heading = t(
            "docs.assessment.heading",
            locale,
            id=a["id"],
            factor=names.get(str(a["factor"]), str(a["factor"])),
            unit=a["unit"],
        )
        facts = t(
            "docs.assessment.facts",
            locale,
            likelihood=a["likelihood"],
            consequence=a["consequence"],
            risk=a["risk"],
            level=t(f"docs.level.{a['level']}", locale),
            assessor=a["assessor"],
            assessed=a["assessed_on"],
            review=a["next_review"],
            status=t(f"docs.assessment.status.{a['status']}", locale),
        )
        consulted = rows_of(a["consultations"])
        parts += [
            f'<div class="assessment"><h3>{esc(heading)}</h3>',
            para(str(a["description"])),
            para(facts),
            para(t("docs.assessment.controls", locale, controls=a["controls"] or "–")),
            para(t("docs.assessment.evidence", locale)),
            items(_evidence_line(e, locale) for e in rows_of(a["evidence"])),
            para(
                t("docs.assessment.consulted", locale, ids=", ".join(f"#{c}" for c in consulted))
                if consulted
                else t("docs.assessment.not_consulted", locale)
            ),
            "</div>",
        ]
    return "".join(parts)


def measures_html(content: object, names: Mapping[str, str], locale: str) -> str:
    found = rows_of(content)
    if not found:
        return none_recorded(locale)
    cols = ("measure", "unit", "level", "owner", "period", "status", "effect")
    return table(
        [t(f"docs.col.{c}", locale) for c in cols],
        [
            (
                f"#{m['id']} {m['title']} ("
                + ", ".join(names.get(str(f), str(f)) for f in rows_of(m["factors"]))
                + ")"
                + (
                    f" — {t('docs.measure.root_cause', locale)}: {m['root_cause']}"
                    if m["root_cause"]
                    else ""
                ),
                m["unit"],
                t(f"docs.measure.level.{m['level']}", locale),
                f"{m['owner']} (+{m['participants']})",
                f"{m['start_on']} – {m['due_on']}",
                t(f"docs.measure.status.{m['status']}", locale)
                + (f" ({t('docs.measure.overdue', locale)})" if m["overdue"] else ""),
                m["expected_effect"],
            )
            for m in found
        ],
        "measures",
    )


def consultations_html(content: object, locale: str) -> str:
    found = rows_of(content)
    if not found:
        return none_recorded(locale)
    return table(
        [
            t(f"docs.col.{c}", locale)
            for c in ("id", "date", "subject", "consulted", "position", "comment")
        ],
        [
            (
                f"#{c['id']}",
                c["consulted_on"],
                t(
                    f"docs.subject.{c['subject']}",
                    locale,
                    id=c["subject_id"] or "",
                    unit=c["unit"] or "",
                ),
                t(f"role.{c['consulted_as']}", locale),
                t(f"docs.position.{c['position']}", locale),
                c["comment"],
            )
            for c in found
        ],
        "consultations",
    )
