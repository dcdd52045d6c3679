"""tempcheck cadence … and tempcheck plan show, on a real SQLite file in a temporary
directory. The sub-apps are registered on a local app with the real root callback (the
lead wires them into bot/cli/main.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot.cli import cadence, db, org, questions, rounds
from bot.cli.main import root
from core.ports import AuditEntry
from core.questions import load_default_bank
from core.rotation import plan_round
from storage.engine import create_engine, session_factory
from storage.uow import SqlUnitOfWorkFactory

runner = CliRunner()

app = typer.Typer()
app.callback()(root)
for sub, name in [
    (db.app, "db"),
    (org.app, "org"),
    (questions.app, "questions"),
    (rounds.app, "round"),
    (cadence.app, "cadence"),
    (cadence.plan_app, "plan"),
]:
    app.add_typer(sub, name=name)

ROSTER = "email,name,unit\n" + "".join(
    f"p{i}@acme.no,Person {i},{'Acme/Ops' if i % 2 else 'Acme'}\n" for i in range(8)
)
BANK = load_default_bank()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEMPCHECK_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    monkeypatch.setenv("TEMPCHECK_TENANT", "acme")
    monkeypatch.setenv("TEMPCHECK_KEY_STORE_PATH", str(tmp_path / "keys"))
    (tmp_path / "org.csv").write_text(ROSTER, encoding="utf-8")
    for args in (["db", "upgrade"], ["org", "import", "org.csv"], ["questions", "import"]):
        assert cli(*args)[0] == 0
    return tmp_path


def cli(*args: str, locale: str = "en") -> tuple[int, str]:
    result = runner.invoke(app, ["--locale", locale, *args])
    return result.exit_code, result.output


def audit_actions(workdir: Path) -> list[tuple[str, object]]:
    async def read() -> Sequence[AuditEntry]:
        engine = create_engine(f"sqlite+aiosqlite:///{workdir / 't.db'}")
        try:
            async with SqlUnitOfWorkFactory(session_factory(engine))() as uow:
                tenant = await uow.organisation.get_tenant("acme")
                assert tenant is not None
                return await uow.audit.entries(tenant.id)
        finally:
            await engine.dispose()

    return [(e.action, e.detail.get("unit")) for e in asyncio.run(read()) if "cadence" in e.action]


def test_set_show_inherit_and_clear(workdir: Path) -> None:
    code, out = cli("cadence", "show")
    assert code == 0
    assert out.splitlines() == [
        line.replace("UNIT", unit)
        for unit in ("Acme", "Acme/Ops")
        for line in [
            "UNIT: weekly from Monday at 09:00, open 5 day(s), reminders after 2,4 day(s), "
            "quiet hours 20:00-07:00, working days Mon,Tue,Wed,Thu,Fri, holidays Norwegian, "
            "results 24 h after close [default]"
        ]
    ]
    code, out = cli(
        "cadence", "set", "--unit", "Acme", "--frequency", "biweekly", "--weekday", "wed",
        "--time", "08:30", "--reminders", "3", "--holiday", "2026-12-23",
    )  # fmt: skip
    assert code == 0, out
    assert "Acme now has its own cadence" in out
    assert "every second week from Wednesday at 08:30" in out
    assert "holidays Norwegian + 2026-12-23" in out
    code, out = cli("cadence", "show", "--unit", "Acme/Ops")
    assert code == 0 and out.count("\n") == 1
    assert "every second week" in out and out.rstrip().endswith("[inherited from Acme]")
    code, out = cli(
        "cadence", "set", "--unit", "Acme/Ops", "--frequency", "weekly", "--days", "3",
        "--reminders", "none", "--quiet", "off", "--working-days", "mon,tue,wed,thu",
    )  # fmt: skip
    assert code == 0, out
    # Merged over what Ops inherited: Wednesday, 08:30 and the extra holiday stay.
    assert "weekly from Wednesday at 08:30, open 3 day(s), reminders after none" in out
    assert "quiet hours none, working days Mon,Tue,Wed,Thu" in out and "2026-12-23" in out
    _, out = cli("cadence", "show")
    assert out.splitlines()[0].endswith("[own]") and out.splitlines()[1].endswith("[own]")
    code, out = cli("cadence", "clear", "--unit", "Acme/Ops")
    assert code == 0 and "no longer has its own cadence" in out
    assert out.rstrip().endswith("[inherited from Acme]")
    code, out = cli("cadence", "clear", "--unit", "Acme/Ops")
    assert code == 0 and "had no cadence of its own; nothing changed" in out
    assert audit_actions(workdir) == [
        ("cadence.set", "Acme"),
        ("cadence.set", "Acme/Ops"),
        ("cadence.clear", "Acme/Ops"),
    ]


@pytest.mark.parametrize(
    ("args", "en", "nb"),
    [
        (["--days", "8"], "a round stays open 1–7 days", "en runde er åpen 1–7 dager"),
        (["--reminders", "5"], "from 1 to 4", "fra 1 til 4"),
        (["--reminders", "2;4"], "'2;4' is not a list of days", "«2;4» er ikke en liste"),
        (["--time", "9"], "'9' is not a time of day", "«9» er ikke et klokkeslett"),
        (["--quiet", "20:00"], "not a quiet-hours range", "er ikke en stilletid"),
        (["--quiet", "20:00-20:00"], "cannot start and end", "kan ikke starte og slutte"),
        (["--weekday", "someday"], "'someday' is not a weekday", "«someday» er ikke en ukedag"),
        (["--frequency", "daily"], "'daily' is not one of", "«daily» er ikke en av"),
        (["--holiday", "2026-02-30"], "not a date as YYYY-MM-DD", "ikke en dato som ÅÅÅÅ-MM-DD"),
    ],
)
def test_invalid_settings_are_refused_in_both_languages(
    workdir: Path, args: list[str], en: str, nb: str
) -> None:
    code, out = cli("cadence", "set", "--unit", "Acme", *args)
    assert code == 1 and en in out
    code, out = cli("cadence", "set", "--unit", "Acme", *args, locale="nb")
    assert code == 1 and nb in out
    assert "[default]" in cli("cadence", "show", "--unit", "Acme")[1]  # nothing stored
    assert audit_actions(workdir) == []


def test_unknown_unit_is_a_clear_error(workdir: Path) -> None:
    for args in (
        ["cadence", "set", "--unit", "Acme/Nope", "--days", "3"],
        ["cadence", "clear", "--unit", "Acme/Nope"],
        ["cadence", "show", "--unit", "Acme/Nope"],
        ["plan", "show", "--unit", "Acme/Nope"],
    ):
        code, out = cli(*args)
        assert code == 1 and "no unit 'Acme/Nope'" in out


MARKS = {
    "en": {"anchor": " [anchor]", "screening": " [sensitive screening, yes/no]"},
    "nb": {"anchor": " [anker]", "screening": " [sensitivt, ja/nei]"},
}


def item_line(item_id: str, locale: str) -> str:
    item = BANK.item(item_id)
    mark = "anchor" if item.anchor else "screening" if item.sensitive else None
    suffix = MARKS[locale][mark] if mark else ""
    return f"    - {BANK.factor(item.factor).name[locale]}: {item.text[locale]}{suffix}"


def test_plan_shows_dates_and_the_rotations_items(workdir: Path) -> None:
    cli("cadence", "set", "--unit", "Acme", "--frequency", "biweekly", "--weekday", "wed")
    cli("cadence", "set", "--unit", "Acme", "--holiday", "2026-12-23")
    code, out = cli("plan", "show", "--unit", "Acme", "--weeks", "6", "--from", "2026-11-23")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith("Acme: every second week from Wednesday at 09:00")
    assert lines[0].endswith("[own]. Question set 'default' v1; times in Europe/Oslo.")
    rows = [line for line in lines if line.startswith("2026-")]
    assert rows == [
        "2026-W48: opens Wed 2026-11-25 09:00, closes Mon 2026-11-30 09:00, "
        "results from Tue 2026-12-01 09:00",
        "2026-W50: opens Wed 2026-12-09 09:00, closes Mon 2026-12-14 09:00, "
        "results from Tue 2026-12-15 09:00",
        # Wednesday 23 December is the unit's extra holiday: it opens Thursday; five days
        # on is Tuesday 29 December.
        "2026-W52: opens Thu 2026-12-24 09:00, closes Tue 2026-12-29 09:00, "
        "results from Wed 2026-12-30 09:00",
    ]
    first = lines.index(rows[0])
    assert lines[first + 1] == "  rotation 1 of 4:"
    planned = plan_round(BANK, 0).items
    assert lines[first + 2 : first + 2 + len(planned)] == [item_line(i, "en") for i in planned]
    assert any("[anchor]" in line for line in lines)
    assert "[sensitive screening, yes/no]" in out
    code, nb = cli(
        "plan", "show", "--unit", "Acme", "--weeks", "2", "--from", "2026-11-23", locale="nb"
    )
    assert code == 0 and "annenhver uke fra onsdag kl. 09:00" in nb
    assert "2026-W48: åpner ons 2026-11-25 09:00, lukkes man 2026-11-30 09:00" in nb
    assert [line for line in nb.splitlines() if line.startswith("    - ")] == [
        item_line(i, "nb") for i in planned
    ]


def test_plan_continues_the_rotation_after_existing_rounds(workdir: Path) -> None:
    code, out = cli("round", "open", "--unit", "Acme", "--period", "2026-W48")
    assert code == 0, out
    code, out = cli("plan", "show", "--unit", "Acme", "--weeks", "2", "--from", "2026-11-23")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[1] == "  Each round asks 8 people (the people in these units today)."
    assert lines[2].startswith("2026-W48: opens Mon 2026-11-23 09:00")
    assert lines[3] == "  already opened as round 1; see tempcheck round show 1"
    assert lines[4].startswith("2026-W49: opens Mon 2026-11-30 09:00")
    assert lines[5] == "  rotation 2 of 4:"
    planned = plan_round(BANK, 1).items
    assert lines[6 : 6 + len(planned)] == [item_line(i, "en") for i in planned]


def test_plan_with_no_round_in_the_window(workdir: Path) -> None:
    cli("cadence", "set", "--unit", "Acme", "--frequency", "monthly")
    code, out = cli("plan", "show", "--unit", "Acme", "--weeks", "1", "--from", "2026-11-10")
    assert code == 0
    assert out.splitlines()[-1] == "No rounds open for Acme in the next 1 week(s)."


def test_plan_without_unit_lists_every_root_and_why_small_ones_are_skipped(
    workdir: Path,
) -> None:
    cli("cadence", "set", "--unit", "Acme/Ops", "--frequency", "monthly")
    code, out = cli("plan", "show", "--weeks", "2", "--from", "2026-11-23")
    assert code == 0, out
    assert "Left out of the rounds of Acme (their own cadence, their own rounds): Acme/Ops" in out
    # 4 people each: neither root runs, and nobody is merged into the other's rounds.
    assert "Acme: no round opens; its rounds would ask only 4 people (at least 6" in out
    assert "Acme/Ops: no round opens; its rounds would ask only 4 people" in out
    assert "2026-W48" not in out
    code, nb = cli("plan", "show", "--unit", "Acme/Ops", "--from", "2026-11-23", locale="nb")
    assert code == 0 and "Acme/Ops: ingen runde åpnes; rundene ville spurt bare 4 personer" in nb
    cli("cadence", "clear", "--unit", "Acme/Ops")
    code, out = cli("plan", "show", "--unit", "Acme/Ops", "--weeks", "1", "--from", "2026-11-23")
    assert code == 0, out
    assert (
        "Acme/Ops has the same cadence as Acme: its people are asked in the rounds of Acme." in out
    )
    assert "Each round asks 8 people" in out and "2026-W48: opens Mon 2026-11-23 09:00" in out


def test_round_open_exclude_leaves_a_subtree_out(workdir: Path) -> None:
    """--exclude reaches the round service: leaving Acme/Ops (4 people) out of Acme's round
    leaves 4, too few to ask; a unit outside the round or unknown is refused by name."""
    code, out = cli("round", "open", "--unit", "Acme", "--exclude", "Acme/Ops")
    assert code == 1 and "only 4 people would be asked" in out, out
    code, out = cli("round", "open", "--unit", "Acme/Ops", "--exclude", "Acme")
    assert code == 1 and "Acme is not below Acme/Ops" in out, out
    code, out = cli("round", "open", "--unit", "Acme", "--exclude", "Acme/Nope")
    assert code == 1 and "no unit 'Acme/Nope'" in out, out
    code, out = cli("round", "open", "--unit", "Acme", "--period", "2026-W48")
    assert code == 0 and "8 people asked" in out, out
