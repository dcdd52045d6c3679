"""The documentation as one self-contained HTML page (no scripts, no external files), in
bokmål or English; print CSS makes the PDF that a browser engine renders from it."""

from __future__ import annotations

from collections.abc import Mapping

from core.documentation.export import SECTION_NAMES, Documentation
from core.documentation.html_common import esc, mapping, para, rows_of, section
from core.documentation.html_results import (
    assessments_html,
    consultations_html,
    mappings_html,
    measures_html,
)
from core.documentation.html_settings import routine_html, trail_html, wheel_html
from core.i18n import t

CSS = """
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 9.5pt;
       color: #111; line-height: 1.35; }
h1 { font-size: 17pt; margin: 0 0 4pt; } h2 { font-size: 13pt; margin: 18pt 0 4pt;
border-bottom: 1px solid #888; } h3 { font-size: 10.5pt; margin: 10pt 0 3pt; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 8pt; }
th, td { border: 1px solid #bbb; padding: 2pt 4pt; text-align: left; vertical-align: top;
         overflow-wrap: break-word; }
table.wheel td:first-child, table.trail td:first-child { white-space: nowrap; }
nav ul { list-style: none; padding-left: 0; }
th { background: #eee; } thead { display: table-header-group; } tr { break-inside: avoid; }
.lead { color: #333; font-style: italic; } .none { color: #555; }
.meta td:first-child { width: 28%; font-weight: bold; } .hash { font-family: monospace; }
.round, .assessment { break-inside: avoid-page; }
table.trail td:last-child { font-family: monospace; font-size: 8pt; }
"""


def factor_names(content: Mapping[str, object], locale: str) -> dict[str, str]:
    """Factor id → name in ``locale``, from the question sets (the latest version wins)."""
    names: dict[str, str] = {}
    routine = mapping(mapping(content["sections"])["routine"])
    for qs in rows_of(routine["question_sets"]):
        for factor in rows_of(qs["factors"]):
            localised = mapping(factor["name"])
            names[str(factor["id"])] = str(localised.get(locale, factor["id"]))
    return names


def _header(doc: Documentation, locale: str) -> str:
    content = doc.content
    tenant = mapping(content["tenant"])
    period = mapping(content["period"])
    rows = [
        (t("docs.meta.organisation", locale), tenant["name"]),
        (t("docs.meta.period", locale), f"{period['from']} – {period['to']}"),
        (t("docs.meta.generated", locale), doc.generated_at.isoformat(timespec="seconds")),
        (t("docs.meta.hash", locale), doc.content_hash),
    ]
    meta = "".join(
        f'<tr><td>{esc(k)}</td><td class="{"hash" if i == 3 else ""}">{esc(v)}</td></tr>'
        for i, (k, v) in enumerate(rows)
    )
    toc = "".join(
        f'<li><a href="#{name}">{esc(t(f"docs.section.{name}", locale))}</a></li>'
        for name in SECTION_NAMES
    )
    return (
        f"<header><h1>{esc(t('docs.title', locale))}</h1>"
        f"{para(t('docs.purpose', locale))}"
        f'<table class="meta"><tbody>{meta}</tbody></table>'
        f"{para(t('docs.hash_note', locale))}"
        f"<nav><ul>{toc}</ul></nav></header>"
    )


def documentation_html(doc: Documentation, locale: str) -> str:
    sections = mapping(doc.content["sections"])
    names = factor_names(doc.content, locale)
    bodies = {
        "routine": routine_html(mapping(sections["routine"]), locale),
        "wheel": wheel_html(mapping(sections["wheel"]), locale),
        "mappings": mappings_html(mapping(sections["mappings"]), names, locale),
        "risk_assessments": assessments_html(sections["risk_assessments"], names, locale),
        "measures": measures_html(sections["measures"], names, locale),
        "consultations": consultations_html(sections["consultations"], locale),
        "audit_trail": trail_html(sections["audit_trail"], locale),
    }
    body = "\n".join(section(name, locale, bodies[name]) for name in SECTION_NAMES)
    title = t("docs.title", locale)
    tenant = mapping(doc.content["tenant"])["name"]
    return (
        f'<!doctype html>\n<html lang="{esc(locale)}"><head><meta charset="utf-8">'
        f"<title>{esc(title)} — {esc(tenant)}</title><style>{CSS}</style></head>\n<body>\n"
        f"{_header(doc, locale)}\n{body}\n</body></html>\n"
    )
