"""Exports of released rounds: exactly the released cells, nothing computed (rules 1, 7, 8, 14).

An export is a projection of frozen releases, read through the audit-logged read
(``round_service.read_release``) and then logged once more as an export (who, which rounds,
format, audience, file, digest). It carries display strings and bands only, exactly as the
release holds them (T28: identical cells, no exact n) and nothing about any person (T17).

Two audiences (rule 14; rules 9 and 10 decide what differs):

* ``org`` (HR, hovedverneombud, AMU): every cell, published and withheld, sensitive ones
  included; participation bands; org-level segments; verbatim comments written to the leader
  or to HR/verneombud; counts of "themes only" comments; the stored release hash.
* ``leader`` (line managers): no sensitive cell at all (rule 10), no segments (org roles
  only), only comments written to the leader; no release hash (with the rest of the release
  known, the hash of the full release would let a reader test guesses of what was left out).

This module formats (rows with translated headers, CSV text, JSON text); writing files, and
spreadsheets, is the adapter's job.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final, TypeVar

from core.anonymity.record import CellRelease, Release, SegmentRelease
from core.anonymity.view import LEADER_AUDIENCES, SAFETY_AUDIENCES, comments_for
from core.clock import Clock
from core.errors import NotFound, TempcheckError
from core.i18n import t
from core.ports import UnitOfWorkFactory
from core.question_sets import require_tenant
from core.round_service import read_release
from core.rounds import Round, RoundStatus

EXPORT_FORMAT: Final = "tempcheck.export/1"
READ_PURPOSE: Final = "export"

E = TypeVar("E", bound=StrEnum)


class Audience(StrEnum):
    ORG = "org"
    LEADER = "leader"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


@dataclass(frozen=True)
class Selection:
    """One round, or every released round whose period label lies in ``start..end``."""

    round_id: int | None = None
    start: str | None = None
    end: str | None = None


def parse_period_range(text: str) -> tuple[str, str]:
    """``2026-W01..2026-W12`` → (start, end). Period labels compare as text (ISO weeks,
    ``2026-11`` months and ``2026-W48`` weeks all sort in time order)."""
    start, sep, end = (part.strip() for part in text.partition(".."))
    if not sep or not start or not end or ".." in end or start > end:
        raise TempcheckError("report.bad_period", value=text)
    return start, end


def parse_choice(kind: type[E], value: str, key: str) -> E:
    try:
        return kind(value.strip().lower())
    except ValueError:
        raise TempcheckError(key, value=value, choices=", ".join(k.value for k in kind)) from None


@dataclass(frozen=True)
class ExportedRound:
    round_id: int
    period: str
    unit: str  # path of the round's unit
    release_hash: str | None  # the stored release's hash; org audience only
    release: Release  # already projected for the audience


@dataclass(frozen=True)
class ExportDocument:
    tenant: str
    audience: Audience
    rounds: tuple[ExportedRound, ...]
    unit_paths: Mapping[str, str]  # unit id as in the releases -> path
    not_released: tuple[int, ...] = ()  # rounds of the period left out: not released yet


def project(release: Release, audience: Audience) -> Release:
    """What an audience's export carries of a release; only ever removes."""
    if audience is Audience.ORG:
        return replace(release, comments=comments_for(release, SAFETY_AUDIENCES))
    return replace(
        release,
        cells=tuple(c for c in release.cells if not c.sensitive),
        comments=comments_for(release, LEADER_AUDIENCES),
        segments=(),
    )


def _select(rounds: Sequence[Round], selection: Selection, tenant: str) -> list[Round]:
    if selection.round_id is not None:
        chosen = [r for r in rounds if r.id == selection.round_id]
        if not chosen:
            raise NotFound("round.not_found", round=selection.round_id)
        if chosen[0].status is not RoundStatus.RELEASED:
            raise TempcheckError("round.not_released", round=selection.round_id)
        return chosen
    start, end = selection.start, selection.end
    if start is None or end is None:
        raise TempcheckError("report.no_selection")
    chosen = [r for r in rounds if start <= r.period <= end]
    if not chosen:
        raise TempcheckError("report.empty_period", tenant=tenant, start=start, end=end)
    if all(r.status is not RoundStatus.RELEASED for r in chosen):
        raise TempcheckError("report.none_released", count=len(chosen), start=start, end=end)
    return sorted(chosen, key=lambda r: (r.period, r.id))


