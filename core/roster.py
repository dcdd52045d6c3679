"""Parse and validate an organisation roster CSV. Pure: text in, rows or problems out.

Columns (header names, any order, case-insensitive):
  required  email, name, unit            unit is a path such as ``Acme/Operations/Warehouse``
  optional  leader_of                    unit paths this person leads, separated by ``;``
            roles                        hr_admin; hovedverneombud; amu; adviser
            verneombud_for               unit paths of this verneombud's area, ``;``-separated
            access_until                 last day (YYYY-MM-DD) of the row's organisation-wide
                                         roles; required for ``adviser`` (BHT: time-limited)
            locale                       nb or en (default: the setting)
            timezone                     IANA name such as Europe/Oslo (default: the setting)
            slack_user_id, teams_aad_id  platform ids, optional
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from core.errors import InputFileError, Problem
from core.i18n import normalise_locale
from core.organisation import Role, ancestors, join_path, split_path

REQUIRED_COLUMNS = ("email", "name", "unit")
OPTIONAL_COLUMNS = (
    "leader_of",
    "roles",
    "verneombud_for",
    "access_until",
    "locale",
    "timezone",
    "slack_user_id",
    "teams_aad_id",
)
#: Roles given in the ``roles`` column; leader and verneombud come with their own scope columns.
ORG_WIDE_ROLES = (Role.HR_ADMIN, Role.HOVEDVERNEOMBUD, Role.AMU, Role.ADVISER)
LIST_SEPARATOR = ";"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_AAD_ID = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)


@dataclass(frozen=True)
class RosterRow:
    line: int
    email: str
    name: str
    unit: str
    leader_of: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    verneombud_for: tuple[str, ...] = ()
    locale: str = "nb"
    timezone: str = "Europe/Oslo"
    slack_user_id: str | None = None
    teams_aad_id: str | None = None
    access_until: date | None = None  # the roles' last day, in the member's timezone

    def roles_expire_at(self) -> datetime | None:
        """The instant the row's organisation-wide roles end: the start of the day after
        ``access_until`` in the member's timezone."""
        if self.access_until is None:
            return None
        next_day = self.access_until + timedelta(days=1)
        return datetime.combine(next_day, time(0), ZoneInfo(self.timezone)).astimezone(UTC)


@dataclass(frozen=True)
class Roster:
    rows: tuple[RosterRow, ...]

    def unit_paths(self) -> tuple[str, ...]:
        """Every unit the roster implies, parents before children."""
        paths: set[str] = set()
        for row in self.rows:
            paths.update(ancestors(row.unit))
        return tuple(sorted(paths, key=lambda p: (p.count("/"), p)))


