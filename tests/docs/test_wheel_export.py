"""The wheel's ICS export is valid RFC 5545 (parsed back strictly), its UIDs are stable from
one export to the next, and the CSV holds the same entries."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from core.clock import FixedClock
from core.ports import UnitOfWorkFactory
from core.wheel import (
    Source,
    Status,
    Wheel,
    WheelEntry,
    WheelKind,
    annual_wheel,
    wheel_csv,
    wheel_ics,
)
from core.wheel.export import CSV_COLUMNS, fold, summary
from tests.docs.ical import day, events, parse, unescape
from tests.docs.test_wheel import add
from tests.flow import TENANT, key_store, open_for, setup_org

AWKWARD = "AMU; årsgjennomgang, «tiltak» og \\ oppfølging\nlinje to — " + "æøå" * 30


def entry(uid: str, kind: WheelKind, start: date, title: str = "", days: int = 0) -> WheelEntry:
    return WheelEntry(
        uid=uid,
        kind=kind,
        start=start,
        end=start + timedelta(days=days),
        owner="amu",
        title=title,
        unit="Acme/Drift og vedlikehold",
        source=Source.MANUAL,
        status=Status.PLANNED,
    )


WHEEL = Wheel(
    "acme",
    date(2026, 1, 1),
    date(2026, 12, 31),
    (
        entry("a@tempcheck", WheelKind.AMU_MEETING, date(2026, 3, 3), AWKWARD),
        entry("b@tempcheck", WheelKind.PULSE, date(2026, 12, 28), "2026-W53", days=5),
        entry("c@tempcheck", WheelKind.TRAINING, date(2026, 6, 1), "=HYPERLINK(1)"),
    ),
    (),
)
AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_ics_parses_back_with_every_value_intact() -> None:
    data = wheel_ics(WHEEL, "nb", AT).encode("utf-8")
    cal = parse(data)
    found = events(cal)
    assert set(found) == {"a@tempcheck", "b@tempcheck", "c@tempcheck"}
    amu = found["a@tempcheck"]
    assert unescape(amu.value("SUMMARY")) == summary(WHEEL.entries[0], "nb")
    assert AWKWARD in unescape(amu.value("SUMMARY"))
    assert (day(amu.value("DTSTART")), day(amu.value("DTEND"))) == (
        date(2026, 3, 3),
        date(2026, 3, 4),
    )
    assert amu.value("DTSTAMP") == "20261123T080000Z"
    assert "arbeidsmiljøutvalg" in unescape(amu.value("DESCRIPTION"))
    pulse = found["b@tempcheck"]  # DTEND is exclusive: the day after the last day
    assert (day(pulse.value("DTSTART")), day(pulse.value("DTEND"))) == (
        date(2026, 12, 28),
        date(2027, 1, 3),
    )
    assert data.count(b"\r\n ") > 0  # the long summary was folded


def test_folding_never_splits_a_character() -> None:
    line = "SUMMARY:" + "ø" * 100
    folded = fold(line)
    for part in folded.split("\r\n"):
        assert len(part.encode("utf-8")) <= 75
    assert folded.replace("\r\n ", "") == line


async def test_uids_are_stable_across_exports_and_new_entries(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    await setup_org(uows, clock, {"Acme": 4, "Acme/Ops": 6})
    await open_for(uows, key_store(tmp_path), clock, "2026-W48")
    await add(uows, clock, WheelKind.SAFETY_ROUND, date(2026, 9, 14), owner="verneombud")

    async def export() -> dict[str, str]:
        wheel = await annual_wheel(
            uows,
            clock,
            tenant_slug=TENANT,
            start=date(2026, 1, 1),
            end=date(2026, 12, 31),
            timezone="Europe/Oslo",
        )
        cal = parse(wheel_ics(wheel, "en", clock.now()).encode("utf-8"))
        return {uid: e.value("DTSTART") for uid, e in events(cal).items()}

    first = await export()
    clock.set(clock.now() + timedelta(days=3))
    await add(uows, clock, WheelKind.TRAINING, date(2026, 10, 1), owner="hr_admin")
    second = await export()
    assert len(second) == len(first) + 1
    assert {uid: second[uid] for uid in first} == first  # same UID, same event
    assert f"pulse-{TENANT}-" in next(iter(first))


def test_csv_holds_the_same_entries_and_defuses_formulas() -> None:
    rows = list(csv.reader(io.StringIO(wheel_csv(WHEEL, "en"), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    body = [dict(zip(CSV_COLUMNS, r, strict=True)) for r in rows[1:]]
    assert [r["uid"] for r in body] == [e.uid for e in WHEEL.entries]
    assert body[0]["title"] == AWKWARD  # newlines and separators survive quoting
    assert body[0]["owner_label"] == "working environment committee"
    assert (body[1]["start"], body[1]["end"]) == ("2026-12-28", "2027-01-02")  # inclusive
    assert body[2]["title"] == "'=HYPERLINK(1)"
