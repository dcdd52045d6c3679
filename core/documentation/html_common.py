"""Building blocks of the documentation's HTML: escaping, tables, translated values."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import cast

from core.i18n import t
from core.organisation import Role

WITHHELD = "–"
ROLES = frozenset(r.value for r in Role)


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], css: str = "") -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    cls = f' class="{css}"' if css else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def para(text: str, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f"<p{cls}>{esc(text)}</p>"


def items(texts: Iterable[str]) -> str:
    return "<ul>" + "".join(f"<li>{esc(x)}</li>" for x in texts) + "</ul>"


def section(name: str, locale: str, body: str) -> str:
    return (
        f'<section id="{name}"><h2>{esc(t(f"docs.section.{name}", locale))}</h2>'
        f"{para(t(f'docs.lead.{name}', locale), 'lead')}{body}</section>"
    )


def none_recorded(locale: str) -> str:
    return para(t("docs.none_recorded", locale), "none")


def owner(value: object, locale: str) -> str:
    text = str(value)
    return t(f"role.{text}", locale) if text in ROLES else text


def compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def rows_of(value: object) -> list[Mapping[str, object]]:
    return cast(list[Mapping[str, object]], value or [])


def texts(value: object) -> list[str]:
    return [str(v) for v in cast(list[object], value or [])]


def mapping(value: object) -> Mapping[str, object]:
    return cast(Mapping[str, object], value or {})


def value_or_reason(cell: Mapping[str, object], locale: str) -> tuple[str, str, str, str]:
    """(score, uncertainty, responses, note): a released value, or dashes and the reason."""
    if cell.get("score") is None:
        reason = cell.get("reason")
        return WITHHELD, WITHHELD, WITHHELD, t(str(reason), locale) if reason else ""
    band = cell.get("band")
    uncertainty = f"{band[0]}–{band[1]}" if isinstance(band, list) and len(band) == 2 else ""
    return str(cell["score"]), uncertainty, str(cell.get("n_band") or ""), ""
