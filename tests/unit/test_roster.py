"""Roster CSV parsing: every problem named with its line; valid files parse completely."""

from __future__ import annotations

import pytest

from core.errors import InputFileError
from core.organisation import Role
from core.roster import parse_roster

HEADER = (
    "email,name,unit,leader_of,roles,verneombud_for,locale,timezone,slack_user_id,teams_aad_id\n"
)
GOOD = HEADER + (
    "Kari@Acme.no,Kari Nordmann,Acme,Acme,hr_admin;amu,,nb,Europe/Oslo,U01ABCDEF,\n"
    "ola@acme.no,Ola Hansen,Acme/Ops,,,Acme/Ops,en,,,"
    "0f8fad5b-d9cb-469f-a165-70867728950e\n"
    "\n"
    "per@acme.no,Per Berg,Acme/Ops/Warehouse,Acme/Ops/Warehouse,,,,,,\n"
)


def problems(text: str) -> list[tuple[int, str]]:
    with pytest.raises(InputFileError) as caught:
        parse_roster(text, "org.csv")
    return [(p.line, p.key) for p in caught.value.problems]


def test_good_file_parses_every_column() -> None:
    roster = parse_roster(GOOD, "org.csv", default_locale="nb", default_timezone="Europe/Oslo")
    kari, ola, per = roster.rows
    assert (kari.line, kari.email, kari.roles, kari.leader_of) == (
        2,
        "kari@acme.no",
        (Role.HR_ADMIN, Role.AMU),
        ("Acme",),
    )
    assert (ola.locale, ola.timezone, ola.verneombud_for) == ("en", "Europe/Oslo", ("Acme/Ops",))
    assert ola.teams_aad_id == "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert per.line == 5  # the blank line is skipped but still counted
    assert roster.unit_paths() == ("Acme", "Acme/Ops", "Acme/Ops/Warehouse")


def test_minimal_columns_any_order_and_bom() -> None:
    roster = parse_roster("\ufeffUnit,Name,Email\nAcme/X,A B,a@b.no\n", "f.csv", "en", "UTC")
    (row,) = roster.rows
    assert (row.unit, row.locale, row.timezone) == ("Acme/X", "en", "UTC")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("a@b.no,A,Acme,,,,,Europe/Osl,,\n", [(2, "roster.unknown_timezone")]),
        ("a@b.no,A,,,,,,,,\n", [(2, "roster.empty_unit_path")]),
        ("a@b.no,A,Acme//Ops,,,,,,,\n", [(2, "roster.empty_path_segment")]),
        ("a@b.no,A,Acme/Ops/Acme,,,,,,,\n", [(2, "roster.path_cycle")]),
        ("not-an-email,A,Acme,,,,,,,\n", [(2, "roster.invalid_email")]),
        (",A,Acme,,,,,,,\n", [(2, "roster.missing_value")]),
        ("a@b.no,,Acme,,,,,,,\n", [(2, "roster.missing_value")]),
        ("a@b.no,A,Acme,,boss,,,,,\n", [(2, "roster.unknown_role")]),
        ("a@b.no,A,Acme,,leader,,,,,\n", [(2, "roster.scoped_role_in_roles")]),
        ("a@b.no,A,Acme,,,,de,,,\n", [(2, "roster.unknown_locale")]),
        ("a@b.no,A,Acme,,,,,,12345,\n", [(2, "roster.invalid_slack_id")]),
        ("a@b.no,A,Acme,,,,,,,not-a-guid\n", [(2, "roster.invalid_teams_id")]),
        ("a@b.no,A,Acme,Acme/Nowhere,,,,,,\n", [(2, "roster.unknown_unit")]),
        ("a@b.no,A,Acme,,,,,,,,extra\n", [(2, "roster.too_many_cells")]),
        (
            "a@b.no,A,Acme,,,,,,,\nb@b.no,B,Acme/x,,,,,,,\nA@B.no,C,Acme,,,,,,,\n",
            [(4, "roster.duplicate_value")],
        ),
        ("a@b.no,A,Acme,,,,,,,\nb@b.no,B,Other/Ops,,,,,,,\n", [(3, "roster.other_root")]),
        ("a@b.no,A,Acme/Ops,,,,,,,\nb@b.no,B,Acme/ops,,,,,,,\n", [(3, "roster.case_conflict")]),
        ("a@b.no,A,Acme,,,,,,U1AAA,\nb@b.no,B,Acme,,,,,,U1AAA,\n", [(3, "roster.duplicate_value")]),
    ],
)
def test_each_problem_names_its_line(body: str, expected: list[tuple[int, str]]) -> None:
    assert problems(HEADER + body) == expected


def test_header_problems() -> None:
    assert problems("") == [(1, "roster.empty_file")]
    assert problems("email,name,unit\n") == [(1, "roster.no_rows")]
    assert problems("email,nmae,unit\na@b.no,A,Acme\n") == [
        (1, "roster.missing_columns"),
        (1, "roster.unknown_column"),
    ]


def test_all_problems_are_reported_at_once() -> None:
    body = "a@b.no,A,Acme,,,,,Mars/Base,,\nbad,B,Acme,,,,,,,\nc@b.no,C,,,,,,,,\n"
    assert problems(HEADER + body) == [
        (2, "roster.unknown_timezone"),
        (3, "roster.invalid_email"),
        (4, "roster.empty_unit_path"),
    ]


def test_messages_are_translated_and_name_the_problem() -> None:
    with pytest.raises(InputFileError) as caught:
        parse_roster(HEADER + "a@b.no,A,Acme,,,,,Europe/Osl,,\n", "org.csv")
    en = caught.value.render("en")
    nb = caught.value.render("nb")
    assert "org.csv:2: unknown time zone 'Europe/Osl'" in en
    assert "org.csv:2: ukjent tidssone «Europe/Osl»" in nb
    assert "nothing was written" in en and "ingenting ble lagret" in nb