async def collect_export(
    uows: UnitOfWorkFactory,
    clock: Clock,
    *,
    tenant_slug: str,
    selection: Selection,
    audience: Audience,
    viewer: str,
) -> ExportDocument:
    """The chosen rounds' releases, each read through the audit-logged read."""
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        chosen = _select(await uow.rounds.list(tenant.id), selection, tenant.slug)
        org = await uow.organisation.load(tenant.id)
    paths = {str(u.id): u.path for u in org.units}
    exported = []
    for found in chosen:
        if found.status is not RoundStatus.RELEASED:
            continue
        release = await read_release(
            uows, clock, found.id, viewer=viewer, purpose=f"{READ_PURPOSE}:{audience.value}"
        )
        exported.append(
            ExportedRound(
                round_id=found.id,
                period=found.period,
                unit=paths.get(str(found.unit_id), str(found.unit_id)),
                release_hash=release.hash if audience is Audience.ORG else None,
                release=project(release, audience),
            )
        )
    return ExportDocument(
        tenant=tenant.slug,
        audience=audience,
        rounds=tuple(exported),
        unit_paths=paths,
        not_released=tuple(r.id for r in chosen if r.status is not RoundStatus.RELEASED),
    )


async def record_export(
    uows: UnitOfWorkFactory,
    clock: Clock,
    document: ExportDocument,
    *,
    actor: str,
    fmt: ExportFormat,
    file: str,
    sha256: str,
) -> None:
    """Audit-log an export: who (actor), what (rounds, audience, format, file), when."""
    async with uows() as uow:
        tenant = await require_tenant(uow, document.tenant)
        await uow.audit.record(
            tenant.id,
            clock.now(),
            actor,
            "report.export",
            {
                "rounds": [r.round_id for r in document.rounds],
                "audience": document.audience.value,
                "format": fmt.value,
                "file": file,
                "sha256": sha256,
            },
        )
        await uow.commit()


# --- Tables -----------------------------------------------------------------------------------

_WHERE: Final = ("round", "period")
_UNIT: Final = ("unit_id", "unit")
_MEASURE: Final = (
    "metric",
    "sensitive",
    "published",
    "reason",
    "n_band",
    "score",
    "band_low",
    "band_high",
    "distribution",
    "prevalence",
)
_HIDDEN: Final = "hidden_for_home_units"

#: The parts of an export in order, and the columns of each (machine names; headers are
#: translated as ``report.col.<name>``).
PARTS: Final[Mapping[str, tuple[str, ...]]] = {
    "cell": (*_WHERE, *_UNIT, *_MEASURE, _HIDDEN),
    "participation": (*_WHERE, *_UNIT, "published", "reason", "n_band", "rate", _HIDDEN),
    "segment": (*_WHERE, "segment", *_MEASURE),
    "comment": (*_WHERE, *_UNIT, "audience", "text"),
    "theme_count": (*_WHERE, *_UNIT, "count"),
}

#: Columns of the single CSV table: the part, then every part's columns once, in this order.
CSV_COLUMNS: Final = (
    "part",
    *_WHERE,
    *_UNIT,
    "segment",
    *_MEASURE,
    "rate",
    _HIDDEN,
    "audience",
    "text",
    "count",
)

Row = Mapping[str, str | None]
LIST_SEPARATOR: Final = ";"


def parts_for(audience: Audience) -> tuple[str, ...]:
    return tuple(p for p in PARTS if not (p == "segment" and audience is Audience.LEADER))


