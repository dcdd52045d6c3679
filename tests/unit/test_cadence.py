"""Cadence: holidays, periods, labels, validation and inheritance (times: test_cadence_times)."""

from __future__ import annotations

import json
from datetime import date, time

import pytest

from core.cadence import (
    Cadence,
    cadence_source,
    easter_sunday,
    norwegian_holidays,
    period_label,
    period_starts,
    resolve_cadence,
)
from core.errors import TempcheckError

EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- Norwegian holidays ------------------------------------------------------------------


def test_easter_by_the_anonymous_gregorian_algorithm() -> None:
    known = {2019: "04-21", 2024: "03-31", 2025: "04-20", 2026: "04-05", 2027: "03-28"}
    for year, easter in known.items():
        assert easter_sunday(year) == d(f"{year}-{easter}")
    assert easter_sunday(2038) == d("2038-04-25")  # the latest possible date
    assert easter_sunday(2285) == d("2285-03-22")  # the earliest possible date


@pytest.mark.parametrize(
    ("year", "days"),
    [
        (
            2025,
            "01-01 04-17 04-18 04-20 04-21 05-01 05-17 05-29 06-08 06-09 12-25 12-26",
        ),
        (
            2026,
            "01-01 04-02 04-03 04-05 04-06 05-01 05-17 05-14 05-24 05-25 12-25 12-26",
        ),
        # 2027: 17. mai is also 2. pinsedag, so there are eleven dates.
        (2027, "01-01 03-25 03-26 03-28 03-29 05-01 05-06 05-16 05-17 12-25 12-26"),
    ],
)
def test_norwegian_public_holidays(year: int, days: str) -> None:
    assert norwegian_holidays(year) == {d(f"{year}-{md}") for md in days.split()}


def test_holiday_calendar_can_be_off_and_extra_days_added() -> None:
    assert Cadence().is_holiday(d("2026-05-14"))  # Kristi himmelfartsdag
    assert not Cadence(holiday_calendar=None).is_holiday(d("2026-05-14"))
    extra = Cadence(extra_holidays=(d("2026-12-24"), d("2026-12-24"), d("2026-12-23")))
    assert extra.extra_holidays == (d("2026-12-23"), d("2026-12-24"))
    assert extra.is_day_off(d("2026-12-24")) and not Cadence().is_day_off(d("2026-12-24"))


# --- periods -----------------------------------------------------------------------------


def test_weekly_rounds_skip_easter_monday_without_leaving_the_week() -> None:
    starts = period_starts(Cadence(), d("2026-03-23"), 4)
    assert starts == [d("2026-03-23"), d("2026-03-30"), d("2026-04-07"), d("2026-04-13")]


def test_seventeenth_of_may_on_a_weekday_moves_the_open_day() -> None:
    # 2027: Monday 17 May (also 2. pinsedag); 2028: Wednesday 17 May.
    assert period_starts(Cadence(), d("2027-05-17"), 1) == [d("2027-05-18")]
    wednesday = Cadence(weekday=2)
    assert period_starts(wednesday, d("2028-05-15"), 2) == [d("2028-05-18"), d("2028-05-24")]


def test_a_period_without_a_working_day_has_no_round() -> None:
    # Only Thursdays are worked: skjærtorsdag and Kristi himmelfartsdag leave no day open.
    thursdays = Cadence(weekday=3, working_days=(3,), round_days=5, reminder_days=())
    assert period_starts(thursdays, d("2026-03-26"), 3) == [
        d("2026-03-26"),
        d("2026-04-09"),
        d("2026-04-16"),
    ]
    assert d("2026-05-14") not in period_starts(thursdays, d("2026-05-01"), 4)


def test_from_day_inside_a_period_starts_with_the_next_open_day() -> None:
    assert period_starts(Cadence(), d("2026-11-24"), 2) == [d("2026-11-30"), d("2026-12-07")]
    assert period_starts(Cadence(), d("2026-04-07"), 1) == [d("2026-04-07")]  # moved open
    assert period_starts(Cadence(), d("2026-04-07"), 0) == []


