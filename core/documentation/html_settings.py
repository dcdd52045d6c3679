"""HTML of the sections that come from settings and plans: routine, annual wheel, audit trail."""

from __future__ import annotations

from collections.abc import Mapping

from core.documentation.html_common import (
    compact,
    esc,
    items,
    mapping,
    none_recorded,
    owner,
    para,
    rows_of,
    table,
    texts,
)
from core.i18n import t

CADENCE_FIELDS = (
    "frequency",
    "weekday",
    "send_time",
    "round_days",
    "reminder_days",
    "quiet_hours",
    "release_delay_hours",
    "holiday_calendar",
    "extra_holidays",
)


def _cadence_value(name: str, value: object, locale: str) -> str:
    if name == "frequency":
        return t(f"frequency.{value}", locale)
    if name == "weekday":
        return t(f"weekday.{value}", locale)
    if name == "quiet_hours" and isinstance(value, list):
        return "–".join(str(v) for v in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or t("docs.none", locale)
    return t("docs.none", locale) if value is None else str(value)


def _cadence_table(settings: Mapping[str, object], locale: str) -> str:
    return table(
        [t("docs.col.setting", locale), t("docs.col.value", locale)],
        [
            (t(f"docs.cadence.{n}", locale), _cadence_value(n, settings.get(n), locale))
            for n in CADENCE_FIELDS
        ],
    )


def routine_html(content: Mapping[str, object], locale: str) -> str:
    methods = [t(f"docs.method.{m}", locale) for m in texts(content["methods"])]
    platforms = [t(f"docs.platform.{p}", locale) for p in texts(content["platforms"])]
    parts = [
        f"<h3>{esc(t('docs.routine.methods', locale))}</h3>",
        items(methods) if methods else none_recorded(locale),
        para(t("docs.routine.platforms", locale, platforms=", ".join(platforms) or "–")),
        para(t(f"docs.size.{content['size_class']}", locale)),
        para(t("docs.routine.cycle", locale, cycle=mapping(content["cadence"])["rotation_cycle"])),
        f"<h3>{esc(t('docs.routine.question_sets', locale))}</h3>",
    ]
    sets = rows_of(content["question_sets"])
    parts.append(
        table(
            [t(f"docs.col.{c}", locale) for c in ("set", "version", "stored", "items", "factors")],
            [
                (
                    s["key"],
                    f"{s['version']} ({s['label']})",
                    s["stored"],
                    s["items"],
                    ", ".join(
                        str(mapping(f["name"]).get(locale, f["id"])) for f in rows_of(s["factors"])
                    ),
                )
                for s in sets
            ],
        )
        if sets
        else none_recorded(locale)
    )
    cadence = mapping(content["cadence"])
    parts.append(f"<h3>{esc(t('docs.routine.cadence', locale))}</h3>")
    parts.append(_cadence_table(mapping(cadence["organisation"]), locale))
    for unit in rows_of(cadence["units"]):
        parts.append(para(t("docs.routine.unit_cadence", locale, unit=unit["unit"])))
        parts.append(_cadence_table(mapping(unit["settings"]), locale))
    thresholds = mapping(content["thresholds"])
    floors = mapping(thresholds["floors"])
    parts.append(f"<h3>{esc(t('docs.routine.thresholds', locale))}</h3>")
    parts.append(
        table(
            [t(f"docs.col.{c}", locale) for c in ("setting", "value", "floor")],
            [
                (t(f"docs.threshold.{name}", locale), value, floors.get(name, ""))
                for name, value in mapping(thresholds["current"]).items()
            ],
        )
    )
    parts.append(f"<h3>{esc(t('docs.routine.roles', locale))}</h3>")
    roles = rows_of(content["roles"])
    parts.append(
        table(
            [t(f"docs.col.{c}", locale) for c in ("role", "scope", "holders")],
            [
                (owner(r["role"], locale), r["unit"] or t("docs.whole_org", locale), r["holders"])
                for r in roles
            ],
        )
        if roles
        else none_recorded(locale)
    )
    return "".join(parts)


def wheel_html(content: Mapping[str, object], locale: str) -> str:
    entries = rows_of(content["entries"])
    parts = []
    if entries:
        parts.append(
            table(
                [
                    t(f"docs.col.{c}", locale)
                    for c in ("date", "activity", "unit", "owner", "status")
                ],
                [
                    (
                        e["start"] if e["start"] == e["end"] else f"{e['start']} – {e['end']}",
                        t(f"wheel.kind.{e['kind']}", locale)
                        + (f": {e['title']}" if e["title"] else ""),
                        e["unit"] or "",
                        owner(e["owner"], locale),
                        t(f"wheel.status.{e['status']}", locale),
                    )
                    for e in entries
                ],
                "wheel",
            )
        )
    else:
        parts.append(none_recorded(locale))
    gaps = rows_of(content["gaps"])
    parts.append(f"<h3>{esc(t('docs.wheel.gaps', locale))}</h3>")
    parts.append(
        items(t(str(g["key"]), locale, **mapping(g["params"])) for g in gaps)
        if gaps
        else para(t("docs.wheel.no_gaps", locale))
    )
    return "".join(parts)


def trail_html(content: object, locale: str) -> str:
    entries = rows_of(content)
    if not entries:
        return none_recorded(locale)
    return table(
        [t(f"docs.col.{c}", locale) for c in ("when", "who", "action", "what")],
        [(e["at"], e["actor"], e["action"], compact(e["detail"])) for e in entries],
        "trail",
    )