def encode_distribution(dist: Sequence[tuple[str, str]] | None) -> str | None:
    """``(("low", "20 %"), ("mid+high", "80 %"))`` → ``low=20 %;mid+high=80 %``."""
    return None if dist is None else LIST_SEPARATOR.join(f"{b}={s}" for b, s in dist)


def decode_distribution(text: str | None) -> tuple[tuple[str, str], ...] | None:
    if not text:
        return None
    return tuple(
        (bucket, share) for bucket, _, share in (p.partition("=") for p in text.split(";"))
    )


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _measure(c: CellRelease | SegmentRelease) -> dict[str, str | None]:
    """The columns a cell and a segment share."""
    return {
        "metric": c.metric,
        "sensitive": _flag(c.sensitive),
        "published": _flag(c.published),
        "reason": c.reason,
        "n_band": c.n_band,
        "score": c.score,
        "band_low": c.band[0] if c.band else None,
        "band_high": c.band[1] if c.band else None,
        "distribution": encode_distribution(c.distribution),
        "prevalence": c.prevalence,
    }


def part_rows(document: ExportDocument, part: str) -> list[Row]:
    """The rows of one part, values exactly as the releases hold them (None: empty)."""
    rows: list[Row] = []
    paths = document.unit_paths
    for exported in document.rounds:
        base = {"round": str(exported.round_id), "period": exported.period}
        release = exported.release
        if part == "cell":
            rows.extend(
                {
                    **base,
                    "unit_id": c.unit,
                    "unit": paths.get(c.unit, c.unit),
                    **_measure(c),
                    "hidden_for_home_units": LIST_SEPARATOR.join(c.hidden_for_home_units),
                }
                for c in release.cells
            )
        elif part == "participation":
            rows.extend(
                {
                    **base,
                    "unit_id": p.unit,
                    "unit": paths.get(p.unit, p.unit),
                    "published": _flag(p.published),
                    "reason": p.reason,
                    "n_band": p.n_band,
                    "rate": p.rate,
                    "hidden_for_home_units": LIST_SEPARATOR.join(p.hidden_for_home_units),
                }
                for p in release.participation
            )
        elif part == "segment":
            rows.extend(
                {
                    **base,
                    "segment": s.segment,
                    **_measure(s),
                }
                for s in release.segments
            )
        elif part == "comment":
            rows.extend(
                {
                    **base,
                    "unit_id": c.unit,
                    "unit": paths.get(c.unit, c.unit),
                    "audience": c.audience,
                    "text": c.text,
                }
                for c in release.comments
            )
        elif part == "theme_count":
            rows.extend(
                {**base, "unit_id": c.unit, "unit": paths.get(c.unit, c.unit), "count": c.count}
                for c in release.theme_counts
            )
        else:
            raise ValueError(f"unknown export part {part!r}")
    return rows


def header(column: str, locale: str) -> str:
    return t(f"report.col.{column}", locale)


def part_title(part: str, locale: str) -> str:
    return t(f"report.part.{part}", locale)


def to_csv(document: ExportDocument, locale: str) -> str:
    """One table: a ``part`` column (machine value), then the union of every part's columns;
    translated headers, machine-readable values, RFC 4180 quoting, UTF-8 without BOM."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header(c, locale) for c in CSV_COLUMNS])
    for part in parts_for(document.audience):
        for row in part_rows(document, part):
            values = {**row, "part": part}
            writer.writerow([values.get(c) or "" for c in CSV_COLUMNS])
    return out.getvalue()


def to_json(document: ExportDocument) -> str:
    """Machine keys (English, not translated); each round's release as ``Release.to_dict``."""
    payload = {
        "format": EXPORT_FORMAT,
        "tenant": document.tenant,
        "audience": document.audience.value,
        "units": dict(sorted(document.unit_paths.items())),
        "rounds": [
            {
                "round_id": r.round_id,
                "period": r.period,
                "unit": r.unit,
                **({"release_hash": r.release_hash} if r.release_hash is not None else {}),
                "release": r.release.to_dict(),
            }
            for r in document.rounds
        ],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