def test_biweekly_follows_even_iso_weeks_across_a_53_week_year() -> None:
    biweekly = Cadence(frequency="biweekly")
    starts = period_starts(biweekly, d("2026-01-01"), 3)
    assert starts == [d("2026-01-05"), d("2026-01-19"), d("2026-02-02")]
    assert all(s.isocalendar().week % 2 == 0 for s in starts)
    # 2026 has 53 ISO weeks: week 52 is followed by 2027-W02 (one three-week period).
    late = period_starts(biweekly, d("2026-12-01"), 3)
    assert late == [d("2026-12-07"), d("2026-12-21"), d("2027-01-11")]
    assert [period_label(s, biweekly) for s in late] == ["2026-W50", "2026-W52", "2027-W02"]


def test_monthly_first_weekday_of_the_month_across_year_and_february() -> None:
    monthly = Cadence(frequency="monthly")
    starts = period_starts(monthly, d("2026-01-01"), 3)
    assert starts == [d("2026-01-05"), d("2026-02-02"), d("2026-03-02")]
    december = period_starts(monthly, d("2026-12-01"), 2)
    assert december == [d("2026-12-07"), d("2027-01-04")]
    # The first Friday of January 2027 is nyttårsdag: the round opens the next working day.
    fridays = Cadence(frequency="monthly", weekday=4)
    assert period_starts(fridays, d("2026-12-01"), 3) == [
        d("2026-12-04"),
        d("2027-01-04"),
        d("2027-02-05"),
    ]
    assert [period_label(s, fridays) for s in (d("2027-01-04"), d("2027-02-05"))] == [
        "2027-01",
        "2027-02",
    ]


def test_period_labels_are_unique_even_when_the_open_day_moves_into_another_week() -> None:
    assert period_label(d("2026-11-23"), Cadence()) == "2026-W48"
    assert period_label(d("2026-11-23"), Cadence(frequency="monthly")) == "2026-11"
    # Weekly from Friday: langfredag 3 April 2026 → the round opens Tuesday 7 April (ISO week
    # 15), but the period started in week 14; the next period (Friday 10 April) is week 15.
    fridays = Cadence(weekday=4)
    starts = period_starts(fridays, d("2026-03-27"), 3)
    assert starts == [d("2026-03-27"), d("2026-04-07"), d("2026-04-10")]
    assert [period_label(s, fridays) for s in starts] == ["2026-W13", "2026-W14", "2026-W15"]


def test_labels_never_repeat_over_years() -> None:
    for cadence in (Cadence(), Cadence(frequency="biweekly"), Cadence(frequency="monthly")):
        starts = period_starts(cadence, d("2025-01-01"), 120)
        labels = [period_label(s, cadence) for s in starts]
        assert len(set(labels)) == len(labels)
        assert starts == sorted(starts)