class _LineChecker:
    """Collects problems for one file; one place decides how a problem is recorded."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[Problem] = []

    def add(self, line: int, key: str, **params: object) -> None:
        self.problems.append(Problem(self.filename, line, key, params))


def _clean_path(raw: str, line: int, column: str, check: _LineChecker) -> str | None:
    text = raw.strip()
    if not text:
        check.add(line, "roster.empty_unit_path", column=column)
        return None
    parts = split_path(text)
    if any(not part for part in parts):
        check.add(line, "roster.empty_path_segment", column=column, path=text)
        return None
    lowered = [p.casefold() for p in parts]
    for i, part in enumerate(lowered):
        if part in lowered[:i]:
            # With paths as identities a loop can only be spelled by a unit containing itself.
            check.add(line, "roster.path_cycle", column=column, path=text, unit=parts[i])
            return None
    return join_path(parts)


def _split_list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(LIST_SEPARATOR) if part.strip()]


def _timezone(raw: str, default: str, line: int, check: _LineChecker) -> str:
    name = raw.strip() or default
    if name not in _zone_names():
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            check.add(line, "roster.unknown_timezone", timezone=name)
    return name


_ZONES: frozenset[str] | None = None


def _zone_names() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def _header(fieldnames: Sequence[str] | None, check: _LineChecker) -> Mapping[str, str] | None:
    """Map canonical column name → header as written; None when the header is unusable."""
    if not fieldnames:
        check.add(1, "roster.empty_file")
        return None
    columns: dict[str, str] = {}
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    for raw in fieldnames:
        name = (raw or "").strip().lower()
        if name not in known:
            check.add(1, "roster.unknown_column", column=raw, known=", ".join(sorted(known)))
        elif name in columns:
            check.add(1, "roster.duplicate_column", column=name)
        else:
            columns[name] = raw
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        check.add(1, "roster.missing_columns", columns=", ".join(missing))
        return None  # rows would only repeat the header's problem
    return columns


def _parse_row(
    record: Mapping[str, str | None],
    line: int,
    columns: Mapping[str, str],
    defaults: tuple[str, str],
    check: _LineChecker,
) -> RosterRow | None:
    def cell(name: str) -> str:
        header = columns.get(name)
        value = record.get(header) if header is not None else None
        return (value or "").strip()

    before = len(check.problems)
    email = cell("email").lower()
    if not email:
        check.add(line, "roster.missing_value", column="email")
    elif not _EMAIL.match(email):
        check.add(line, "roster.invalid_email", email=email)
    name = cell("name")
    if not name:
        check.add(line, "roster.missing_value", column="name")
    unit = _clean_path(cell("unit"), line, "unit", check)
    leader_of = tuple(
        p
        for raw in _split_list(cell("leader_of"))
        if (p := _clean_path(raw, line, "leader_of", check))
    )
    verneombud_for = tuple(
        p
        for raw in _split_list(cell("verneombud_for"))
        if (p := _clean_path(raw, line, "verneombud_for", check))
    )
    roles: list[Role] = []
    for raw in _split_list(cell("roles")):
        value = raw.lower()
        if value in (Role.LEADER, Role.VERNEOMBUD):
            column = "leader_of" if value == Role.LEADER else "verneombud_for"
            check.add(line, "roster.scoped_role_in_roles", role=value, column=column)
        elif value not in {r.value for r in ORG_WIDE_ROLES}:
            check.add(
                line,
                "roster.unknown_role",
                role=raw,
                known=", ".join(r.value for r in ORG_WIDE_ROLES),
            )
        else:
            roles.append(Role(value))
    until_raw = cell("access_until")
    access_until: date | None = None
    if until_raw:
        try:
            access_until = date.fromisoformat(until_raw)
        except ValueError:
            check.add(line, "roster.invalid_date", column="access_until", value=until_raw)
    if Role.ADVISER in roles and access_until is None and not until_raw:
        check.add(line, "roster.adviser_needs_until")
    locale_raw = cell("locale")
    locale = normalise_locale(locale_raw) if locale_raw else defaults[0]
    if locale is None:
        check.add(line, "roster.unknown_locale", locale=locale_raw)
    timezone = _timezone(cell("timezone"), defaults[1], line, check)
    slack_id = cell("slack_user_id") or None
    if slack_id is not None and not _SLACK_ID.match(slack_id):
        check.add(line, "roster.invalid_slack_id", value=slack_id)
    teams_id = cell("teams_aad_id").lower() or None
    if teams_id is not None and not _AAD_ID.match(teams_id):
        check.add(line, "roster.invalid_teams_id", value=teams_id)
    if len(check.problems) > before or unit is None or locale is None:
        return None
    return RosterRow(
        line=line,
        email=email,
        name=name,
        unit=unit,
        leader_of=leader_of,
        roles=tuple(dict.fromkeys(roles)),
        verneombud_for=verneombud_for,
        locale=locale,
        timezone=timezone,
        slack_user_id=slack_id,
        teams_aad_id=teams_id,
        access_until=access_until,
    )


def _cross_checks(rows: Sequence[RosterRow], check: _LineChecker) -> None:
    first_line: dict[tuple[str, str], int] = {}
    for row in rows:
        for column, value in (
            ("email", row.email),
            ("slack_user_id", row.slack_user_id),
            ("teams_aad_id", row.teams_aad_id),
        ):
            if value is None:
                continue
            seen = first_line.setdefault((column, value), row.line)
            if seen != row.line:
                check.add(
                    row.line, "roster.duplicate_value", column=column, value=value, other=seen
                )
    if not rows:
        return
    root = split_path(rows[0].unit)[0]
    spelled: dict[str, str] = {}
    for row in rows:
        if split_path(row.unit)[0] != root:
            check.add(row.line, "roster.other_root", path=row.unit, root=root)
        for path in ancestors(row.unit):
            first = spelled.setdefault(path.casefold(), path)
            if first != path:
                check.add(row.line, "roster.case_conflict", path=path, other=first)
    known_units = {p for row in rows for p in ancestors(row.unit)}
    for row in rows:
        for column, paths in (("leader_of", row.leader_of), ("verneombud_for", row.verneombud_for)):
            for path in paths:
                if path not in known_units:
                    check.add(row.line, "roster.unknown_unit", column=column, path=path)


def parse_roster(
    text: str, filename: str, default_locale: str = "nb", default_timezone: str = "Europe/Oslo"
) -> Roster:
    """Parse the whole file; raise InputFileError listing every problem, or return the roster."""
    check = _LineChecker(filename)
    if text.startswith("\ufeff"):  # Excel writes a byte-order mark
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text, newline=""), skipinitialspace=False)
    rows: list[RosterRow] = []
    try:
        columns = _header(reader.fieldnames, check)
        if columns is not None:
            for record in reader:
                line = reader.line_num
                if None in record:  # more cells than headers
                    check.add(line, "roster.too_many_cells")
                    continue
                if all(not (v or "").strip() for v in record.values()):
                    continue  # blank line
                row = _parse_row(record, line, columns, (default_locale, default_timezone), check)
                if row is not None:
                    rows.append(row)
    except csv.Error as exc:
        check.add(reader.line_num, "roster.csv_syntax", detail=str(exc))
    if not check.problems and not rows:
        check.add(1, "roster.no_rows")
    _cross_checks(rows, check)
    if check.problems:
        raise InputFileError(check.problems)
    return Roster(tuple(rows))
