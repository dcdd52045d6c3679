"""The wheel as an iCalendar file (RFC 5545) and as CSV.

ICS: one all-day VEVENT per entry (a pulse spans its round window), a UID that is the same
in every export (an importing calendar updates instead of doubling), DTSTAMP the export
time, TEXT values escaped, lines folded at 75 octets without splitting a UTF-8 character,
CRLF line ends.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from core.i18n import t
from core.wheel.model import ROLE_OWNERS, Wheel, WheelEntry

PRODID = "-//tempcheck//annual wheel//EN"
FOLD_OCTETS = 75
CSV_COLUMNS = (
    "uid",
    "kind",
    "kind_label",
    "start",
    "end",
    "title",
    "owner",
    "owner_label",
    "unit",
    "source",
    "status",
)


def owner_label(owner: str, locale: str) -> str:
    return t(f"role.{owner}", locale) if owner in ROLE_OWNERS else owner


def summary(entry: WheelEntry, locale: str) -> str:
    text = t(f"wheel.kind.{entry.kind.value}", locale)
    if entry.title:
        text = f"{text}: {entry.title}"
    if entry.unit:
        text = f"{text} ({entry.unit})"
    return text


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """RFC 5545 3.1: at most 75 octets a line; a continuation line starts with one space."""
    lines: list[bytes] = []
    current = b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > FOLD_OCTETS:
            lines.append(current)
            current = b" "
        current += encoded
    lines.append(current)
    return "\r\n".join(part.decode("utf-8") for part in lines)


def _stamp(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _event(entry: WheelEntry, locale: str, stamp: str) -> list[str]:
    description = t(
        "wheel.ics.description",
        locale,
        owner=owner_label(entry.owner, locale),
        source=t(f"wheel.source.{entry.source.value}", locale),
        status=t(f"wheel.status.{entry.status.value}", locale),
    )
    return [
        "BEGIN:VEVENT",
        f"UID:{entry.uid}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{entry.start:%Y%m%d}",
        f"DTEND;VALUE=DATE:{entry.end + timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{escape_text(summary(entry, locale))}",
        f"DESCRIPTION:{escape_text(description)}",
        f"CATEGORIES:{escape_text(t(f'wheel.kind.{entry.kind.value}', locale))}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def wheel_ics(wheel: Wheel, locale: str, generated_at: datetime) -> str:
    stamp = _stamp(generated_at)
    name = t("wheel.ics.name", locale, tenant=wheel.tenant, start=wheel.start, end=wheel.end)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for entry in wheel.entries:
        lines += _event(entry, locale, stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def _cell(value: str) -> str:
    # A spreadsheet runs a cell that starts like a formula; free text must not.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def csv_rows(wheel: Wheel, locale: str) -> Iterable[list[str]]:
    yield list(CSV_COLUMNS)
    for e in wheel.entries:
        yield [
            e.uid,
            e.kind.value,
            t(f"wheel.kind.{e.kind.value}", locale),
            e.start.isoformat(),
            e.end.isoformat(),
            _cell(e.title),
            _cell(e.owner),
            _cell(owner_label(e.owner, locale)),
            e.unit or "",
            e.source.value,
            e.status.value,
        ]


def wheel_csv(wheel: Wheel, locale: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in csv_rows(wheel, locale):
        writer.writerow(row)
    return out.getvalue()