# --- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "key", "en", "nb"),
    [
        (lambda: Cadence(frequency="daily"), "cadence.frequency", "'daily'", "«daily»"),  # type: ignore[arg-type]
        (lambda: Cadence(weekday=7), "cadence.weekday", "got 7", "fikk 7"),
        (lambda: Cadence(working_days=()), "cadence.working_days", "one or more", "én eller"),
        (lambda: Cadence(round_days=8), "cadence.round_days", "1–7 days", "1–7 dager"),
        (
            lambda: Cadence(frequency="biweekly", round_days=15),
            "cadence.round_days",
            "1–14 days",
            "1–14 dager",
        ),
        (
            lambda: Cadence(frequency="monthly", round_days=29),
            "cadence.round_days",
            "never be longer than its period",
            "aldri vare lenger enn perioden",
        ),
        (lambda: Cadence(round_days=0), "cadence.round_days", "got 0", "fikk 0"),
        (lambda: Cadence(reminder_days=(2, 5)), "cadence.reminders", "from 1 to 4", "fra 1 til 4"),
        (lambda: Cadence(reminder_days=(2, 2)), "cadence.reminders", "each once", "bare én gang"),
        (
            lambda: Cadence(round_days=1),  # the default reminders fall after close
            "cadence.reminders",
            "before the round closes",
            "før runden lukkes",
        ),
        (
            lambda: Cadence(quiet_hours=(time(20), time(20))),
            "cadence.quiet_hours",
            "20:00",
            "20:00",
        ),
        (lambda: Cadence(release_delay_hours=-1), "cadence.release_delay", "0–168", "0–168"),
        (lambda: Cadence(holiday_calendar="SE"), "cadence.holiday_calendar", "'SE'", "«SE»"),
        (
            lambda: Cadence.from_dict({"colour": "red"}),
            "cadence.unknown_setting",
            "colour",
            "colour",
        ),
        (lambda: Cadence.from_dict({"send_time": "25:00"}), "cadence.time", "HH:MM", "TT:MM"),
        (
            lambda: Cadence.from_dict({"round_days": "5"}),
            "cadence.invalid_value",
            "'round_days'",
            "«round_days»",
        ),
        (
            lambda: Cadence.from_dict({"extra_holidays": ["2026-13-01"]}),
            "cadence.date",
            "YYYY-MM-DD",
            "ÅÅÅÅ-MM-DD",
        ),
    ],
)
def test_invalid_cadences_are_rejected_in_both_languages(
    make: object, key: str, en: str, nb: str
) -> None:
    with pytest.raises(TempcheckError) as caught:
        make()  # type: ignore[operator]
    assert caught.value.key == key
    assert en in caught.value.render("en")
    assert nb in caught.value.render("nb")


def test_the_longest_rounds_are_allowed() -> None:
    assert Cadence(round_days=7, reminder_days=(6,)).round_days == 7
    assert Cadence(frequency="biweekly", round_days=14).round_days == 14
    assert Cadence(frequency="monthly", round_days=28).round_days == 28
    assert Cadence(reminder_days=(), quiet_hours=None).quiet_hours is None


def test_settings_round_trip_through_json() -> None:
    cadence = Cadence(
        frequency="monthly",
        weekday=2,
        send_time=time(8, 30),
        working_days=(0, 1, 2, 3),
        quiet_hours=None,
        round_days=10,
        reminder_days=(3, 7),
        release_delay_hours=48,
        extra_holidays=(d("2026-12-24"),),
    )
    stored = json.loads(json.dumps(cadence.to_dict()))
    assert Cadence.from_dict(stored) == cadence
    assert Cadence.from_dict({}) == Cadence()
    assert Cadence.from_dict({"round_days": 3, "reminder_days": [1]}).round_days == 3
    assert Cadence().with_changes({"send_time": "10:15"}).send_time == time(10, 15)


# --- inheritance -------------------------------------------------------------------------


def test_cadence_is_inherited_down_the_tree_and_overridable() -> None:
    # 1 ─ 2 ─ 3 ─ 5, and 1 ─ 4
    parents: dict[int, int | None] = {1: None, 2: 1, 3: 2, 4: 1, 5: 3}
    monthly, biweekly = Cadence(frequency="monthly"), Cadence(frequency="biweekly")
    own = {2: monthly}
    assert resolve_cadence(1, own, parents) == Cadence()
    assert resolve_cadence(2, own, parents) is monthly
    assert resolve_cadence(5, own, parents) is monthly
    assert resolve_cadence(4, own, parents) == Cadence()
    assert cadence_source(5, own, parents) == 2 and cadence_source(4, own, parents) is None
    own = {2: monthly, 3: biweekly, 1: Cadence(weekday=2)}
    assert resolve_cadence(5, own, parents) is biweekly
    assert resolve_cadence(2, own, parents) is monthly
    assert resolve_cadence(4, own, parents).weekday == 2
    assert resolve_cadence(99, own, parents) == Cadence()  # unknown unit: the default
